/**
 * Listing from the coordinator's index. Keys compare as UTF-8 bytes (SQLite's
 * BINARY collation), the order S3 lists in. A page walks the `objects` index
 * from the position after the marker, stopping at `maxKeys` entries (keys
 * plus common prefixes); with a delimiter, a key's common prefix is emitted
 * once and the scan jumps past every key under it, so a page costs the same
 * whatever the bucket holds.
 */
import { toStored, type VersionRow } from "./schema.ts";
import type {
  ListPage,
  ListRequest,
  StoredVersion,
  VersionListPage,
  VersionListRequest,
  VersionPage,
} from "../../shared/types/bucket-rpc.ts";

/** Sorts after every key that starts with the prefix it is appended to. */
const PREFIX_END = String.fromCodePoint(0x10ffff);
const SCAN_BATCH = 256;

interface IndexRow extends Record<string, SqlStorageValue> {
  key: string;
  etag: string;
  size: number;
  mtime: number;
  version_id: string;
  storage_class: string;
}

/** One page of the latest non-deleted versions. */
export function listObjects(sql: SqlStorage, request: ListRequest): ListPage {
  const { prefix, delimiter, maxKeys } = request;
  const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false, nextMarker: null };
  if (maxKeys <= 0) return page;
  let cursor = request.after > prefix ? request.after : prefix;
  let inclusive = request.after < prefix;
  // A marker that is itself a common prefix (a page ended on it) resumes after everything under it.
  if (delimiter && request.after.startsWith(prefix)) {
    const rest = request.after.slice(prefix.length);
    if (rest.indexOf(delimiter) === rest.length - delimiter.length && rest.length > 0) {
      cursor = request.after + PREFIX_END;
      inclusive = false;
    }
  }
  let last: string | null = null;
  for (;;) {
    const rows = sql
      .exec<IndexRow>(
        `SELECT o.key AS key, v.etag AS etag, v.size AS size, v.mtime AS mtime, v.version_id AS version_id,
                v.storage_class AS storage_class
         FROM objects o JOIN versions v ON v.key = o.key AND v.version_id = o.version_id
         WHERE o.delete_marker = 0 AND ${inclusive ? "o.key >= ?" : "o.key > ?"}
         ORDER BY o.key LIMIT ?`,
        cursor,
        SCAN_BATCH,
      )
      .toArray();
    if (rows.length === 0) return page;
    let jumped = false;
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) return page;
      const entriesSoFar = page.objects.length + page.commonPrefixes.length;
      const rest = row.key.slice(prefix.length);
      const at = delimiter ? rest.indexOf(delimiter) : -1;
      if (at >= 0) {
        const common = prefix + rest.slice(0, at + delimiter.length);
        if (common === last) continue;
        if (entriesSoFar >= maxKeys) {
          page.isTruncated = true;
          page.nextMarker = last;
          return page;
        }
        page.commonPrefixes.push(common);
        last = common;
        cursor = common + PREFIX_END;
        inclusive = false;
        jumped = true;
        break;
      }
      if (entriesSoFar >= maxKeys) {
        page.isTruncated = true;
        page.nextMarker = last;
        return page;
      }
      page.objects.push({
        key: row.key,
        etag: row.etag,
        size: row.size,
        mtime: row.mtime,
        storageClass: row.storage_class,
        versionId: row.version_id,
      });
      last = row.key;
      cursor = row.key;
      inclusive = false;
    }
    if (!jumped && rows.length < SCAN_BATCH) return page;
  }
}

interface VersionIndexRow extends IndexRow {
  seq: number;
  delete_marker: number;
  latest: string | null;
}

/**
 * One page of ListObjectVersions: keys ascending, each key's versions newest
 * first; a key marker resumes after that key, or, with a version id marker,
 * after that version of it.
 */
