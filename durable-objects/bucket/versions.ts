/**
 * The coordinator's versions: commits, replicas from other sites, record
 * changes (tags, retention, legal hold), lookups, deletes and heal
 * requests. A commit is refused unless the writer reports write quorum,
 * and is one SQLite transaction, so a version is visible exactly when
 * `commitVersion` returns (strict read-after-write). What a commit or
 * delete replaces goes to the garbage-collection queue; what replicates is
 * recorded in the same transaction (replication/plan.ts) and the consumer
 * is woken after it.
 */
import {
  serializeRecord,
  versionRecordSchema,
  type VersionRecord,
} from "../../shared/types/version-record.ts";
import type {
  CommitRequest,
  CommitResult,
  DeleteResult,
  RecordChangeRefused,
  ReplicaMetadataChange,
  VersionLookup,
} from "../../shared/types/bucket-rpc.ts";
import type { CoordinatorState } from "./coordinator-state.ts";
import { findVersion } from "./listing.ts";
import {
  mayApplyReplicaLock,
  mayChangeRetention,
  mayDelete,
  replacesLockedVersion,
} from "./object-lock.ts";
import { holdsReplica, mergeReplicaMetadata, planReplication } from "./replication/plan.ts";
import { toStored, type VersionRow } from "./schema.ts";
import { conditionFailure, insertVersionRow, repointLatest, seqFor } from "./version-order.ts";

/**
 * Makes a version visible, atomically. Refused below write quorum. For the
 * null version (unversioned buckets) the previous null version is replaced
 * and its data queued for garbage collection.
 */
export async function commitVersion(
  s: CoordinatorState,
  request: CommitRequest,
): Promise<CommitResult> {
  const bucket = s.bucketRow();
  if (!bucket) return { ok: false, error: "NoSuchBucket" };
  if (request.acknowledgements < request.writeQuorum) {
    return { ok: false, error: "InsufficientWriteQuorum" };
  }
  const record = versionRecordSchema.parse(request.record);
  if (request.replica) return commitReplica(s, record, request.inlineData);
  const failed = conditionFailure(s.sql, record.key, request.condition ?? null);
  if (failed) return { ok: false, error: failed };
  const now = Date.now();
  const planned = s.transaction(() => {
    storeVersion(s, record, request.inlineData, false);
    return planReplication(
      bucket,
      s.log,
      {
        key: record.key,
        versionId: record.versionId,
        kind: record.deleteMarker ? "delete-marker" : "object",
        size: record.size,
        tags: record.tags,
      },
      now,
    );
  });
  await s.replication.wake(record.key, record.versionId, planned.async);
  return { ok: true, syncTargets: planned.sync };
}

/** Commits one after another, each on its own (one refused leaves the others committed). */
export async function commitVersions(
  s: CoordinatorState,
  requests: CommitRequest[],
): Promise<CommitResult[]> {
  const results: CommitResult[] = [];
  for (const request of requests) {
    try {
      results.push(await commitVersion(s, request));
    } catch (error) {
      console.error("a batched commit failed:", error);
      results.push({ ok: false, error: "InternalError" });
    }
  }
  return results;
}

/**
 * Stores a replica from another site; never replicated further. What is
 * stored depends only on the replica itself, never on what else the key
 * holds, so every site ends with the same versions whatever the order
 * replicas arrive in (a concurrent delete on two sites leaves two markers).
 */
function commitReplica(
  s: CoordinatorState,
  record: VersionRecord,
  inlineData: Uint8Array | null,
): CommitResult {
  return s.transaction((): CommitResult => {
    if (holdsReplica(s.sql, record)) {
      const merged = mergeReplicaMetadata(s.sql, record);
      if (merged === "AccessDenied") return { ok: false, error: "AccessDenied" };
      return { ok: true, duplicate: true };
    }
    if (replacesLockedVersion(s.sql, record)) return { ok: false, error: "AccessDenied" };
    storeVersion(s, record, inlineData, true);
    s.log.received(record.size);
    return { ok: true };
  });
}

/**
 * Stores a version (inside the caller's transaction), replacing one of the
 * same id, in its place in the key's order (version-order.ts).
 */
export function storeVersion(
  s: CoordinatorState,
  record: VersionRecord,
  inlineData: Uint8Array | null,
  replica: boolean,
): void {
  const replaced = s.sql
    .exec<VersionRow>(
      "SELECT * FROM versions WHERE key = ? AND version_id = ?",
      record.key,
      record.versionId,
    )
    .toArray()[0];
  if (replaced) s.background.queueGarbage(toStored(replaced).record);
  const nextSeq = s.sql.exec<{ next_seq: number }>("SELECT next_seq FROM bucket").one().next_seq;
  const seq = seqFor(s.sql, record.key, record.versionId, record.mtime, nextSeq, replica);
  insertVersionRow(s.sql, record, seq, inlineData);
  s.sql.exec("UPDATE bucket SET next_seq = next_seq + 1");
  repointLatest(s.sql, record.key);
}

/**
 * Replaces a version's tags, retention or legal hold without touching its
 * data, and queues the change for replication. A change arriving from
 * another site (`replica`) applies only when newer than the version's own
 * last change, and only as far as object lock lets it (object-lock.ts).
 * A delete marker has none of these: MethodNotAllowed, as S3 answers.
 * Returns the updated record.
 */
