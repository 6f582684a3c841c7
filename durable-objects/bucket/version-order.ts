/**
 * The order of a key's versions, newest last by `seq`. A local write is the
 * key's newest version unless another version has a later mtime (only a
 * replica from a site whose clock runs ahead can). A replica takes its place
 * by (mtime, version id), so sites that exchange versions in any order end
 * up with the same order, and so the same latest version: the key's seqs
 * are renumbered when a replica lands between existing versions.
 */
import { serializeRecord, type VersionRecord } from "../../shared/types/version-record.ts";
import type { CommitRequest } from "../../shared/types/bucket-rpc.ts";

interface OrderRow extends Record<string, SqlStorageValue> {
  version_id: string;
  seq: number;
  mtime: number;
}

const after = (a: { mtime: number; id: string }, b: { mtime: number; id: string }) =>
  a.mtime > b.mtime || (a.mtime === b.mtime && a.id > b.id);

/**
 * The seq for a version about to be stored (other versions of the key are
 * renumbered in place when it lands between them). `nextSeq` is the
 * bucket's counter, which the caller then advances.
 */
export function seqFor(
  sql: SqlStorage,
  key: string,
  versionId: string,
  mtime: number,
  nextSeq: number,
  replica: boolean,
): number {
  const others = sql
    .exec<OrderRow>(
      "SELECT version_id, seq, mtime FROM versions WHERE key = ? AND version_id != ? ORDER BY seq",
      key,
      versionId,
    )
    .toArray();
  const incoming = { mtime, id: versionId };
  const isLater = (row: OrderRow) =>
    replica ? after({ mtime: row.mtime, id: row.version_id }, incoming) : row.mtime > mtime;
  // Keep the existing order; the new version goes after the last one not later than it.
  let position = 0;
  others.forEach((row, index) => {
    if (!isLater(row)) position = index + 1;
  });
  if (position === others.length) return nextSeq;
  const seqs = [...others.map((row) => row.seq), nextSeq].sort((a, b) => a - b);
  const order = [...others.map((row) => row.version_id)];
  order.splice(position, 0, versionId);
  let assigned = nextSeq;
  order.forEach((id, index) => {
    if (id === versionId) assigned = seqs[index];
    else
      sql.exec(
        "UPDATE versions SET seq = ? WHERE key = ? AND version_id = ?",
        seqs[index],
        key,
        id,
      );
  });
  return assigned;
}

/** Version ids of the key older than `versionId`. */
export function olderVersions(sql: SqlStorage, key: string, versionId: string): string[] {
  return sql
    .exec<{ version_id: string }>(
      `SELECT version_id FROM versions WHERE key = ? AND seq < (
         SELECT seq FROM versions WHERE key = ? AND version_id = ?)`,
      key,
      key,
      versionId,
    )
    .toArray()
    .map((row) => row.version_id);
}

/** Writes a version's row at `seq` (replacing one of the same key and id). */
export function insertVersionRow(
  sql: SqlStorage,
  record: VersionRecord,
  seq: number,
  inlineData: Uint8Array | null,
): void {
  sql.exec(
    `INSERT OR REPLACE INTO versions
       (key, version_id, seq, delete_marker, mtime, size, etag, storage_class, data_dir, record, inline_data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    record.key,
    record.versionId,
    seq,
    record.deleteMarker ? 1 : 0,
    record.mtime,
    record.size,
    record.etag,
    record.storageClass,
    record.dataDir,
    serializeRecord(record),
    inlineData,
  );
}

/** Points the listing index at the key's newest version (or drops the key when none is left). */
export function repointLatest(sql: SqlStorage, key: string): void {
  const latest = sql
    .exec<{ version_id: string; delete_marker: number }>(
      "SELECT version_id, delete_marker FROM versions WHERE key = ? ORDER BY seq DESC LIMIT 1",
      key,
    )
    .toArray()[0];
  if (!latest) sql.exec("DELETE FROM objects WHERE key = ?", key);
  else {
    sql.exec(
      "INSERT OR REPLACE INTO objects (key, version_id, delete_marker) VALUES (?, ?, ?)",
      key,
      latest.version_id,
      latest.delete_marker,
    );
  }
}

/** Why a conditional write (If-None-Match: * / If-Match) fails against the key's current version, or null. */
export function conditionFailure(
  sql: SqlStorage,
  key: string,
  condition: CommitRequest["condition"],
): "PreconditionFailed" | "NoSuchKey" | null {
  if (!condition) return null;
  const current = sql
    .exec<{ etag: string }>(
      `SELECT v.etag AS etag FROM objects o JOIN versions v ON v.key = o.key AND v.version_id = o.version_id
       WHERE o.key = ? AND o.delete_marker = 0`,
      key,
    )
    .toArray()[0];
  if ("ifNoneMatch" in condition) return current ? "PreconditionFailed" : null;
  if (!current) return "NoSuchKey";
  return current.etag === condition.ifMatch ? null : "PreconditionFailed";
}
