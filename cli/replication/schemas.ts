/**
 * The admin API's replication answers as the CLI reads them (remote
 * targets, replication status, the not-yet-replicated diff), validated
 * with zod where they enter. Objects pass unknown fields through, so a
 * newer server does not break an older CLI and `--json` prints what the
 * server said.
 */
import { z } from "zod";

const countAndBytes = z.looseObject({ count: z.number(), bytes: z.number() });

export const targetHealthSchema = z.looseObject({
  online: z.boolean(),
  lastOnline: z.string().nullable().optional(),
  offlineSince: z.string().nullable().optional(),
  downtimeMs: z.number().default(0),
  latencyMs: z.number().nullable().optional(),
  lastCheck: z.string().nullable().optional(),
});

export const remoteTargetSchema = z.looseObject({
  arn: z.string(),
  sourceBucket: z.string(),
  endpoint: z.string(),
  targetBucket: z.string(),
  region: z.string().optional(),
  accessKey: z.string().optional(),
  sync: z.boolean(),
  bandwidth: z.number().nullable(),
  healthCheckSeconds: z.number().optional(),
  createdAt: z.string().optional(),
  health: targetHealthSchema,
});

export type RemoteTarget = z.infer<typeof remoteTargetSchema>;

export const remoteTargetListSchema = z.looseObject({ targets: z.array(remoteTargetSchema) });

export const removedTargetSchema = z.looseObject({ removed: z.string() });

const lagWindowSchema = z.looseObject({
  count: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});

export type LagWindow = z.infer<typeof lagWindowSchema>;

export const targetStatusSchema = z.looseObject({
  arn: z.string(),
  endpoint: z.string().nullable(),
  targetBucket: z.string().nullable(),
  sync: z.boolean(),
  bandwidth: z.number().nullable(),
  health: targetHealthSchema.nullable(),
  replicatedCount: z.number(),
  replicatedBytes: z.number(),
  pendingCount: z.number(),
  pendingBytes: z.number(),
  failedCount: z.number(),
  failedBytes: z.number(),
  failedLastMinute: countAndBytes,
  failedLastHour: countAndBytes,
  failedNow: z.number(),
  lagMs: z.number(),
  /** Version deletes not yet confirmed by the target (absent from older servers). */
  purge: z.looseObject({ pending: z.number(), failed: z.number() }).optional(),
  latency: z.looseObject({
    buckets: z.array(z.number()),
    counts: z.array(z.number()),
    sumMs: z.number(),
    count: z.number(),
  }),
  /** Write-to-replica lag (a server before lag tracking sends none). */
  lag: z
    .looseObject({
      lastMinute: lagWindowSchema,
      lastHour: lagWindowSchema,
    })
    .optional(),
  lagSloSeconds: z.number().nullable().optional(),
  overSloCount: z.number().optional(),
  sloBreached: z.boolean().optional(),
  /** The target's latest resync or existing-object job. */
  job: z
    .looseObject({
      mode: z.string(),
      status: z.string(),
      total: z.number(),
      replicatedCount: z.number(),
      skippedCount: z.number(),
      failedCount: z.number(),
      etaSeconds: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
});

export type TargetStatus = z.infer<typeof targetStatusSchema>;

export const replicationStatusSchema = z.looseObject({
  bucket: z.string(),
  targets: z.array(targetStatusSchema),
  received: countAndBytes,
});

export const diffEntrySchema = z.looseObject({
  key: z.string(),
  versionId: z.string(),
  target: z.string(),
  kind: z.string(),
  status: z.string(),
  attempts: z.number(),
  size: z.number(),
});

export type DiffEntry = z.infer<typeof diffEntrySchema>;

export const diffPageSchema = z.looseObject({
  entries: z.array(diffEntrySchema),
  next: z.string().nullable(),
});

export type DiffPage = z.infer<typeof diffPageSchema>;
