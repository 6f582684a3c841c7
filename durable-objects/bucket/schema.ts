import {
  LAG_MIGRATION,
  LEASE_MIGRATION,
  REPLICATION_MIGRATION,
  RESYNC_MIGRATION,
} from "./replication/schema.ts";
import type { ColumnAt } from "../stored-json.ts";
import { VERSION_RECORD, VERSIONING_EXCLUDES, bucketColumn } from "./stored-formats.ts";
import type { StoredVersion } from "../../shared/types/bucket-rpc.ts";

/**
 * Bucket coordinator schema. `versions` holds every version of every key
 * (with the authoritative version record and, for small objects, the data);
 * `objects` points at each key's latest version and is the listing index
 * (keys compare as UTF-8 bytes, SQLite's BINARY collation, as S3 orders
 * them); `gc_queue` and `heal_queue` carry durable background work to the
 * coordinator's alarm.
 */
export const BUCKET_MIGRATIONS: readonly string[] = [
  `CREATE TABLE bucket (
     name TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     owner TEXT NOT NULL,
     versioning TEXT NOT NULL DEFAULT '',
     next_seq INTEGER NOT NULL DEFAULT 1,
     tags TEXT,
     versioning_excludes TEXT,
     object_lock TEXT,
     lifecycle TEXT,
     lifecycle_cursor TEXT
   );
   CREATE TABLE versions (
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     delete_marker INTEGER NOT NULL,
     mtime INTEGER NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     storage_class TEXT NOT NULL,
     data_dir TEXT NOT NULL,
     record TEXT NOT NULL,
     inline_data BLOB,
     PRIMARY KEY (key, version_id)
   );
   CREATE INDEX versions_by_seq ON versions (key, seq);
   CREATE TABLE objects (
     key TEXT PRIMARY KEY,
     version_id TEXT NOT NULL,
     delete_marker INTEGER NOT NULL
   );
   CREATE INDEX objects_visible ON objects (key) WHERE delete_marker = 0;
   CREATE TABLE gc_queue (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     data_dir TEXT NOT NULL,
     part_dirs TEXT NOT NULL,
     erasure TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     due INTEGER NOT NULL
   );
   CREATE TABLE uploads (
     upload_id TEXT PRIMARY KEY,
     key TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     attributes TEXT NOT NULL,
     erasure TEXT NOT NULL
   );
   CREATE INDEX uploads_by_key ON uploads (key, created_at);
   CREATE TABLE upload_parts (
     upload_id TEXT NOT NULL,
     part_number INTEGER NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     data_dir TEXT NOT NULL,
     checksums TEXT NOT NULL,
     mtime INTEGER NOT NULL,
     PRIMARY KEY (upload_id, part_number)
   );
   CREATE TABLE heal_queue (
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     due INTEGER NOT NULL,
     PRIMARY KEY (key, version_id)
   );`,
  `ALTER TABLE bucket ADD COLUMN policy TEXT;`,
  REPLICATION_MIGRATION,
  RESYNC_MIGRATION,
  // A multipart transfer in progress to a target: { uploadId, parts: { number: etag } }.
  `ALTER TABLE replication_log ADD COLUMN upload TEXT;`,
  // Columns that track the drives' copies of the configuration and restores (restore.ts).
  `ALTER TABLE bucket ADD COLUMN config_version INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE bucket ADD COLUMN config_pushed INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE bucket ADD COLUMN rebuilding INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE bucket ADD COLUMN rebuild_cursor TEXT;`,
  // The replicated-state generation of a row (replication/log.ts).
  `ALTER TABLE replication_log ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;`,
  LAG_MIGRATION,
  LEASE_MIGRATION,
];

export interface VersionRow extends Record<string, SqlStorageValue> {
  key: string;
  version_id: string;
  seq: number;
  delete_marker: number;
  mtime: number;
  size: number;
  etag: string;
  storage_class: string;
  data_dir: string;
  record: string;
  inline_data: ArrayBuffer | null;
}

export interface BucketRow extends Record<string, SqlStorageValue> {
  name: string;
  created_at: number;
  owner: string;
  versioning: string;
  next_seq: number;
  tags: string | null;
  versioning_excludes: string | null;
  object_lock: string | null;
  lifecycle: string | null;
  lifecycle_cursor: string | null;
  policy: string | null;
  replication: string | null;
  replication_targets: string | null;
  config_version: number;
  config_pushed: number;
  rebuilding: number;
  rebuild_cursor: string | null;
}

export interface GcRow extends Record<string, SqlStorageValue> {
  id: number;
  key: string;
  version_id: string;
  data_dir: string;
  part_dirs: string;
  erasure: string;
  attempts: number;
}

export interface UploadRow extends Record<string, SqlStorageValue> {
  upload_id: string;
  key: string;
  created_at: number;
  attributes: string;
  erasure: string;
}

export interface PartRow extends Record<string, SqlStorageValue> {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  data_dir: string;
  checksums: string;
  mtime: number;
}

/** Where a column of a version row was read from. */
export function versionAt(key: string, versionId: string, column: string): ColumnAt {
  return { table: "versions", key: `${key} ${versionId}`, column };
}

/** A version row as the record and inline data it holds. */
export function toStored(row: VersionRow): StoredVersion {
  return {
    record: VERSION_RECORD.read(row.record, versionAt(row.key, row.version_id, "record")),
    inlineData: row.inline_data ? new Uint8Array(row.inline_data) : null,
  };
}

/** MinIO's versioning exclusions of a bucket row. */
export function excludesOf(row: BucketRow): {
  excludedPrefixes: string[];
  excludeFolders: boolean;
} {
  if (!row.versioning_excludes) return { excludedPrefixes: [], excludeFolders: false };
  return VERSIONING_EXCLUDES.read(
    row.versioning_excludes,
    bucketColumn(row.name, "versioning_excludes"),
  );
}