export function listVersions(sql: SqlStorage, request: VersionListRequest): VersionListPage {
  const { prefix, delimiter, maxKeys } = request;
  const page: VersionListPage = {
    versions: [],
    commonPrefixes: [],
    isTruncated: false,
    nextKeyMarker: null,
    nextVersionIdMarker: null,
  };
  if (maxKeys <= 0) return page;
  let key = request.keyMarker > prefix ? request.keyMarker : prefix;
  let inclusive = request.keyMarker < prefix;
  let seqBelow: number | null = null;
  if (request.keyMarker && request.versionIdMarker) {
    const marker = sql
      .exec<{ seq: number }>(
        "SELECT seq FROM versions WHERE key = ? AND version_id = ?",
        request.keyMarker,
        request.versionIdMarker,
      )
      .toArray()[0];
    if (marker) seqBelow = marker.seq;
  }
  let lastPrefix: string | null = null;
  for (;;) {
    const where =
      seqBelow !== null
        ? "(v.key = ? AND v.seq < ?) OR v.key > ?"
        : inclusive
          ? "v.key >= ?"
          : "v.key > ?";
    const params = seqBelow !== null ? [key, seqBelow, key] : [key];
    const rows = sql
      .exec<VersionIndexRow>(
        `SELECT v.key AS key, v.etag AS etag, v.size AS size, v.mtime AS mtime, v.version_id AS version_id,
                v.storage_class AS storage_class, v.seq AS seq, v.delete_marker AS delete_marker,
                o.version_id AS latest
         FROM versions v LEFT JOIN objects o ON o.key = v.key
         WHERE ${where}
         ORDER BY v.key, v.seq DESC LIMIT ?`,
        ...params,
        SCAN_BATCH,
      )
      .toArray();
    seqBelow = null;
    if (rows.length === 0) return page;
    let jumped = false;
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) return page;
      const rest = row.key.slice(prefix.length);
      const at = delimiter ? rest.indexOf(delimiter) : -1;
      const count = page.versions.length + page.commonPrefixes.length;
      if (at >= 0) {
        const common = prefix + rest.slice(0, at + delimiter.length);
        if (common === lastPrefix) continue;
        if (count >= maxKeys) {
          page.isTruncated = true;
          return page;
        }
        page.commonPrefixes.push(common);
        lastPrefix = common;
        page.nextKeyMarker = common;
        page.nextVersionIdMarker = null;
        key = common + PREFIX_END;
        inclusive = false;
        jumped = true;
        break;
      }
      if (count >= maxKeys) {
        page.isTruncated = true;
        return page;
      }
      page.versions.push({
        key: row.key,
        etag: row.etag,
        size: row.size,
        mtime: row.mtime,
        storageClass: row.storage_class,
        versionId: row.version_id,
        isLatest: row.latest === row.version_id,
        deleteMarker: row.delete_marker === 1,
      });
      page.nextKeyMarker = row.key;
      page.nextVersionIdMarker = row.version_id;
    }
    if (jumped) continue;
    if (rows.length < SCAN_BATCH) return page;
    const last = rows[rows.length - 1];
    key = last.key;
    seqBelow = last.seq;
  }
}

/** The latest version of `key` (null `versionId`), or the given version. */
export function findVersion(
  sql: SqlStorage,
  key: string,
  versionId: string | null,
): VersionRow | undefined {
  return versionId === null
    ? sql
        .exec<VersionRow>(
          `SELECT v.* FROM objects o JOIN versions v ON v.key = o.key AND v.version_id = o.version_id
           WHERE o.key = ?`,
          key,
        )
        .toArray()[0]
    : sql
        .exec<VersionRow>("SELECT * FROM versions WHERE key = ? AND version_id = ?", key, versionId)
        .toArray()[0];
}

/** A page of every version in (key, seq) order after `cursor`, for heal and scans. */
export function versionsPage(sql: SqlStorage, cursor: string | null, limit: number): VersionPage {
  const after = cursor ? (JSON.parse(cursor) as [string, number]) : ["", -1];
  const rows = sql
    .exec<VersionRow>(
      `SELECT * FROM versions WHERE (key > ?) OR (key = ? AND seq > ?)
       ORDER BY key, seq LIMIT ?`,
      after[0],
      after[0],
      after[1],
      limit,
    )
    .toArray();
  const last = rows[rows.length - 1];
  return {
    versions: rows.map(toStored),
    cursor: rows.length === limit && last ? JSON.stringify([last.key, last.seq]) : null,
  };
}

/** Every version of one key, oldest first. */
export function versionsOf(sql: SqlStorage, key: string): StoredVersion[] {
  return sql
    .exec<VersionRow>("SELECT * FROM versions WHERE key = ? ORDER BY seq", key)
    .toArray()
    .map(toStored);
}