export async function updateRecord(
  s: CoordinatorState,
  key: string,
  versionId: string | null,
  patch: Partial<Pick<VersionRecord, "tags" | "retention" | "legalHold">>,
  replica: ReplicaMetadataChange | null = null,
): Promise<VersionLookup | RecordChangeRefused> {
  const lookup = await getVersion(s, key, versionId);
  if (!lookup.ok) return lookup;
  const current = lookup.version.record;
  if (current.deleteMarker)
    return {
      ok: false,
      error: "MethodNotAllowed",
      marker: { versionId: current.versionId, mtime: current.mtime },
    };
  const replicaTimestamp = replica?.timestamp ?? null;
  // A replicated change older than what this version already has loses (last writer wins).
  if (replicaTimestamp !== null && (current.metadataTimestamp ?? 0) >= replicaTimestamp)
    return lookup;
  const record = versionRecordSchema.parse({
    ...current,
    ...patch,
    // Strictly increasing per version, so a change in the same millisecond still wins remotely.
    metadataTimestamp:
      replicaTimestamp ?? Math.max(Date.now(), (current.metadataTimestamp ?? current.mtime) + 1),
  });
  if (replica && !mayApplyReplicaLock(current, record, replica))
    return { ok: false, error: "AccessDenied" };
  const bucket = s.bucketRow();
  const planned = s.transaction(() => {
    s.sql.exec(
      "UPDATE versions SET record = ? WHERE key = ? AND version_id = ?",
      serializeRecord(record),
      record.key,
      record.versionId,
    );
    if (replicaTimestamp !== null || !bucket) return [];
    const change = {
      key: record.key,
      versionId: record.versionId,
      kind: "metadata" as const,
      size: record.size,
      tags: record.tags,
      replica: record.replica !== undefined,
    };
    const targets = planReplication(bucket, s.log, change, Date.now());
    return [...targets.async, ...targets.sync];
  });
  await s.replication.wake(record.key, record.versionId, planned);
  return { ok: true, version: { record, inlineData: lookup.version.inlineData } };
}

/** Sets or removes a version's retention, under the object lock rules. */
export async function setRetention(
  s: CoordinatorState,
  key: string,
  versionId: string | null,
  retention: VersionRecord["retention"],
  bypassGovernance: boolean,
): Promise<VersionLookup | RecordChangeRefused> {
  const lookup = await getVersion(s, key, versionId);
  if (!lookup.ok) return lookup;
  if (!mayChangeRetention(lookup.version.record.retention, retention, bypassGovernance)) {
    return { ok: false, error: "AccessDenied" };
  }
  return updateRecord(s, key, lookup.version.record.versionId, { retention });
}

/** The latest version of `key`, or the given version. */
export async function getVersion(
  s: CoordinatorState,
  key: string,
  versionId: string | null,
): Promise<VersionLookup> {
  if (!s.bucketRow()) return { ok: false, error: "NoSuchBucket" };
  const row = findVersion(s.sql, key, versionId);
  if (!row) return { ok: false, error: versionId === null ? "NoSuchKey" : "NoSuchVersion" };
  const version = toStored(row);
  return {
    ok: true,
    version,
    versioned: s.bucketRow()?.versioning !== "",
    replicationStatus: version.record.replica ? "REPLICA" : s.log.statusOf(row.key, row.version_id),
  };
}

/**
 * Removes a version permanently (the null version when `versionId` is
 * null, as in an unversioned bucket) and queues its data for collection.
 * Deleting what does not exist succeeds, as in S3.
 */
export async function deleteVersion(
  s: CoordinatorState,
  key: string,
  versionId: string | null,
  bypassGovernance = false,
  replica = false,
): Promise<DeleteResult> {
  const bucket = s.bucketRow();
  if (!bucket) return { ok: false, error: "NoSuchBucket" };
  const id = versionId ?? "null";
  let deleted: VersionRecord | null = null;
  let locked = false;
  let wake: string[] = [];
  s.transaction(() => {
    const row = s.sql
      .exec<VersionRow>("SELECT * FROM versions WHERE key = ? AND version_id = ?", key, id)
      .toArray()[0];
    if (!row) return;
    const record = toStored(row).record;
    if (!mayDelete(record, bypassGovernance)) {
      locked = true;
      return;
    }
    deleted = record;
    s.sql.exec("DELETE FROM versions WHERE key = ? AND version_id = ?", key, id);
    s.log.forget(key, id);
    s.background.queueGarbage(deleted);
    repointLatest(s.sql, key);
    if (!replica && versionId !== null) {
      const change = { key, versionId: id, kind: "delete" as const, size: 0, tags: record.tags };
      wake = planReplication(bucket, s.log, change, Date.now()).async;
    }
  });
  if (locked) return { ok: false, error: "AccessDenied" };
  await s.replication.wake(key, id, wake);
  return { ok: true, deleted };
}

/** Removes a version without replicating the removal (lifecycle expiry). */
export function removeVersionRow(s: CoordinatorState, record: VersionRecord): void {
  s.sql.exec("DELETE FROM versions WHERE key = ? AND version_id = ?", record.key, record.versionId);
  s.log.forget(record.key, record.versionId);
  s.background.queueGarbage(record);
  repointLatest(s.sql, record.key);
}

/** Queues a heal of one version (damage was seen on read). */
export async function scheduleHeal(
  s: CoordinatorState,
  key: string,
  versionId: string,
): Promise<void> {
  s.sql.exec(
    "INSERT OR IGNORE INTO heal_queue (key, version_id, due) VALUES (?, ?, ?)",
    key,
    versionId,
    Date.now(),
  );
  await s.background.ensureAlarm(Date.now() + 50);
}
