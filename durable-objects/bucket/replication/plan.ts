/**
 * The coordinator's side of replication, called from the Bucket class
 * inside its transactions:
 * - after a local commit, which targets a new version (or delete marker)
 *   goes to, by the bucket's rules; prefixes excluded from versioning never
 *   replicate;
 * - receiving a replica: a version the bucket already holds with the same
 *   ETag is a no-op, except that its tags, retention and legal hold are
 *   taken when the replica's metadata timestamp is newer (two transfers of
 *   one version may race; the later change wins whatever the arrival
 *   order, under the object lock rules); anything else is stored in its
 *   (mtime, version id) place. Every delete marker is a version of its
 *   own, as in S3: two sites deleting a key concurrently leave two markers
 *   on every site. Nothing is ever dropped by comparing it with what else
 *   the bucket holds, so the outcome does not depend on the order replicas
 *   arrive in;
 */
import {
  replicationTargets,
  type ReplicationConfig,
  type ReplicationKind,
} from "../../../shared/replication/config.ts";
import { serializeRecord, type VersionRecord } from "../../../shared/types/version-record.ts";
import type { ReplicationTask } from "../../../shared/types/replication-rpc.ts";
import type { ReplicationLog } from "./log.ts";
import { leaseMs, releaseLease, takeLease, transferBytes } from "./lease.ts";
import { mayApplyReplicaLock } from "../object-lock.ts";
import { excludesOf, toStored, type BucketRow, type VersionRow } from "../schema.ts";
import { REPLICATION, REPLICATION_TARGETS, bucketColumn } from "../stored-formats.ts";
import { olderVersions } from "../version-order.ts";

export interface TargetRef {
  arn: string;
  sync: boolean;
}

export function configOf(row: BucketRow | null): ReplicationConfig | null {
  if (!row?.replication) return null;
  return REPLICATION.read(row.replication, bucketColumn(row.name, "replication"));
}

export function targetsOf(row: BucketRow | null): TargetRef[] {
  if (!row?.replication_targets) return [];
  return REPLICATION_TARGETS.read(
    row.replication_targets,
    bucketColumn(row.name, "replication_targets"),
  );
}

function excludedFromVersioning(row: BucketRow, key: string): boolean {
  const excludes = excludesOf(row);
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
 * True when the bucket already holds this replica (same version id, same
 * ETag, same kind): a replay after a lost acknowledgement or a second
 * transfer of the version, with nothing to store but newer metadata.
 */
export function holdsReplica(sql: SqlStorage, record: VersionRecord): boolean {
  const existing = sql
    .exec<{ etag: string; delete_marker: number }>(
      "SELECT etag, delete_marker FROM versions WHERE key = ? AND version_id = ?",
      record.key,
      record.versionId,
    )
    .toArray()[0];
  return (
    existing !== undefined &&
    existing.etag === record.etag &&
    (existing.delete_marker === 1) === record.deleteMarker
  );
}

/**
 * A replica of a version the bucket already holds: takes its tags,
 * retention and legal hold when they are newer (by metadata timestamp)
 * than the held version's. Returns the updated record, null when nothing
 * changed, or "AccessDenied" when object lock refuses the change (a
 * replica holds no right to release a hold or shorten retention).
 */
export function mergeReplicaMetadata(
  sql: SqlStorage,
  incoming: VersionRecord,
): VersionRecord | null | "AccessDenied" {
  if (incoming.deleteMarker) return null;
  const row = sql
    .exec<VersionRow>(
      "SELECT * FROM versions WHERE key = ? AND version_id = ?",
      incoming.key,
      incoming.versionId,
    )
    .toArray()[0];
  if (!row) return null;
  const current = toStored(row).record;
  if ((current.metadataTimestamp ?? 0) >= (incoming.metadataTimestamp ?? 0)) return null;
  const merged: VersionRecord = {
    ...current,
    tags: incoming.tags,
    retention: incoming.retention,
    legalHold: incoming.legalHold,
    metadataTimestamp: incoming.metadataTimestamp,
  };
  if (!mayApplyReplicaLock(current, merged, { bypassGovernance: false, releaseLegalHold: false }))
    return "AccessDenied";
  sql.exec(
    "UPDATE versions SET record = ? WHERE key = ? AND version_id = ?",
    serializeRecord(merged),
    merged.key,
    merged.versionId,
  );
  return merged;
}

/**
 * What the consumer needs to replicate one version to one target: the log
 * entry, the version (null for a version delete), and whether every older
 * version of the key already reached the target (a delete marker waits for
 * them).
 */

/**
 * The task for one log entry; null when there is nothing (left) to do.
 * With `owner`, the attempt's lease on the row is taken (lease.ts)
 * when there is something to send now; "leased" when another attempt holds
 * it live, so this one must skip.
 */
export function replicationTaskOf(
  sql: SqlStorage,
  log: ReplicationLog,
  config: ReplicationConfig | null,
  key: string,
  versionId: string,
  target: string,
  owner: string | null = null,
  now = Date.now(),
): ReplicationTask | "leased" | null {
  const op = log.op(key, versionId, target);
  const row = { key, versionId, target };
  if (!op || op.status === "COMPLETED") {
    if (op && owner) releaseLease(sql, row, owner);
    return null;
  }
  const storageClass =
    config?.rules.find((rule) => rule.destination === target)?.storageClass ?? null;
  if (op.kind === "delete") {
    if (owner && !takeLease(sql, row, owner, now, leaseMs(0))) return "leased";
    return { op, version: null, ready: true, storageClass };
  }
  const stored = sql
    .exec<VersionRow>("SELECT * FROM versions WHERE key = ? AND version_id = ?", key, versionId)
    .toArray()[0];
  if (!stored) {
    log.forget(key, versionId);
    return null;
  }
  const version = toStored(stored);
  const ready = !log.olderPending(key, target, olderVersions(sql, key, versionId));
  if (owner) {
    const { size, parts } = version.record;
    // A delete marker still waiting for older versions sends nothing: it holds no lease.
    if (!ready && version.record.deleteMarker) releaseLease(sql, row, owner);
    else if (!takeLease(sql, row, owner, now, leaseMs(transferBytes(size, parts.length))))
      return "leased";
  }
  return { op, version, ready, storageClass };
}
