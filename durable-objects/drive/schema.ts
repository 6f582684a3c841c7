/**
 * Drive schema. A drive stores shard-blocks (one row per erasure block of a
 * data dir, each ≤ 2 MB with its bitrot checksum), its copy of each version
 * record (with its inline shard for small objects), its copy of each bucket's
 * configuration, the data dirs it has seen (for garbage collection of
 * interrupted writes), and its fault state. Version and bucket copies are
 * what a lost coordinator is rebuilt from.
 */
export const DRIVE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE shard_blocks (
     data_dir TEXT NOT NULL,
     part INTEGER NOT NULL,
     block INTEGER NOT NULL,
     checksum TEXT NOT NULL,
     data BLOB NOT NULL
   );
   CREATE UNIQUE INDEX shard_blocks_address ON shard_blocks (data_dir, part, block);
   CREATE TABLE data_dirs (
     data_dir TEXT PRIMARY KEY,
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     committed INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE version_copies (
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     data_dir TEXT NOT NULL,
     record TEXT NOT NULL,
     inline_shard BLOB,
     inline_checksum TEXT,
     PRIMARY KEY (bucket, key, version_id, data_dir)
   );
   CREATE TABLE drive_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // The drive's copy of each bucket's configuration, newest `version` wins.
  `CREATE TABLE bucket_copies (
     bucket TEXT PRIMARY KEY,
     version INTEGER NOT NULL,
     config TEXT NOT NULL
   );`,
];

export interface ShardBlockRow extends Record<string, SqlStorageValue> {
  block: number;
  checksum: string;
  data: ArrayBuffer;
}

export interface VersionCopyRow extends Record<string, SqlStorageValue> {
  bucket: string;
  key: string;
  version_id: string;
  data_dir: string;
  record: string;
  inline_shard: ArrayBuffer | null;
  inline_checksum: string | null;
}
