/**
 * The bucket itself and its settings in the coordinator: creation (an
 * empty leftover of a deletion that raced a rebuild is replaced when the
 * site's registry just gave the name out), deletion of an empty bucket,
 * and the settings kept on the bucket row (policy, object lock,
 * versioning and MinIO's exclusions, tags). Every change of a setting is
 * copied to the drives (config-copies.ts). Object lock turns versioning on
 * for good, and replication keeps it on.
 */
import type { BucketInfo, ObjectLockConfig } from "../../shared/types/bucket-rpc.ts";
import type { CoordinatorState } from "./coordinator-state.ts";
import { targetsOf } from "./replication/plan.ts";
import { holdsNothing } from "./restore.ts";
import { excludesOf, type BucketRow } from "./schema.ts";
import { BUCKET_TAGS, OBJECT_LOCK, bucketColumn } from "./stored-formats.ts";

/**
 * Creates the bucket; "exists" when it already does (with its owner). With
 * `fresh` (the site's registry just gave the name out), an empty bucket
 * found here is a leftover of a deletion that raced a rebuild: replaced.
 */
export async function createBucket(
  s: CoordinatorState,
  name: string,
  owner: string,
  objectLock = false,
  fresh = false,
): Promise<{ created: boolean; owner: string }> {
  const existing = s.sql.exec<BucketRow>("SELECT * FROM bucket").toArray()[0];
  if (existing && !(fresh && holdsNothing(s.sql))) return { created: false, owner: existing.owner };
  if (existing) await s.reset();
  // Object lock turns versioning on, for good.
  s.sql.exec(
    "INSERT INTO bucket (name, created_at, owner, versioning, object_lock) VALUES (?, ?, ?, ?, ?)",
    name,
    Date.now(),
    owner,
    objectLock ? "Enabled" : "",
    objectLock ? JSON.stringify({ enabled: true }) : null,
  );
  await s.copies.push();
  return { created: true, owner };
}

/** Sets (or with null removes) the bucket policy; false when the bucket does not exist. */
export async function setPolicy(s: CoordinatorState, policy: string | null): Promise<boolean> {
  if (!s.bucketRow()) return false;
  s.sql.exec("UPDATE bucket SET policy = ?", policy);
  await s.copies.changed();
  return true;
}

/** Sets the bucket's object lock configuration (only on buckets with object lock). */
export async function setObjectLock(
  s: CoordinatorState,
  config: ObjectLockConfig,
): Promise<"ok" | "NoSuchBucket" | "InvalidBucketState"> {
  const row = s.bucketRow();
  if (!row) return "NoSuchBucket";
  if (!row.object_lock) return "InvalidBucketState";
  s.sql.exec("UPDATE bucket SET object_lock = ?", JSON.stringify(config));
  await s.copies.changed();
  return "ok";
}

/** The bucket's settings, or null when it does not exist. */
export async function bucketInfo(s: CoordinatorState): Promise<BucketInfo | null> {
  const row = s.bucketRow();
  if (!row) return null;
  return {
    name: row.name,
    createdAt: row.created_at,
    owner: row.owner,
    versioning:
      row.versioning === "Enabled" || row.versioning === "Suspended" ? row.versioning : "",
    ...excludesOf(row),
    objectLock: OBJECT_LOCK.readNullable(row.object_lock, bucketColumn(row.name, "object_lock")),
    replication: row.replication !== null,
    syncTargets: targetsOf(row)
      .filter((t) => t.sync)
      .map((t) => t.arn),
  };
}

/** Sets the bucket's versioning state (and MinIO's exclusions). */
export async function setVersioning(
  s: CoordinatorState,
  status: "Enabled" | "Suspended",
  excludes: { excludedPrefixes: string[]; excludeFolders: boolean },
): Promise<"ok" | "NoSuchBucket" | "InvalidBucketState"> {
  const row = s.bucketRow();
  if (!row) return "NoSuchBucket";
  if (row.object_lock && status !== "Enabled") return "InvalidBucketState";
  // Replication needs versioning: it cannot be suspended under a replication configuration.
  if (row.replication && status !== "Enabled") return "InvalidBucketState";
  s.sql.exec(
    "UPDATE bucket SET versioning = ?, versioning_excludes = ?",
    status,
    JSON.stringify(excludes),
  );
  await s.copies.changed();
  return "ok";
}

/** Deletes the bucket when it holds no versions. */
export async function destroyBucket(
  s: CoordinatorState,
): Promise<"deleted" | "BucketNotEmpty" | "NoSuchBucket"> {
  if (!s.bucketRow()) return "NoSuchBucket";
  const any = s.sql.exec("SELECT 1 FROM versions LIMIT 1").toArray().length > 0;
  if (any) return "BucketNotEmpty";
  const pendingGc = s.sql.exec<{ n: number }>("SELECT count(*) AS n FROM gc_queue").one().n;
  if (pendingGc > 0) await s.background.runGarbageCollection(s.bucketRow()?.name ?? "");
  await s.reset();
  return "deleted";
}

/** The bucket's tags, or null when it has none. */
export async function getBucketTags(s: CoordinatorState): Promise<Record<string, string> | null> {
  const row = s.sql
    .exec<{ name: string; tags: string | null }>("SELECT name, tags FROM bucket")
    .toArray()[0];
  return row?.tags ? BUCKET_TAGS.read(row.tags, bucketColumn(row.name, "tags")) : null;
}

/** Sets (or, with null, removes) the bucket's tags. */
export async function setBucketTags(
  s: CoordinatorState,
  tags: Record<string, string> | null,
): Promise<boolean> {
  if (!s.bucketRow()) return false;
  s.sql.exec("UPDATE bucket SET tags = ?", tags ? JSON.stringify(tags) : null);
  await s.copies.changed();
  return true;
}
