/**
 * The admin API's replication answers (docs/admin-api.md): remote targets,
 * replication status, the not-yet-replicated diff, resync jobs and verify
 * reports, as a client (the CLI) validates them where they enter. Objects
 * pass unknown fields through, so a newer server does not break an older
 * client and `--json` prints what the server said.
 *
 * A verify difference names one version: "missing-on-remote" (here, not
 * on the target), "missing-here" (on the target only) or "different"
 * (same version id; `fields` names what differs). With fix the report also
 * says what was requeued.
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

export const resyncJobSchema = z.looseObject({
  target: z.string(),
  jobId: z.string(),
  mode: z.string(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  total: z.number(),
  replicatedCount: z.number(),
  replicatedBytes: z.number(),
  failedCount: z.number(),
  skippedCount: z.number(),
  pendingCount: z.number(),
  etaSeconds: z.number().nullable().optional(),
});

export type ResyncJob = z.infer<typeof resyncJobSchema>;

export const resyncJobListSchema = z.looseObject({ jobs: z.array(resyncJobSchema) });

const versionStateSchema = z.looseObject({
  versionId: z.string(),
  deleteMarker: z.boolean(),
  etag: z.string(),
  size: z.number(),
});

export type VersionStateSummary = z.infer<typeof versionStateSchema>;

const differenceSchema = z.looseObject({
  key: z.string(),
  versionId: z.string(),
  problem: z.string(),
  fields: z.array(z.string()),
  here: versionStateSchema.nullable(),
  remote: versionStateSchema.nullable(),
});

const fixSchema = z.looseObject({
  requeued: z.number(),
  removedOnRemote: z.number(),
  notFixed: z.array(z.looseObject({ key: z.string(), versionId: z.string(), reason: z.string() })),
});

export const verifyReportSchema = z.looseObject({
  equal: z.boolean(),
  prefix: z.string(),
  keysCompared: z.number(),
  versionsCompared: z.number(),
  rangesCompared: z.number(),
  rangesDiffering: z.number(),
  differences: z.array(differenceSchema),
  truncated: z.boolean(),
  fix: fixSchema.optional(),
});

export type VerifyReport = z.infer<typeof verifyReportSchema>;
