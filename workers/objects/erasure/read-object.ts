/**
 * The read path. Inline objects come straight from the coordinator's record.
 * Otherwise the blocks covering the requested range are read in batches:
 * first from the k drives holding data shards (no decoding needed when all
 * are good), and only when one is offline, missing a block or fails its
 * bitrot check, from parity drives too, reconstructing what is missing.
 * Damage schedules a heal of the object. A block that cannot gather k good
 * shards fails the read with 503 InsufficientReadQuorum; the first batch is
 * read before the response starts, so that error reaches the client as S3 XML.
 */
import { createReedSolomon, type ReedSolomon } from "../../../shared/erasure/index.ts";
import { S3Error } from "../../../shared/s3-errors.ts";
import type { ErasureInfo, PartInfo, VersionRecord } from "../../../shared/types/version-record.ts";
import type { StoredVersion } from "../../../shared/types/bucket-rpc.ts";
import type { ShardBlockRead } from "../../../shared/types/drive-rpc.ts";
import { drivesOf } from "./erasure-set.ts";
import type { DriveStub } from "../stubs.ts";

/** Blocks fetched per drive call. */
const BLOCKS_PER_READ = 4;

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface ReadHooks {
  /** Called once when a read saw a missing or corrupt shard. */
  onDamage(): void;
}

interface Batch {
  fetcher: BlockFetcher;
  from: number;
  count: number;
  /** Object offset of block `from`. */
  offset: number;
}

/** The block batches covering [start, end], part by part. */
function* batches(
  env: Env,
  record: VersionRecord,
  start: number,
  end: number,
  hooks: ReadHooks,
): Generator<Batch> {
  const blockSize = record.erasure.blockSize;
  let partOffset = 0;
  for (const part of record.parts) {
    const partEnd = partOffset + part.size - 1;
    if (part.size > 0 && partEnd >= start && partOffset <= end) {
      const fetcher = new BlockFetcher(env, record, part, hooks);
      const first = Math.floor((Math.max(start, partOffset) - partOffset) / blockSize);
      const last = Math.floor((Math.min(end, partEnd) - partOffset) / blockSize);
      for (let from = first; from <= last; from += BLOCKS_PER_READ) {
        const count = Math.min(BLOCKS_PER_READ, last - from + 1);
        yield { fetcher, from, count, offset: partOffset + from * blockSize };
      }
    }
    partOffset += part.size;
    if (partOffset > end) return;
  }
}

/** The bytes [range.start, range.end] of a version (the whole object when range is null). */
export async function openObjectStream(
  env: Env,
  stored: StoredVersion,
  range: ByteRange | null,
  hooks: ReadHooks,
): Promise<ReadableStream<Uint8Array> | Uint8Array> {
  const { record } = stored;
  const start = range?.start ?? 0;
  const end = range?.end ?? record.size - 1;
  if (record.size === 0 || end < start) return new Uint8Array(0);
  if (record.inline) {
    if (!stored.inlineData) throw new Error(`inline version ${record.versionId} has no data`);
    return stored.inlineData.subarray(start, end + 1);
  }
  const blockSize = record.erasure.blockSize;
  const plan = batches(env, record, start, end, hooks);
  const fetchNext = (): Promise<Uint8Array[]> | null => {
    const next = plan.next();
    if (next.done) return null;
    const { fetcher, from, count, offset } = next.value;
    const batch = fetcher.readBlocks(from, count).then((blocks) =>
      blocks.map((block, i) => {
        const blockOffset = offset + i * blockSize;
        const sliceStart = Math.max(0, start - blockOffset);
        const sliceEnd = Math.min(block.byteLength, end - blockOffset + 1);
        return block.subarray(sliceStart, sliceEnd);
      }),
    );
    // Awaited by pull(); this only keeps a prefetch failure from counting as unhandled.
    batch.catch(() => undefined);
    return batch;
  };
  let pending = fetchNext();
  let ready: Uint8Array[] | null = pending ? await pending : [];
  pending = fetchNext();

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!ready) {
          if (!pending) {
            controller.close();
            return;
          }
          ready = await pending;
          pending = fetchNext();
        }
        for (const chunk of ready) controller.enqueue(chunk);
        ready = null;
        if (!pending) controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
    cancel() {
      pending?.catch(() => undefined);
    },
  });
}

