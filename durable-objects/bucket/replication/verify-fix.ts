/**
 * `replicate verify --fix` on the source: the versions verify found
 * missing or different on a target are marked PENDING for that target
 * again, whatever their log said, so the ordinary consumer sends them.
 *
 * - A version whose only differences are its tags, retention or legal hold
 *   is queued as a metadata change, and its metadata timestamp is moved to
 *   now: the operator names this site authoritative, and the target applies
 *   a replicated change only when newer than its own (last writer wins).
 * - Any other difference (or a version the target lacks) queues the whole
 *   version, or the delete marker; the caller has removed a differing copy
 *   from the target first, since a replica of a version id the target
 *   already holds with that ETag is a no-op there.
 * Versions gone from this site since verify read them are left out, and so
 * are versions no enabled rule for the target covers (verify compares the
 * whole bucket; a fix never widens what replicates).
 */
import { decidingRule, type ReplicationConfig } from "../../../shared/replication/config.ts";
import { serializeRecord } from "../../../shared/types/version-record.ts";
import { versionAt } from "../schema.ts";
import { VERSION_RECORD } from "../stored-formats.ts";
import type { VerifyFix } from "../../../shared/types/replication-rpc.ts";
import type { ReplicationLog } from "./log.ts";
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import type { CoordinatorState } from "../coordinator-state.ts";
import { configOf } from "./plan.ts";

interface FixRow extends Record<string, SqlStorageValue> {
  delete_marker: number;
  size: number;
  record: string;
}

export interface FixesQueued {
  messages: ReplicationMessage[];
  /** Versions no enabled rule for the target covers: left alone. */
  outOfScope: { key: string; versionId: string }[];
}

/** Marks the fixes PENDING for `target` (inside the caller's transaction); returns the wake-ups. */
export function requeueFixes(
  sql: SqlStorage,
  log: ReplicationLog,
  config: ReplicationConfig | null,
  bucket: string,
  target: string,
  fixes: readonly VerifyFix[],
  now: number,
): FixesQueued {
  const queued: FixesQueued = { messages: [], outOfScope: [] };
  for (const fix of fixes) {
    const row = sql
      .exec<FixRow>(
        "SELECT delete_marker, size, record FROM versions WHERE key = ? AND version_id = ?",
        fix.key,
        fix.versionId,
      )
      .toArray()[0];
    if (!row) continue;
    const marker = row.delete_marker === 1;
    const stored = VERSION_RECORD.read(row.record, versionAt(fix.key, fix.versionId, "record"));
    const tags = marker ? {} : (stored.tags ?? {});
    if (!config || !decidingRule(config, target, fix.key, tags)) {
      queued.outOfScope.push({ key: fix.key, versionId: fix.versionId });
      continue;
    }
    if (fix.metadataOnly && !marker) {
      stored.metadataTimestamp = Math.max(now, (stored.metadataTimestamp ?? 0) + 1);
      sql.exec(
        "UPDATE versions SET record = ? WHERE key = ? AND version_id = ?",
        serializeRecord(stored),
        fix.key,
        fix.versionId,
      );
    }
    // A log row already COMPLETED would keep a metadata kind from sending the whole version.
    sql.exec(
      "DELETE FROM replication_log WHERE key = ? AND version_id = ? AND target = ?",
      fix.key,
      fix.versionId,
      target,
    );
    const kind = marker ? "delete-marker" : fix.metadataOnly ? "metadata" : "object";
    log.enqueue(fix.key, fix.versionId, [target], kind, row.size, now);
    queued.messages.push({ bucket, key: fix.key, versionId: fix.versionId, target });
  }
  return queued;
}

/** `replicate verify --fix`: requeues the given versions for `target`. */
export async function requeueVerified(
  s: CoordinatorState,
  target: string,
  fixes: VerifyFix[],
): Promise<{ requeued: number; outOfScope: { key: string; versionId: string }[] }> {
  const row = s.bucketRow();
  if (!row) return { requeued: 0, outOfScope: [] };
  const queued = s.transaction(() =>
    requeueFixes(s.sql, s.log, configOf(row), row.name, target, fixes, Date.now()),
  );
  await s.work.wakeReplication(queued.messages);
  return { requeued: queued.messages.length, outOfScope: queued.outOfScope };
}
