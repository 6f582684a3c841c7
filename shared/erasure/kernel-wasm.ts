/**
 * The WebAssembly SIMD kernel's wrapper. Linear memory layout per call:
 *   [0, 8192)            nibble tables: 32 bytes per (output, input) pair,
 *                        outputs padded to a multiple of 4 with zero tables
 *   [8192, …)            inputs, `stride` bytes apart
 *   then                 outputs (padded count), `stride` bytes apart
 * stride = length rounded up to 32, plus 64 so shard rows never sit at a
 * power-of-two distance (cache aliasing). Memory grows once to the largest
 * size seen and is reused.
 */
import { MUL } from "./gf256.ts";

const TABLES = 8192;
const PAGE = 65536;

interface KernelExports {
  memory: WebAssembly.Memory;
  mul_add(
    tables: number,
    inputs: number,
    nIn: number,
    outputs: number,
    nOut: number,
    stride: number,
    len: number,
  ): void;
}

/** Nibble tables of one coefficient: c·x for x = 0..15, then c·(x << 4). */
function nibbleTables(c: number, into: Uint8Array, at: number): void {
  for (let x = 0; x < 16; x++) {
    into[at + x] = MUL[c * 256 + x];
    into[at + 16 + x] = MUL[c * 256 + (x << 4)];
  }
}

export class WasmKernel {
  private readonly exports: KernelExports;
  private readonly tableCache = new Map<string, Uint8Array>();
  private loadedTables = "";

  constructor(module: WebAssembly.Module) {
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  }

  private tablesFor(
    coefficients: Uint8Array[],
    key: string,
  ): { bytes: Uint8Array; padded: number } {
    const padded = Math.ceil(coefficients.length / 4) * 4;
    let bytes = this.tableCache.get(key);
    if (!bytes) {
      const nIn = coefficients[0]?.length ?? 0;
      bytes = new Uint8Array(padded * nIn * 32);
      coefficients.forEach((row, o) =>
        row.forEach((c, i) => nibbleTables(c, bytes!, (o * nIn + i) * 32)),
      );
      if (this.tableCache.size > 256) this.tableCache.clear();
      this.tableCache.set(key, bytes);
    }
    return { bytes, padded };
  }

  private memoryView(bytes: number): Uint8Array {
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < bytes)
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    return new Uint8Array(memory.buffer);
  }

  /**
   * Returns outputs[o][0..length) = XOR over i of coefficients[o][i] · inputs(i)[0..length),
   * each in a buffer of its own, where `writeInput(i, view, at)` copies input i
   * into linear memory at `at`. Outputs are sliced out of linear memory: one
   * copy, no zero-filled allocation first.
   */
  mulAdd(
    coefficients: Uint8Array[],
    /** Identifies `coefficients` (their tables are built once per key). */
    key: string,
    nIn: number,
    writeInput: (i: number, memory: Uint8Array, at: number) => void,
    length: number,
  ): Uint8Array[] {
    if (coefficients.length === 0 || length === 0)
      return coefficients.map(() => new Uint8Array(length));
    const len = Math.ceil(length / 32) * 32;
    const stride = len + 64;
    const { bytes, padded } = this.tablesFor(coefficients, key);
    const inputsAt = TABLES;
    const outputsAt = inputsAt + nIn * stride;
    const memory = this.memoryView(outputsAt + padded * stride);
    if (this.loadedTables !== key) {
      memory.set(bytes, 0);
      this.loadedTables = key;
    }
    for (let i = 0; i < nIn; i++) writeInput(i, memory, inputsAt + i * stride);
    this.exports.mul_add(0, inputsAt, nIn, outputsAt, padded, stride, len);
    return coefficients.map(
      (_, o) =>
        new Uint8Array(
          memory.buffer.slice(outputsAt + o * stride, outputsAt + o * stride + length),
        ),
    );
  }
}
