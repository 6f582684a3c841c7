/**
 * The streaming write path. The write state machine:
 *   1. read the body one erasure block at a time (bounded memory), feeding
 *      the MD5 ETag as it goes;
 *   2. encode each block into k+m shard-blocks with bitrot checksums and send
 *      them to the set's drives in batches, in parallel, with at most
 *      IN_FLIGHT batches outstanding (back-pressure);
 *   3. a drive that fails is dropped; when fewer than write-quorum drives are
 *      left, the write fails with 503 InsufficientWriteQuorum;
 *   4. each surviving drive stores its copy of the version record (this
 *      commits the data dir on the drive); at write quorum the coordinator
 *      commits the version, which makes it visible atomically.
 * Everything goes under a fresh data dir, so a failure at any step leaves the
 * previous version intact; the blocks of a failed write are removed (and a
 * drive's own sweep removes data dirs that were never committed).
 * Objects no larger than the inline threshold skip step 2: each drive's
 * shard rides in its record copy and the coordinator keeps the whole data.
 */
import { createHash } from "node:crypto";
import { bitrotSum } from "../../shared/bitrot.ts";
import type { FloeConfig } from "../../shared/config.ts";
import { createReedSolomon } from "../../shared/erasure/index.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import {
  serializeRecord,
  type StorageClass,
  type VersionRecord,
} from "../../shared/types/version-record.ts";
import { BlockReader } from "./block-reader.ts";
import { drivesOf, planErasure, quorumOf, shardOfDrive } from "./erasure-set.ts";
import { bucketStub, type DriveStub } from "./stubs.ts";

/** Blocks per drive RPC: keeps each call far below the 32 MiB RPC cap. */
const BLOCKS_PER_BATCH = 4;
/** Batches in flight per write: memory stays ≈ (IN_FLIGHT+1) × batch × (k+m)/k. */
const IN_FLIGHT = 2;

export interface WriteContext {
  env: Env;
  config: FloeConfig;
  deploymentId: string;
  waitUntil(promise: Promise<unknown>): void;
}

export interface ObjectWrite {
  bucket: string;
  key: string;
  versionId: string;
  body: ReadableStream<Uint8Array> | null;
  /** Declared payload length, when known; a body of another length fails with IncompleteBody. */
  expectedSize: number | null;
  storageClass: StorageClass;
  contentType?: string;
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
  checksums: Record<string, string>;
  /** Runs after the whole body was read, before anything is committed (Content-MD5, checksums). */
  verify?: (result: { md5: Uint8Array; size: number }) => Promise<void> | void;
}

interface DriveSlot {
  stub: DriveStub;
  shard: number;
  failed: boolean;
}

/** Writes one object version and commits it; returns the committed record. */
export async function writeObject(ctx: WriteContext, write: ObjectWrite): Promise<VersionRecord> {
  const { env, config } = ctx;
  const erasure = planErasure(
    config,
    ctx.deploymentId,
    write.bucket,
    write.key,
    write.storageClass,
  );
  const quorum = quorumOf(erasure);
  const codec = createReedSolomon(erasure.dataShards, erasure.parityShards);
  const shards = shardOfDrive(erasure);
  const slots: DriveSlot[] = drivesOf(env, erasure).map((stub, i) => ({
    stub,
    shard: shards[i],
    failed: false,
  }));
  const dataDir = crypto.randomUUID();
  const md5 = createHash("md5");
  const reader = new BlockReader(write.body, erasure.blockSize);
  const alive = () => slots.filter((slot) => !slot.failed);
  const assertQuorum = () => {
    if (alive().length < quorum.writeQuorum) throw new S3Error("InsufficientWriteQuorum");
  };

  let inlineData: Uint8Array | null = null;
  let inlineShards: Uint8Array[] | null = null;
  try {
    const first = await reader.next();
    const firstLength = first?.byteLength ?? 0;
    if (firstLength < erasure.blockSize && firstLength <= config.inlineThreshold) {
      inlineData = first ? first.slice() : new Uint8Array(0);
      md5.update(inlineData);
      inlineShards = codec.encodeBlock(inlineData);
    } else {
      await streamBlocks(first, reader, md5, codec, slots, write, dataDir, assertQuorum);
    }
    const size = reader.total;
    if (write.expectedSize !== null && size !== write.expectedSize) {
      throw new S3Error("IncompleteBody");
    }
    const digest = new Uint8Array(md5.digest());
    await write.verify?.({ md5: digest, size });

    const record: VersionRecord = {
      format: 1,
      bucket: write.bucket,
      key: write.key,
      versionId: write.versionId,
      dataDir,
      deleteMarker: false,
      mtime: Date.now(),
      size,
      etag: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
      contentType: write.contentType,
      headers: write.headers,
      userMetadata: write.userMetadata,
      checksums: write.checksums,
      storageClass: write.storageClass,
      erasure,
      parts: [{ number: 1, size, etag: "" }],
      inline: inlineData !== null,
    };
    const recordJson = serializeRecord(record);
    await Promise.all(
      alive().map(async (slot) => {
        const shard = inlineShards?.[slot.shard];
        const inline = shard ? { data: shard, checksum: bitrotSum(shard) } : null;
        try {
          await slot.stub.putVersionCopy(
            write.bucket,
            write.key,
            write.versionId,
            dataDir,
            recordJson,
            inline,
          );
        } catch {
          slot.failed = true;
        }
      }),
    );
    assertQuorum();
    const committed = await bucketStub(env, write.bucket).commitVersion({
      record,
      inlineData,
      acknowledgements: alive().length,
      writeQuorum: quorum.writeQuorum,
    });
    if (!committed.ok) throw new S3Error(committed.error);
    return record;
  } catch (error) {
    await reader.cancel(error);
    ctx.waitUntil(discardWrite(slots, write, dataDir));
    throw error;
  }
}

async function streamBlocks(
  first: Uint8Array | null,
  reader: BlockReader,
  md5: ReturnType<typeof createHash>,
  codec: ReturnType<typeof createReedSolomon>,
  slots: DriveSlot[],
  write: ObjectWrite,
  dataDir: string,
  assertQuorum: () => void,
): Promise<void> {
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
          return { block: from + i, data, checksum: bitrotSum(data) };
        });
        try {
          await slot.stub.writeShardBlocks({
            dataDir,
            bucket: write.bucket,
            key: write.key,
            part: 1,
            blocks,
          });
        } catch {
          slot.failed = true;
        }
      }),
    ).then(assertQuorum);
    // Awaited below; the no-op handler only keeps an early rejection from being reported as unhandled.
    sent.catch(() => undefined);
    inFlight.push(sent);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  };

  let block = first;
  while (block) {
    md5.update(block);
    batch.push(codec.encodeBlock(block));
    index++;
    if (batch.length >= BLOCKS_PER_BATCH) await flush();
    assertQuorum();
    block = await reader.next();
  }
  await flush();
  await Promise.all(inFlight);
}

/** Best-effort removal of a failed write's blocks and record copies. */
async function discardWrite(
  slots: DriveSlot[],
  write: ObjectWrite,
  dataDir: string,
): Promise<void> {
  await Promise.allSettled(
    slots.map((slot) => slot.stub.deleteVersion(write.bucket, write.key, write.versionId, dataDir)),
  );
}
