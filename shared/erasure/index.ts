/**
 * Reed-Solomon erasure coding over GF(2^8) for k data + m parity shards
 * (1 ≤ k, 0 ≤ m, k + m ≤ 16). A block is split into k data shards of
 * ceil(length / k) bytes (the last zero-padded); parity comes from the
 * systematic encoding matrix (matrix.ts). Any k shards rebuild the block.
 * Two kernels compute identical bytes: WebAssembly SIMD (kernel-wasm.ts,
 * once the module is installed) and pure TypeScript (kernel-ts.ts).
 */
import { mulAddTs } from "./kernel-ts.ts";
import { WasmKernel } from "./kernel-wasm.ts";
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

let wasmKernel: WasmKernel | null = null;

/** Installs the compiled SIMD module once per isolate (workerd imports the .wasm; Node compiles the file). */
export function installErasureWasm(module: WebAssembly.Module): void {
  wasmKernel ??= new WasmKernel(module);
}

export function hasErasureWasm(): boolean {
  return wasmKernel !== null;
}

class Codec implements ReedSolomon {
  private readonly matrix: Matrix;
  private readonly parityRows: Matrix;
  private readonly parityKey: string;
  private readonly inversions = new Map<string, Matrix>();

  constructor(
    readonly dataShards: number,
    readonly parityShards: number,
    private readonly wasm: WasmKernel | null,
  ) {
    this.matrix = encodingMatrix(dataShards, parityShards);
    this.parityRows = this.matrix.slice(dataShards);
    this.parityKey = `encode:${dataShards}+${parityShards}`;
  }

  get kernel(): ErasureKernel {
    return this.wasm ? "wasm" : "ts";
  }

  shardSize(blockLength: number): number {
    return Math.ceil(blockLength / this.dataShards);
  }

  /** outputs[o] = Σ coefficients[o][i] · inputs[i], with the codec's kernel. */
  /** Fresh buffers holding, for each coefficient row, the XOR of its multiples of the inputs. */
  private combine(
    coefficients: Matrix,
    key: string,
    inputs: Uint8Array[],
    length: number,
  ): Uint8Array[] {
    if (!this.wasm) {
      const outputs = coefficients.map(() => new Uint8Array(length));
      mulAddTs(coefficients, inputs, outputs, length);
      return outputs;
    }
    return this.wasm.mulAdd(
      coefficients,
      key,
      inputs.length,
      (i, memory, at) => memory.set(inputs[i].subarray(0, length), at),
      length,
    );
  }

  /**
   * Data shards are views of `block` (only a short last shard is copied, to
   * pad it), so the caller must not reuse the block's memory; each parity
   * shard has a buffer of its own.
   */
  encodeBlock(block: Uint8Array): Uint8Array[] {
    const k = this.dataShards;
    const m = this.parityShards;
    const size = this.shardSize(block.byteLength);
    const data = Array.from({ length: k }, (_, i) => {
      const start = i * size;
      if (start + size <= block.byteLength) return block.subarray(start, start + size);
      const padded = new Uint8Array(size);
      if (start < block.byteLength) padded.set(block.subarray(start));
      return padded;
    });
    // Each parity shard in a buffer of its own: shards travel to drives over RPC, which copies whole buffers.
    const parity =
      m > 0 && size > 0
        ? this.combine(this.parityRows, this.parityKey, data, size)
        : Array.from({ length: m }, () => new Uint8Array(size));
    return [...data, ...parity];
  }

  /** Rows of the decode matrix (inverse of the present rows) that rebuild the given data shards. */
  private decodeRows(present: number[], wanted: number[]): { rows: Matrix; key: string } {
    const presentKey = present.join(",");
    let inverse = this.inversions.get(presentKey);
    if (!inverse) {
      inverse = invert(present.map((row) => this.matrix[row]));
      if (this.inversions.size > 64) this.inversions.clear();
      this.inversions.set(presentKey, inverse);
    }
    return { rows: wanted.map((i) => inverse[i]), key: `decode:${presentKey}>${wanted.join(",")}` };
  }

  /** The k data shards, rebuilding the missing ones from any k present shards. */
  private dataFrom(shards: ReadonlyArray<Uint8Array | null>): Uint8Array[] {
    const k = this.dataShards;
    const present: number[] = [];
    shards.forEach((shard, i) => {
      if (shard && present.length < k) present.push(i);
    });
    if (present.length < k) {
      throw new InsufficientShardsError(shards.filter((shard) => shard !== null).length, k);
    }
    const missing = Array.from({ length: k }, (_, i) => i).filter((i) => !shards[i]);
    const data = Array.from({ length: k }, (_, i) => shards[i] ?? null);
    if (missing.length === 0) return data as Uint8Array[];
    const size = shards[present[0]]!.byteLength;
    const { rows, key } = this.decodeRows(present, missing);
    const rebuilt =
      size > 0
        ? this.combine(
            rows,
            key,
            present.map((row) => shards[row]!),
            size,
          )
        : missing.map(() => new Uint8Array(0));
    missing.forEach((i, j) => (data[i] = rebuilt[j]));
    return data as Uint8Array[];
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
    const out = shards.slice();
    data.forEach((shard, i) => (out[i] ??= shard));
    const missingParity = out
      .map((shard, i) => (i >= k && shard === null ? i : -1))
      .filter((i) => i >= 0);
    if (missingParity.length > 0) {
      const outputs =
        size > 0
          ? this.combine(
              missingParity.map((row) => this.matrix[row]),
              `parity:${missingParity.join(",")}`,
              data,
              size,
            )
          : missingParity.map(() => new Uint8Array(0));
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
  options: { kernel?: ErasureKernel } = {},
): ReedSolomon {
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > 16) {
    throw new RangeError(`invalid erasure layout ${k}+${m}`);
  }
  const kernel = options.kernel ?? (wasmKernel ? "wasm" : "ts");
  if (kernel === "wasm" && !wasmKernel)
    throw new Error("the erasure WebAssembly module is not installed");
  const key = `${k}+${m}/${kernel}`;
  let codec = codecs.get(key);
  if (!codec) {
    codec = new Codec(k, m, kernel === "wasm" ? wasmKernel : null);
    codecs.set(key, codec);
  }
  return codec;
}
