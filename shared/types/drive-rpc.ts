/**
 * RPC types of the Drive Durable Object. Arguments are plain data and
 * Uint8Arrays; every call is ≤ 32 MiB serialized (the Worker batches
 * shard-blocks under that).
 */
export interface ShardBlockWrite {
  block: number;
  data: Uint8Array;
  checksum: string;
}

export interface WriteShardBlocks {
  dataDir: string;
  bucket: string;
  key: string;
  part: number;
  blocks: ShardBlockWrite[];
}

/** One block's read outcome: data that passed its bitrot check, or why not. */
export type ShardBlockRead =
  | { block: number; ok: true; data: Uint8Array }
  | { block: number; ok: false; reason: "missing" | "corrupt" };

export interface InlineShard {
  data: Uint8Array;
  checksum: string;
}

/** One drive's copy of a version record, as `putVersionCopy` takes it. */
export interface VersionCopyWrite {
  bucket: string;
  key: string;
  versionId: string;
  dataDir: string;
  record: string;
  inline: InlineShard | null;
  partDirs: string[];
}

export type InlineShardRead =
  { ok: true; data: Uint8Array; record: string } | { ok: false; reason: "missing" | "corrupt" };

export type DriveFault = "offline" | "online" | "wipe" | "corrupt";

export interface DriveUsage {
  online: boolean;
  usedBytes: number;
  shardBlocks: number;
  versions: number;
}

/** The message a drive's refusals carry, so callers can tell it from other failures. */
export const DRIVE_OFFLINE = "FLOE_DRIVE_OFFLINE";

/** One record copy as a namespace rebuild reads it (the inline shard verified here). */
export interface VersionCopyEntry {
  key: string;
  versionId: string;
  dataDir: string;
  record: string;
  /** The inline shard when it passed its bitrot check; null when there is none or it failed. */
  inlineShard: Uint8Array | null;
  /** True when the copy has an inline shard that failed its bitrot check. */
  inlineCorrupt: boolean;
}

/** Where a listing of record copies resumes: after every copy of this version. */
export type VersionCopyCursor = [key: string, versionId: string];
