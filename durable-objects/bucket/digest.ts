/**
 * Version digests for `replicate verify`: the versions under a prefix,
 * grouped by the next path segment (a "folder" `prefix/child/`, or a key
 * with no further `/`), each group summarised by its version count and the
 * SHA-256 of its versions' lines `key \n version id \n ETag \n size \n
 * delete-marker \n` in (key, version id) order. Two sites hold the same
 * versions under a group exactly when the digests agree, so a comparison
 * only descends into groups that differ.
 */
import { createHash, type Hash } from "node:crypto";

export interface DigestEntry {
  /** The folder (ending in `/`) or the key. */
  name: string;
  kind: "prefix" | "key";
  count: number;
  digest: string;
}

export interface VersionLine {
  versionId: string;
  etag: string;
  size: number;
  deleteMarker: boolean;
}

interface Row extends Record<string, SqlStorageValue> {
  key: string;
  version_id: string;
  etag: string;
  size: number;
  delete_marker: number;
}

export function digestUnder(sql: SqlStorage, prefix: string): DigestEntry[] {
  const rows = sql.exec<Row>(
    `SELECT key, version_id, etag, size, delete_marker FROM versions
     WHERE substr(key, 1, ?) = ? ORDER BY key, version_id`,
    prefix.length,
    prefix,
  );
  const entries: DigestEntry[] = [];
  let current: { entry: DigestEntry; hash: Hash } | null = null;
  const close = () => {
    if (current) {
      current.entry.digest = current.hash.digest("hex");
      entries.push(current.entry);
    }
  };
  for (const row of rows) {
    const rest = row.key.slice(prefix.length);
    const slash = rest.indexOf("/");
    const name = slash >= 0 ? prefix + rest.slice(0, slash + 1) : row.key;
    if (!current || current.entry.name !== name) {
      close();
      current = {
        entry: { name, kind: slash >= 0 ? "prefix" : "key", count: 0, digest: "" },
        hash: createHash("sha256"),
      };
    }
    current.entry.count++;
    current.hash.update(
      `${row.key}\n${row.version_id}\n${row.etag}\n${row.size}\n${row.delete_marker}\n`,
    );
  }
  close();
  return entries;
}

export function versionLines(sql: SqlStorage, key: string): VersionLine[] {
  return sql
    .exec<Row>(
      "SELECT key, version_id, etag, size, delete_marker FROM versions WHERE key = ? ORDER BY version_id",
      key,
    )
    .toArray()
    .map((row) => ({
      versionId: row.version_id,
      etag: row.etag,
      size: row.size,
      deleteMarker: row.delete_marker === 1,
    }));
}
