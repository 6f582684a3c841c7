/**
 * Reed-Solomon erasure coding over GF(2^8) for k data + m parity shards
 * (1 ≤ k, 0 ≤ m, k + m ≤ 16). A block is split into k data shards of
 * ceil(length / k) bytes (the last zero-padded); parity comes from the
 * systematic encoding matrix (matrix.ts). Any k shards rebuild the block.
 */
import { mulAddTs } from "./kernel-ts.ts";
import { encodingMatrix, invert, type Matrix } from "./matrix.ts";

export type ErasureKernel = "wasm" | "ts";

/** Fewer shards than the data count are available. */
export class InsufficientShardsError extends Error {
  constructor(
    readonly available: number,
    readonly required: number,
  ) {
    super(`need ${required} shards, have ${available}`);
    this.name = "InsufficientShardsError";
  }
}

export interface ReedSolomon {
  readonly dataShards: number;
  readonly parityShards: number;
  readonly kernel: ErasureKernel;
  shardSize(blockLength: number): number;
  encodeBlock(block: Uint8Array): Uint8Array[];
  decodeBlock(shards: ReadonlyArray<Uint8Array | null>, blockLength: number): Uint8Array;
  reconstruct(shards: ReadonlyArray<Uint8Array | null>): Uint8Array[];
}

let wasmModule: WebAssembly.Module | null = null;

/** Installs the compiled SIMD module (not used by this kernel set yet). */
export function installErasureWasm(module: WebAssembly.Module): void {
  wasmModule = module;
}

export function hasErasureWasm(): boolean {
  return wasmModule !== null;
}

class Codec implements ReedSolomon {
  readonly kernel: ErasureKernel = "ts";
  private readonly matrix: Matrix;
  private readonly inversions = new Map<string, Matrix>();

  constructor(
    readonly dataShards: number,
    readonly parityShards: number,
  ) {
    this.matrix = encodingMatrix(dataShards, parityShards);
  }

  shardSize(blockLength: number): number {
    return Math.ceil(blockLength / this.dataShards);
  }

  encodeBlock(block: Uint8Array): Uint8Array[] {
    const k = this.dataShards;
    const size = this.shardSize(block.byteLength);
    const all = new Uint8Array(size * (k + this.parityShards));
    all.set(block);
    const shards = Array.from({ length: k + this.parityShards }, (_, i) =>
      all.subarray(i * size, (i + 1) * size),
    );
    if (this.parityShards > 0 && size > 0) {
      mulAddTs(this.matrix.slice(k), shards.slice(0, k), shards.slice(k), size);
    }
    return shards;
  }

  private decodeMatrix(present: number[]): Matrix {
    const key = present.join(",");
    let inverse = this.inversions.get(key);
    if (!inverse) {
      inverse = invert(present.map((row) => this.matrix[row]));
      if (this.inversions.size > 64) this.inversions.clear();
      this.inversions.set(key, inverse);
    }
    return inverse;
  }

  private dataFrom(shards: ReadonlyArray<Uint8Array | null>): Uint8Array[] {
    const k = this.dataShards;
    const present: number[] = [];
    shards.forEach((shard, i) => {
      if (shard && present.length < k) present.push(i);
    });
    const count = shards.filter((shard) => shard !== null).length;
    if (present.length < k) throw new InsufficientShardsError(count, k);
    const size = shards[present[0]]!.byteLength;
    if (present.every((row, i) => row === i)) return present.map((row) => shards[row]!);
    const inverse = this.decodeMatrix(present);
    const data = Array.from({ length: k }, () => new Uint8Array(size));
    mulAddTs(
      inverse,
      present.map((row) => shards[row]!),
      data,
      size,
    );
    return data;
  }

  decodeBlock(shards: ReadonlyArray<Uint8Array | null>, blockLength: number): Uint8Array {
    const data = this.dataFrom(shards);
    const block = new Uint8Array(blockLength);
    let offset = 0;
    for (const shard of data) {
      if (offset >= blockLength) break;
      const take = Math.min(shard.byteLength, blockLength - offset);
      block.set(shard.subarray(0, take), offset);
      offset += take;
    }
    return block;
  }

  reconstruct(shards: ReadonlyArray<Uint8Array | null>): Uint8Array[] {
    const data = this.dataFrom(shards);
    const size = data[0]?.byteLength ?? 0;
    const k = this.dataShards;
    const out = shards.slice() as (Uint8Array | null)[];
    data.forEach((shard, i) => (out[i] ??= shard));
    const missingParity = out
      .map((shard, i) => (i >= k && shard === null ? i : -1))
      .filter((i) => i >= 0);
    if (missingParity.length > 0) {
      const outputs = missingParity.map(() => new Uint8Array(size));
      mulAddTs(
        missingParity.map((row) => this.matrix[row]),
        data,
        outputs,
        size,
      );
      missingParity.forEach((row, i) => (out[row] = outputs[i]));
    }
    return out as Uint8Array[];
  }
}

const codecs = new Map<string, ReedSolomon>();

/** Codec for k data + m parity shards (cached). */
export function createReedSolomon(
  k: number,
  m: number,
  _options: { kernel?: ErasureKernel } = {},
): ReedSolomon {
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > 16) {
    throw new RangeError(`invalid erasure layout ${k}+${m}`);
  }
  const key = `${k}+${m}`;
  let codec = codecs.get(key);
  if (!codec) {
    codec = new Codec(k, m);
    codecs.set(key, codec);
  }
  return codec;
}
