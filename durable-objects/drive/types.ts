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
