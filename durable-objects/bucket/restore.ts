/**
 * Restoring a lost coordinator from the drives' copies (the Worker's
 * namespace rebuild reads and merges them). A restore starts only where
 * the coordinator holds no bucket: it writes the bucket row from the
 * drives' configuration copy with `rebuilding` set, and the
 * bucket answers as if it did not exist until `finishRestore`, so clients
 * never see half a namespace. Versions arrive in batches, each placed in
 * its key's order by (mtime, version id) as replicas are; a version already
 * present is left alone, so a restore can be run again after an
 * interruption and resumes from its saved cursor.
 */
import type { BucketConfigCopy } from "../../shared/types/bucket-config.ts";
import type { BucketRow } from "./schema.ts";
import type { StoredVersion } from "../../shared/types/bucket-rpc.ts";
import { insertVersionRow, repointLatest, seqFor } from "./version-order.ts";

export type RestoreStart =
  { ok: true; resumed: boolean; cursor: string | null } | { ok: false; error: "BucketExists" };

/** True when the coordinator holds no version and no upload (an empty bucket, or none). */
export function holdsNothing(sql: SqlStorage): boolean {
  return (
    sql.exec("SELECT 1 FROM versions LIMIT 1").toArray().length === 0 &&
    sql.exec("SELECT 1 FROM uploads LIMIT 1").toArray().length === 0
  );
}

/** Where the coordinator stands: no bucket, a restore under way, or a live bucket. */
export function restoreState(sql: SqlStorage): "absent" | "rebuilding" | "present" {
  const row = sql.exec<BucketRow>("SELECT * FROM bucket").toArray()[0];
  if (!row) return "absent";
  return row.rebuilding ? "rebuilding" : "present";
}

/** Starts (or resumes) a restore with the bucket's configuration; refused for a live bucket. */
export function beginRestore(
  sql: SqlStorage,
  copy: BucketConfigCopy,
  version: number,
): RestoreStart {
  const row = sql.exec<BucketRow>("SELECT * FROM bucket").toArray()[0];
  if (row && !row.rebuilding) return { ok: false, error: "BucketExists" };
  if (row) return { ok: true, resumed: true, cursor: row.rebuild_cursor };
  sql.exec(
    `INSERT INTO bucket (name, created_at, owner, versioning, versioning_excludes, object_lock,
       lifecycle, policy, tags, replication, replication_targets,
       config_version, config_pushed, rebuilding)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    copy.name,
    copy.createdAt,
    copy.owner,
    copy.versioning,
    copy.versioningExcludes,
    copy.objectLock,
    copy.lifecycle,
    copy.policy,
    copy.tags,
    copy.replication,
    copy.replicationTargets,
    version,
    version,
  );
  return { ok: true, resumed: false, cursor: null };
}

/**
 * Adds versions not yet present, each in its key's order, and queues heals
 * for those some drive lacks; returns how many were added, or null when no
 * restore is under way (another call finished it: the bucket is live, and
 * versions deleted since must not come back).
 */
export function restoreVersions(
  sql: SqlStorage,
  versions: StoredVersion[],
  heal: [key: string, versionId: string][],
  cursor: string | null,
): number | null {
  if (restoreState(sql) !== "rebuilding") return null;
  for (const [key, versionId] of heal) {
    sql.exec(
      "INSERT OR IGNORE INTO heal_queue (key, version_id, due) VALUES (?, ?, ?)",
      key,
      versionId,
      Date.now(),
    );
  }
  let added = 0;
  for (const { record, inlineData } of versions) {
    const present = sql
      .exec("SELECT 1 FROM versions WHERE key = ? AND version_id = ?", record.key, record.versionId)
      .toArray().length;
    if (present) continue;
    const nextSeq = sql.exec<{ next_seq: number }>("SELECT next_seq FROM bucket").one().next_seq;
    const seq = seqFor(sql, record.key, record.versionId, record.mtime, nextSeq, true);
    insertVersionRow(sql, record, seq, inlineData);
    sql.exec("UPDATE bucket SET next_seq = next_seq + 1");
    repointLatest(sql, record.key);
    added++;
  }
  sql.exec("UPDATE bucket SET rebuild_cursor = ?", cursor);
  return added;
}

/** Ends a restore: the bucket is served again. `versioning` applies when no configuration copy was found. */
export function finishRestore(sql: SqlStorage, versioning: "Enabled" | null): void {
  sql.exec("UPDATE bucket SET rebuilding = 0, rebuild_cursor = NULL");
  if (versioning) sql.exec("UPDATE bucket SET versioning = ? WHERE versioning = ''", versioning);
}
