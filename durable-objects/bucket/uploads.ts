/**
 * Multipart uploads in the coordinator. An upload records the key, the
 * version attributes and the erasure layout chosen at creation; each
 * uploaded part records its size, MD5 and the data dir its blocks went to.
 * Re-uploading a part number replaces it (the old blocks are collected).
 * Completing or aborting removes the upload; parts the completion does not
 * use are collected. Listing uploads orders by key, then creation.
 */
import type { ErasureInfo } from "../../shared/types/version-record.ts";
import { ERASURE, PART_CHECKSUMS } from "./stored-formats.ts";
import type { PartRow, UploadRow } from "./schema.ts";
import type {
  CommitRequest,
  CommitResult,
  UploadedPart,
  UploadInfo,
  UploadListRequest,
  UploadListing,
} from "../../shared/types/bucket-rpc.ts";
import type { CoordinatorState } from "./coordinator-state.ts";
import { commitVersion } from "./versions.ts";

export function toUpload(row: UploadRow): UploadInfo {
  return {
    uploadId: row.upload_id,
    key: row.key,
    createdAt: row.created_at,
    attributes: row.attributes,
    erasure: ERASURE.read(row.erasure, { table: "uploads", key: row.upload_id, column: "erasure" }),
  };
}

export function toPart(row: PartRow): UploadedPart {
  return {
    number: row.part_number,
    size: row.size,
    etag: row.etag,
    dataDir: row.data_dir,
    checksums: PART_CHECKSUMS.read(row.checksums, {
      table: "upload_parts",
      key: `${row.upload_id} ${row.part_number}`,
      column: "checksums",
    }),
    mtime: row.mtime,
  };
}

export function findUpload(sql: SqlStorage, uploadId: string): UploadInfo | null {
  const row = sql
    .exec<UploadRow>("SELECT * FROM uploads WHERE upload_id = ?", uploadId)
    .toArray()[0];
  return row ? toUpload(row) : null;
}

export function partsOf(
  sql: SqlStorage,
  uploadId: string,
  after = 0,
  limit = 10_000,
): UploadedPart[] {
  return sql
    .exec<PartRow>(
      "SELECT * FROM upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
      uploadId,
      after,
      limit,
    )
    .toArray()
    .map(toPart);
}