/** Reads whole erasure blocks of one part of a version, reconstructing around damage. */
export class BlockFetcher {
  private readonly erasure: ErasureInfo;
  private readonly drives: DriveStub[];
  private readonly codec: ReedSolomon;
  /** Drives that failed a call: skipped for the rest of this read. */
  private readonly failed = new Set<number>();
  private damageReported = false;

  constructor(
    env: Env,
    private readonly record: VersionRecord,
    private readonly part: PartInfo,
    private readonly hooks: ReadHooks,
  ) {
    this.erasure = record.erasure;
    this.drives = drivesOf(env, record.erasure);
    this.codec = createReedSolomon(record.erasure.dataShards, record.erasure.parityShards);
  }

  private blockLength(block: number): number {
    const { blockSize } = this.erasure;
    return Math.min(blockSize, this.part.size - block * blockSize);
  }

  private damage(): void {
    if (this.damageReported) return;
    this.damageReported = true;
    this.hooks.onDamage();
  }

  /** Fetches shard `shard` of blocks [from, from+count) from its drive; null entries are unusable. */
  private async fetchShard(
    shard: number,
    from: number,
    count: number,
  ): Promise<(Uint8Array | null)[]> {
    const drive = this.erasure.distribution[shard];
    if (this.failed.has(drive)) return new Array<Uint8Array | null>(count).fill(null);
    let reads: ShardBlockRead[];
    try {
      reads = await this.drives[drive].readShardBlocks(
        this.part.dataDir,
        this.part.number,
        from,
        count,
      );
    } catch {
      this.failed.add(drive);
      this.damage();
      return new Array<Uint8Array | null>(count).fill(null);
    }
    return reads.map((read) => {
      if (read.ok) return read.data;
      this.damage();
      return null;
    });
  }

  /** Blocks [from, from+count), each exactly its length. */
  async readBlocks(from: number, count: number): Promise<Uint8Array[]> {
    const { dataShards: k, parityShards: m } = this.erasure;
    const n = k + m;
    // shards[s][i] = shard s of block from+i
    const shards = new Array<(Uint8Array | null)[]>(n);
    const dataShards = Array.from({ length: k }, (_, s) => s);
    const fetched = await Promise.all(dataShards.map((s) => this.fetchShard(s, from, count)));
    fetched.forEach((column, s) => (shards[s] = column));

    const incomplete = (i: number) => dataShards.some((s) => shards[s][i] === null);
    let needsParity = false;
    for (let i = 0; i < count; i++) if (incomplete(i)) needsParity = true;
    if (needsParity && m > 0) {
      const parity = Array.from({ length: m }, (_, p) => k + p);
      const columns = await Promise.all(parity.map((s) => this.fetchShard(s, from, count)));
      columns.forEach((column, p) => (shards[k + p] = column));
    }

    const blocks: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const length = this.blockLength(from + i);
      const row = Array.from({ length: n }, (_, s) => shards[s]?.[i] ?? null);
      if (!incomplete(i)) {
        blocks.push(joinDataShards(row, k, length));
        continue;
      }
      const present = row.filter((shard) => shard !== null).length;
      if (present < k) throw new S3Error("InsufficientReadQuorum");
      blocks.push(this.codec.decodeBlock(row, length));
    }
    return blocks;
  }
}

function joinDataShards(row: (Uint8Array | null)[], k: number, length: number): Uint8Array {
  if (k === 1) return (row[0] as Uint8Array).subarray(0, length);
  const block = new Uint8Array(length);
  let offset = 0;
  for (let s = 0; s < k && offset < length; s++) {
    const shard = row[s] as Uint8Array;
    const take = Math.min(shard.byteLength, length - offset);
    block.set(take === shard.byteLength ? shard : shard.subarray(0, take), offset);
    offset += take;
  }
  return block;
}
