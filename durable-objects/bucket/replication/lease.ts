/**
 * Attempt leases on replication log rows: at most one attempt at a time
 * sends a version (or its multipart parts) to a target.
 *
 * Rules:
 * - An attempt names itself (an owner id) when it asks the coordinator for
 *   its task; the coordinator takes the row's lease for it (owner + expiry)
 *   in the same synchronous step that reads the row, so two attempts can
 *   never both hold it.
 * - A second attempt while the lease is live gets nothing to do: it skips,
 *   and the row remembers it was contended. The row is then due no earlier
 *   than the lease's end, so the scanner looks again once it has lapsed.
 * - The holder's outcome releases the lease. A failure of a contended row
 *   (or an outcome for an older generation) wakes the row again, since the
 *   wake-up that was turned away counted on the holder.
 * - A lease lapses at its expiry: an attempt that died (its invocation
 *   ended, its isolate crashed) holds nothing after that, and the next
 *   attempt takes it over. A multipart transfer renews its lease with each
 *   part the target acknowledges. A holder whose lease was taken over
 *   still reports its outcome (the row's generation decides what it is
 *   worth) but releases nothing.
 * - The lease lasts LEASE_BASE_MS plus the time one transfer (a whole
 *   version, or one part) needs at LEASE_FLOOR_BYTES_PER_S, at most
 *   LEASE_MAX_MS (a Queue consumer's wall-clock limit): long enough that a
 *   live attempt keeps it, short enough that a dead one delays little.
 *
 * The log stays the truth: a lease only keeps attempts apart; whatever a
 * lapsed or lost attempt left PENDING is still found by the scanner.
 */

import type { DrainCursor, DrainRow } from "../../../shared/types/replication-rpc.ts";

export type { DrainCursor, DrainRow };

export const LEASE_BASE_MS = 30_000;
export const LEASE_MAX_MS = 15 * 60_000;
const LEASE_FLOOR_BYTES_PER_S = 1024 * 1024;

/** How long one attempt's lease lasts for a transfer of `bytes` (a version, or one of its parts). */
export function leaseMs(bytes: number): number {
  return Math.min(
    LEASE_MAX_MS,
    LEASE_BASE_MS + Math.ceil((bytes / LEASE_FLOOR_BYTES_PER_S) * 1000),
  );
}

/** The bytes one transfer of a version moves at most: the version, or one part of it. */
export function transferBytes(size: number, parts: number): number {
  return parts > 1 ? Math.ceil(size / parts) : size;
}

interface LeaseRow extends Record<string, SqlStorageValue> {
  lease_owner: string | null;
  lease_until: number;
}

const ROW = "key = ? AND version_id = ? AND target = ?";

/**
 * Takes (or renews, for its own holder) the lease of one row; false when
 * another attempt holds it live (the row is then marked contended).
 */
export function takeLease(
  sql: SqlStorage,
  row: { key: string; versionId: string; target: string },
  owner: string,
  now: number,
  ms: number,
): boolean {
  const held = sql
    .exec<LeaseRow>(
      `SELECT lease_owner, lease_until FROM replication_log WHERE ${ROW}`,
      row.key,
      row.versionId,
      row.target,
    )
    .toArray()[0];
  if (!held) return false;
  if (held.lease_owner !== null && held.lease_owner !== owner && held.lease_until > now) {
    sql.exec(
      `UPDATE replication_log SET lease_contended = 1, due = MAX(due, lease_until) WHERE ${ROW}`,
      row.key,
      row.versionId,
      row.target,
    );
    return false;
  }
  // A new holder (not a renewal) starts with nobody turned away yet.
  sql.exec(
    `UPDATE replication_log SET lease_owner = ?, lease_until = ?,
       lease_contended = CASE WHEN lease_owner = ? THEN lease_contended ELSE 0 END
     WHERE ${ROW}`,
    owner,
    now + ms,
    owner,
    row.key,
    row.versionId,
    row.target,
  );
  return true;
}

/** Renews a lease its holder still has (a multipart part was acknowledged); false otherwise. */
export function renewLease(
  sql: SqlStorage,
  row: { key: string; versionId: string; target: string },
  owner: string,
  now: number,
  ms: number,
): boolean {
  const cursor = sql.exec(
    `UPDATE replication_log SET lease_until = ? WHERE ${ROW} AND lease_owner = ?`,
    now + ms,
    row.key,
    row.versionId,
    row.target,
    owner,
  );
  return cursor.rowsWritten > 0;
}

/**
 * Releases the lease if `owner` holds it (the row may be gone already).
 * Returns whether another attempt was turned away meanwhile; false when
 * `owner` no longer held it.
 */
export function releaseLease(
  sql: SqlStorage,
  row: { key: string; versionId: string; target: string },
  owner: string,
): { contended: boolean } {
  const held = sql
    .exec<LeaseRow & { lease_contended: number }>(
      `SELECT lease_owner, lease_until, lease_contended FROM replication_log WHERE ${ROW}`,
      row.key,
      row.versionId,
      row.target,
    )
    .toArray()[0];
  if (!held || held.lease_owner !== owner) return { contended: false };
  sql.exec(
    `UPDATE replication_log SET lease_owner = NULL, lease_until = 0, lease_contended = 0
     WHERE ${ROW}`,
    row.key,
    row.versionId,
    row.target,
  );
  return { contended: held.lease_contended === 1 };
}

/**
 * Up to `limit` rows of `target` a drain may attempt now, changes made by
 * writes (objects, metadata, delete markers, version deletes) that await
 * their first attempt (new, or FAILED ones requeued afresh when their
 * target came back online) or whose retry backoff has passed, oldest change
 * first after `after`, that no live lease holds; each is leased to `owner`
 * before it is returned, so concurrent drains (other consumer invocations)
 * never get the same row.
 */
export function leaseDrainable(
  sql: SqlStorage,
  target: string,
  owner: string,
  after: DrainCursor | null,
  limit: number,
  now: number,
  lease: (size: number) => number,
): DrainRow[] {
  const rows = sql
    .exec<{ key: string; version_id: string; created_at: number; size: number; attempts: number }>(
      `SELECT key, version_id, created_at, size, attempts FROM replication_log
       WHERE target = ? AND status IN ('PENDING', 'FAILED')
         AND (attempts = 0 OR due <= ?)
         AND kind IN ('object', 'metadata', 'delete-marker', 'delete')
         AND (lease_owner IS NULL OR lease_until <= ?)
         AND (created_at > ? OR (created_at = ? AND (key > ? OR (key = ? AND version_id > ?))))
       ORDER BY created_at, key, version_id LIMIT ?`,
      target,
      now,
      now,
      after?.createdAt ?? -1,
      after?.createdAt ?? -1,
      after?.key ?? "",
      after?.key ?? "",
      after?.versionId ?? "",
      limit,
    )
    .toArray();
  for (const row of rows)
    sql.exec(
      `UPDATE replication_log SET lease_owner = ?, lease_until = ?, lease_contended = 0 WHERE ${ROW}`,
      owner,
      now + lease(row.size),
      row.key,
      row.version_id,
      target,
    );
  return rows.map((row) => ({
    key: row.key,
    versionId: row.version_id,
    createdAt: row.created_at,
    attempts: row.attempts,
  }));
}