/** Stores a part; returns the data dir of the part it replaced, if any. */
export function storePart(sql: SqlStorage, uploadId: string, part: UploadedPart): string | null {
  const previous = sql
    .exec<{ data_dir: string }>(
      "SELECT data_dir FROM upload_parts WHERE upload_id = ? AND part_number = ?",
      uploadId,
      part.number,
    )
    .toArray()[0];
  sql.exec(
    `INSERT OR REPLACE INTO upload_parts (upload_id, part_number, size, etag, data_dir, checksums, mtime)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    uploadId,
    part.number,
    part.size,
    part.etag,
    part.dataDir,
    JSON.stringify(part.checksums),
    part.mtime,
  );
  return previous && previous.data_dir !== part.dataDir ? previous.data_dir : null;
}

/** Removes an upload; returns the data dirs of its parts. */
export function dropUpload(sql: SqlStorage, uploadId: string): string[] {
  const dirs = sql
    .exec<{ data_dir: string }>("SELECT data_dir FROM upload_parts WHERE upload_id = ?", uploadId)
    .toArray()
    .map((row) => row.data_dir);
  sql.exec("DELETE FROM upload_parts WHERE upload_id = ?", uploadId);
  sql.exec("DELETE FROM uploads WHERE upload_id = ?", uploadId);
  return dirs;
}

/** One page of uploads in progress (ListMultipartUploads). */
export function listUploads(sql: SqlStorage, request: UploadListRequest): UploadListing {
  const { prefix, delimiter, maxUploads } = request;
  const rows = sql
    .exec<UploadRow>(
      `SELECT * FROM uploads
       WHERE substr(key, 1, length(?)) = ? AND (key > ? OR (key = ? AND upload_id > ?))
       ORDER BY key, created_at, upload_id LIMIT ?`,
      prefix,
      prefix,
      request.keyMarker,
      request.keyMarker,
      request.uploadIdMarker,
      maxUploads * 4 + 1,
    )
    .toArray();
  const listing: UploadListing = {
    uploads: [],
    commonPrefixes: [],
    isTruncated: false,
    nextKeyMarker: null,
    nextUploadIdMarker: null,
  };
  for (const row of rows) {
    if (listing.uploads.length + listing.commonPrefixes.length >= maxUploads) {
      listing.isTruncated = true;
      break;
    }
    const rest = row.key.slice(prefix.length);
    const at = delimiter ? rest.indexOf(delimiter) : -1;
    if (at >= 0) {
      const common = prefix + rest.slice(0, at + delimiter.length);
      if (!listing.commonPrefixes.includes(common)) listing.commonPrefixes.push(common);
      listing.nextKeyMarker = common;
      continue;
    }
    listing.uploads.push(toUpload(row));
    listing.nextKeyMarker = row.key;
    listing.nextUploadIdMarker = row.upload_id;
  }
  return listing;
}

/** Starts a multipart upload; returns its id. */
export async function createUpload(
  s: CoordinatorState,
  key: string,
  attributes: string,
  erasure: ErasureInfo,
): Promise<string | null> {
  if (!s.bucketRow()) return null;
  const uploadId = crypto.randomUUID();
  s.sql.exec(
    "INSERT INTO uploads (upload_id, key, created_at, attributes, erasure) VALUES (?, ?, ?, ?, ?)",
    uploadId,
    key,
    Date.now(),
    attributes,
    JSON.stringify(erasure),
  );
  return uploadId;
}

/** Records an uploaded part (replacing one of the same number). False when the upload is gone. */
export async function putPart(
  s: CoordinatorState,
  uploadId: string,
  part: UploadedPart,
): Promise<boolean> {
  const upload = findUpload(s.sql, uploadId);
  if (!upload) return false;
  const replaced = storePart(s.sql, uploadId, part);
  if (replaced) s.background.queueDirs([replaced], upload.erasure);
  return true;
}

/** Parts of an upload after `after`, at most `limit`. */
export async function listParts(
  s: CoordinatorState,
  uploadId: string,
  after: number,
  limit: number,
): Promise<UploadedPart[] | null> {
  if (!findUpload(s.sql, uploadId)) return null;
  return partsOf(s.sql, uploadId, after, limit);
}

/**
 * Completes an upload: commits `record` (whose parts must be the upload's
 * current parts) and drops the upload; unused parts are collected.
 */
export async function completeUpload(
  s: CoordinatorState,
  uploadId: string,
  request: CommitRequest,
): Promise<CommitResult | { ok: false; error: "NoSuchUpload" | "InvalidPart" }> {
  const upload = findUpload(s.sql, uploadId);
  if (!upload) return { ok: false, error: "NoSuchUpload" };
  const current = new Map(partsOf(s.sql, uploadId).map((part) => [part.number, part.dataDir]));
  for (const part of request.record.parts) {
    if (current.get(part.number) !== part.dataDir) return { ok: false, error: "InvalidPart" };
  }
  const result = await commitVersion(s, request);
  if (!result.ok) return result;
  const used = new Set(request.record.parts.map((part) => part.dataDir));
  const unused = dropUpload(s.sql, uploadId).filter((dir) => !used.has(dir));
  if (unused.length > 0) s.background.queueDirs(unused, upload.erasure);
  return result;
}

/** Aborts an upload and collects its parts. False when it does not exist. */
export async function abortUpload(s: CoordinatorState, uploadId: string): Promise<boolean> {
  const upload = findUpload(s.sql, uploadId);
  if (!upload) return false;
  const dirs = dropUpload(s.sql, uploadId);
  if (dirs.length > 0) s.background.queueDirs(dirs, upload.erasure);
  return true;
}
