/**
 * The coordinator's side of replication, called from the Bucket class
 * inside its transactions:
 * - after a local commit, which targets a new version (or delete marker)
 *   goes to, by the bucket's rules; prefixes excluded from versioning never
 *   replicate;
 * - receiving a replica: a version the bucket already holds with the same
 *   ETag is a no-op; two delete markers that sit on the same version (both
 *   sites deleted the key concurrently) collapse into the one with the
 *   smaller version id on every site, so no site keeps a duplicate;
 * - Queue wake-ups for the async targets, sent after the commit (a lost
 *   one is recovered by the scanner from the log).
 */
import {
  replicationTargets,
  type ReplicationConfig,
  type ReplicationKind,
} from "../../shared/replication/config.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import type { ReplicationLog, ReplicationOp } from "./replication-log.ts";
import { toStored, type BucketRow, type VersionRow } from "./schema.ts";
import type { StoredVersion } from "./types.ts";
import { olderVersions, versionBelow } from "./version-order.ts";

export interface TargetRef {
  arn: string;
  sync: boolean;
}

/** A Queue message: replicate this version to this target. */
export interface ReplicationMessage {
  bucket: string;
  key: string;
  versionId: string;
  target: string;
  /** More versions of the bucket for the same target, sent alongside (a resync step's group). */
  also?: { key: string; versionId: string }[];
}

export function configOf(row: BucketRow | null): ReplicationConfig | null {
  return row?.replication ? (JSON.parse(row.replication) as ReplicationConfig) : null;
}

export function targetsOf(row: BucketRow | null): TargetRef[] {
  return row?.replication_targets ? (JSON.parse(row.replication_targets) as TargetRef[]) : [];
}

function excludedFromVersioning(row: BucketRow, key: string): boolean {
  if (!row.versioning_excludes) return false;
  const excludes = JSON.parse(row.versioning_excludes) as {
    excludedPrefixes: string[];
    excludeFolders: boolean;
  };
  if (excludes.excludeFolders && key.endsWith("/")) return true;
  return excludes.excludedPrefixes.some((prefix) => key.startsWith(prefix));
}

/**
 * Records a change as PENDING for every target the rules send it to;
 * returns those targets split into async (to wake the consumer for) and
 * sync (the caller replicates before answering).
 */
export function planReplication(
  row: BucketRow,
  log: ReplicationLog,
  change: {
    key: string;
    versionId: string;
    kind: ReplicationKind;
    size: number;
    tags?: Record<string, string>;
    /** Metadata changes of a replica flow back only under ReplicaModifications. */
    replica?: boolean;
  },
  now: number,
): { async: string[]; sync: string[] } {
  const config = configOf(row);
  if (!config || excludedFromVersioning(row, change.key)) return { async: [], sync: [] };
  const decide = change.kind === "metadata" && !change.replica ? "object" : change.kind;
  const targets = replicationTargets(config, decide, change.key, change.tags ?? {});
  if (targets.length === 0) return { async: [], sync: [] };
  log.enqueue(change.key, change.versionId, targets, change.kind, change.size, now);
  const sync = new Set(
    targetsOf(row)
      .filter((t) => t.sync)
      .map((t) => t.arn),
  );
  // Deletes are always queued, even for sync targets (as MinIO does).
  const deletion = change.kind === "delete" || change.kind === "delete-marker";
  return {
    async: targets.filter((t) => deletion || !sync.has(t)),
    sync: deletion ? [] : targets.filter((t) => sync.has(t)),
  };
}

/**
 * How a replica is to be stored: "duplicate" when nothing must change,
 * "replace-marker" (with the marker to drop) when an incoming delete marker
 * wins over a local one on the same version, else "store".
 */
export function replicaDisposition(
  sql: SqlStorage,
  record: VersionRecord,
  covers: string | undefined,
): { action: "duplicate" } | { action: "store" } | { action: "replace-marker"; loser: string } {
  const existing = sql
    .exec<{ etag: string; delete_marker: number }>(
      "SELECT etag, delete_marker FROM versions WHERE key = ? AND version_id = ?",
      record.key,
      record.versionId,
    )
    .toArray()[0];
  if (
    existing &&
    existing.etag === record.etag &&
    (existing.delete_marker === 1) === record.deleteMarker
  )
    return { action: "duplicate" };
  if (!record.deleteMarker || covers === undefined || existing) return { action: "store" };
  const latest = sql
    .exec<{ version_id: string; delete_marker: number }>(
      "SELECT version_id, delete_marker FROM objects WHERE key = ?",
      record.key,
    )
    .toArray()[0];
  if (!latest || latest.delete_marker !== 1) return { action: "store" };
  if (versionBelow(sql, record.key, latest.version_id) !== covers) return { action: "store" };
  return record.versionId > latest.version_id
    ? { action: "duplicate" }
    : { action: "replace-marker", loser: latest.version_id };
}

/** Sends Queue wake-ups; a failure is left to the scanner. */
export async function wakeConsumer(
  queue: Queue<ReplicationMessage> | undefined,
  messages: ReplicationMessage[],
): Promise<void> {
  if (!queue || messages.length === 0) return;
  try {
    for (let i = 0; i < messages.length; i += 100) {
      await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
    }
  } catch (error) {
    console.warn("replication wake-up not sent (the scanner will requeue):", error);
  }
}

/**
 * What the consumer needs to replicate one version to one target: the log
 * entry, the version (null for a version delete), whether every older
 * version of the key already reached the target (a delete marker waits for
 * them), and the version directly below (sent with delete markers).
 */
export interface ReplicationTask {
  op: ReplicationOp;
  version: StoredVersion | null;
  ready: boolean;
  below: string;
  /** The storage class the deciding rule asks the target to use, if any. */
  storageClass: string | null;
}

/** The task for one log entry; null when there is nothing (left) to do. */
export function replicationTaskOf(
  sql: SqlStorage,
  log: ReplicationLog,
  config: ReplicationConfig | null,
  key: string,
  versionId: string,
  target: string,
): ReplicationTask | null {
  const op = log.op(key, versionId, target);
  if (!op || op.status === "COMPLETED") return null;
  const storageClass =
    config?.rules.find((rule) => rule.destination === target)?.storageClass ?? null;
  if (op.kind === "delete") return { op, version: null, ready: true, below: "", storageClass };
  const row = sql
    .exec<VersionRow>("SELECT * FROM versions WHERE key = ? AND version_id = ?", key, versionId)
    .toArray()[0];
  if (!row) {
    log.forget(key, versionId);
    return null;
  }
  const ready = !log.olderPending(key, target, olderVersions(sql, key, versionId));
  return {
    op,
    version: toStored(row),
    ready,
    below: versionBelow(sql, key, versionId),
    storageClass,
  };
}
