/**
 * Streams one part's bytes onto an erasure set: the body is read one
 * erasure block at a time (bounded memory) feeding the MD5 (and any checksum
 * hashers), each block is encoded into k+m shard-blocks with bitrot
 * checksums and sent to the set's drives in batches, all drives in parallel,
 * with at most IN_FLIGHT batches outstanding (back-pressure). A drive that
 * fails is dropped; below write quorum the write fails with 503
 * InsufficientWriteQuorum. When `inlineThreshold` allows and the whole body
 * fits, nothing is sent: the data comes back to be stored inline.
 */
import { createHash } from "node:crypto";
import { sealShard } from "../../../shared/bitrot.ts";
import { createReedSolomon, type ReedSolomon } from "../../../shared/erasure/index.ts";
import { S3Error } from "../../../shared/s3-errors.ts";
import type { ErasureInfo } from "../../../shared/types/version-record.ts";
import { BlockReader } from "./block-reader.ts";
import { drivesOf, quorumOf, shardOfDrive } from "./erasure-set.ts";
import type { DriveStub } from "../stubs.ts";

/** Blocks per drive RPC: keeps each call far below the 32 MiB RPC cap. */
const BLOCKS_PER_BATCH = 4;
/** Batches in flight per write: memory stays ≈ (IN_FLIGHT + 1) × batch × (k+m)/k. */
const IN_FLIGHT = 2;

/** One drive of the set during a write. */
export interface DriveSlot {
  stub: DriveStub;
  /** The shard index this drive holds for the object. */
  shard: number;
  failed: boolean;
}

/** The drives of a set for one write, with their shard indexes. */
export function writeSlots(env: Env, erasure: ErasureInfo): DriveSlot[] {
  const shards = shardOfDrive(erasure);
  return drivesOf(env, erasure).map((stub, i) => ({ stub, shard: shards[i], failed: false }));
}

/** Throws InsufficientWriteQuorum when too few drives are left. */
export function assertWriteQuorum(slots: DriveSlot[], erasure: ErasureInfo): void {
  const alive = slots.filter((slot) => !slot.failed).length;
  if (alive < quorumOf(erasure).writeQuorum) throw new S3Error("InsufficientWriteQuorum");
}

export interface BlockWrite {
  erasure: ErasureInfo;
  slots: DriveSlot[];
  bucket: string;
  key: string;
  dataDir: string;
  part: number;
  body: ReadableStream<Uint8Array> | null;
  /** The body's declared length, when known: the caller fails the write when it differs. */
  expectedSize: number | null;
  /** Objects up to this many bytes come back inline instead of being sent (0: never). */
  inlineThreshold: number;
  /** Extra hashers fed with every byte (checksums). */
  hashers?: { update(data: Uint8Array): void }[];
}

export interface WrittenBlocks {
  size: number;
  md5: Uint8Array;
  /** The whole data and its shards, when it was small enough to inline. */
  inline: { data: Uint8Array; shards: Uint8Array[] } | null;
}

/** Writes a part's blocks to the set's drives (or returns it for inlining). */
export async function writeBlocks(write: BlockWrite): Promise<WrittenBlocks> {
  const { erasure } = write;
  const codec = createReedSolomon(erasure.dataShards, erasure.parityShards);
  const reader = new BlockReader(write.body, erasure.blockSize, write.expectedSize);
  const md5 = createHash("md5");
  const feed = (data: Uint8Array) => {
    md5.update(data);
    for (const hasher of write.hashers ?? []) hasher.update(data);
  };
  try {
    const first = await reader.next();
    const firstLength = first?.byteLength ?? 0;
    if (firstLength < erasure.blockSize && firstLength <= write.inlineThreshold) {
      const data = first ? first.slice() : new Uint8Array(0);
      feed(data);
      return {
        size: data.byteLength,
        md5: new Uint8Array(md5.digest()),
        inline: { data, shards: codec.encodeBlock(data) },
      };
    }
    await streamBlocks(first, reader, feed, codec, write);
    return { size: reader.total, md5: new Uint8Array(md5.digest()), inline: null };
  } catch (error) {
    await reader.cancel(error);
    throw error;
  }
}

async function streamBlocks(
  first: Uint8Array | null,
  reader: BlockReader,
  feed: (data: Uint8Array) => void,
  codec: ReedSolomon,
  write: BlockWrite,
): Promise<void> {
  const { slots, erasure } = write;
  const inFlight: Promise<void>[] = [];
  let batch: Uint8Array[][] = [];
  let batchStart = 0;
  let index = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const encoded = batch;
    const from = batchStart;
    batch = [];
    batchStart = index;
    const sent = Promise.all(
      slots.map(async (slot) => {
        if (slot.failed) return;
        const blocks = encoded.map((shardsOfBlock, i) => {
          const data = shardsOfBlock[slot.shard];
          return { block: from + i, ...sealShard(data) };
        });
        try {
          await slot.stub.writeShardBlocks({
            dataDir: write.dataDir,
            bucket: write.bucket,
            key: write.key,
            part: write.part,
            blocks,
          });
        } catch {
          slot.failed = true;
        }
      }),
    ).then(() => assertWriteQuorum(slots, erasure));
    // Awaited below; this only keeps an early rejection from counting as unhandled.
    sent.catch(() => undefined);
    inFlight.push(sent);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  };

  let block = first;
  while (block) {
    feed(block);
    batch.push(codec.encodeBlock(block));
    index++;
    if (batch.length >= BLOCKS_PER_BATCH) await flush();
    assertWriteQuorum(slots, erasure);
    block = await reader.next();
  }
  await flush();
  await Promise.all(inFlight);
}

/** Hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
