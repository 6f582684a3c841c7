/**
 * The JSON columns of the bucket coordinator's SQLite and the formats they
 * are read back with (durable-objects/stored-json.ts): each is parsed with
 * zod, a row that matches no format is an error naming the table, the
 * row's key and the column. Every format here is the first of its column.
 *
 * The bucket row's settings columns are also what the drives keep a copy
 * of (config-copies.ts) and what a restore writes back, so a new format of
 * one of them must still read copies written before it.
 */
import { z } from "zod";
import { lifecycleRuleSchema } from "../../shared/lifecycle/rules.ts";
import {
  STORAGE_CLASSES,
  erasureInfoSchema,
  versionRecordSchema,
} from "../../shared/types/version-record.ts";
import { StoredFormat, type ColumnAt } from "../stored-json.ts";

const stringMap = z.record(z.string(), z.string());

/** bucket.versioning_excludes: MinIO's versioning exclusions. */
export const VERSIONING_EXCLUDES = StoredFormat.of(
  z.object({ excludedPrefixes: z.array(z.string()), excludeFolders: z.boolean() }),
);

/** bucket.object_lock: the object lock configuration (set only on buckets created with it). */
export const OBJECT_LOCK = StoredFormat.of(
  z.object({
    enabled: z.literal(true),
    defaultRetention: z
      .object({
        mode: z.enum(["GOVERNANCE", "COMPLIANCE"]),
        days: z.number().optional(),
        years: z.number().optional(),
      })
      .optional(),
  }),
);

/** bucket.tags: the bucket's tags. */
export const BUCKET_TAGS = StoredFormat.of(stringMap);

/**
 * bucket.lifecycle: the lifecycle rules. Day and count fields hold what
 * PutBucketLifecycleConfiguration accepted, which may be 0.
 */
export const LIFECYCLE = StoredFormat.of(
  z.array(
    lifecycleRuleSchema.extend({
      expirationDays: z.number().optional(),
      noncurrentDays: z.number().optional(),
      newerNoncurrentVersions: z.number().optional(),
      abortMultipartDays: z.number().optional(),
    }),
  ),
);

/** bucket.replication: the replication configuration, as shared/replication/config.ts parsed it. */
export const REPLICATION = StoredFormat.of(
  z.object({
    role: z.string(),
    rules: z.array(
      z.object({
        id: z.string(),
        status: z.enum(["Enabled", "Disabled"]),
        priority: z.number(),
        prefix: z.string(),
        tags: stringMap,
        deleteMarkerReplication: z.boolean(),
        deleteReplication: z.boolean(),
        existingObjectReplication: z.boolean(),
        replicaModifications: z.boolean(),
        destination: z.string(),
        storageClass: z.enum(STORAGE_CLASSES).nullable(),
      }),
    ),
  }),
);

/** bucket.replication_targets: the bucket's remote targets and whether each is sync. */
export const REPLICATION_TARGETS = StoredFormat.of(
  z.array(z.object({ arn: z.string(), sync: z.boolean() })),
);

/** versions.record: the authoritative version record. */
export const VERSION_RECORD = StoredFormat.of(versionRecordSchema);

/** uploads.erasure and gc_queue.erasure: the erasure layout of a write. */
export const ERASURE = StoredFormat.of(erasureInfoSchema);

/** gc_queue.part_dirs: a write's further data dirs. */
export const DATA_DIRS = StoredFormat.of(z.array(z.string()));

/** upload_parts.checksums: a part's checksums (algorithm → base64). */
export const PART_CHECKSUMS = StoredFormat.of(stringMap);

/** replication_log.upload: a multipart transfer in progress to the target. */
export const REPLICATION_UPLOAD = StoredFormat.of(
  z.object({ uploadId: z.string(), parts: stringMap }),
);

/** replication_stats.latency_buckets and replication_lag.counts: histogram counts. */
export const HISTOGRAM_COUNTS = StoredFormat.of(z.array(z.number()));

/** Where a column of the bucket row was read from. */
export function bucketColumn(name: string, column: string): ColumnAt {
  return { table: "bucket", key: name, column };
}
