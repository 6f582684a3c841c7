import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { EXP, LOG, gfInv, gfMul } from "../../shared/erasure/gf256.ts";
import {
  InsufficientShardsError,
  createReedSolomon,
  installErasureWasm,
  type ErasureKernel,
} from "../../shared/erasure/index.ts";
import { loadErasureWasmForNode } from "../../shared/erasure/wasm-node.ts";
import { buildWasmBytes } from "../../shared/erasure/wasm/build.mjs";

beforeAll(async () => installErasureWasm(await loadErasureWasmForNode()));

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function* combinations(
  n: number,
  r: number,
  start = 0,
  prefix: number[] = [],
): Generator<number[]> {
  if (prefix.length === r) {
    yield prefix;
    return;
  }
  for (let i = start; i < n; i++) yield* combinations(n, r, i + 1, [...prefix, i]);
}

describe("GF(2^8)", () => {
  it("multiplies and inverts", () => {
    expect(gfMul(2, 2)).toBe(4);
    expect(gfMul(0x80, 2)).toBe(0x1d);
    expect(gfMul(0, 77)).toBe(0);
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a)), String(a)).toBe(1);
    expect(EXP[LOG[57]]).toBe(57);
  });
});

describe("Reed-Solomon", () => {
  const layouts: [number, number][] = [
    [4, 2],
    [4, 4],
    [8, 4],
    [12, 4],
    [2, 1],
    [1, 0],
  ];
  for (const [k, m] of layouts)
    for (const kernel of ["wasm", "ts"] as ErasureKernel[]) {
      it(`${k}+${m} (${kernel}): any ${m} lost shards round-trip`, () => {
        const codec = createReedSolomon(k, m, { kernel });
        expect(codec.kernel).toBe(kernel);
        const block = random(4096 + 3, k * 31 + m);
        const shards = codec.encodeBlock(block);
        expect(shards).toHaveLength(k + m);
        expect(shards.every((s) => s.byteLength === codec.shardSize(block.byteLength))).toBe(true);
        for (let lost = 0; lost <= m; lost++) {
          for (const missing of combinations(k + m, lost)) {
            const damaged = shards.map((s, i) => (missing.includes(i) ? null : s));
            expect(
              Buffer.from(codec.decodeBlock(damaged, block.byteLength)).equals(Buffer.from(block)),
              `lost ${missing.join(",")}`,
            ).toBe(true);
            const rebuilt = codec.reconstruct(damaged);
            rebuilt.forEach((s, i) =>
              expect(
                Buffer.from(s).equals(Buffer.from(shards[i])),
                `lost ${missing.join(",")} shard ${i}`,
              ).toBe(true),
            );
          }
        }
      });

      it(`${k}+${m} (${kernel}): losing ${m + 1} shards is a typed error`, () => {
        const codec = createReedSolomon(k, m, { kernel });
        const shards = codec.encodeBlock(random(1000, 7));
        const damaged = shards.map((s, i) => (i <= m ? null : s));
        try {
          codec.decodeBlock(damaged, 1000);
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(InsufficientShardsError);
          expect(error).toMatchObject({ available: k - 1, required: k });
        }
      });
    }

  it("gives identical bytes with both kernels", () => {
    for (const [k, m] of [
      [4, 2],
      [8, 4],
      [12, 4],
      [3, 2],
      [16, 0],
    ] as const) {
      for (const size of [1, 15, 16, 17, 31, 33, 4095, 1024 * 1024 - 1, 1024 * 1024 + 1]) {
        const block = random(size, size + k);
        const wasm = createReedSolomon(k, m, { kernel: "wasm" }).encodeBlock(block);
        const ts = createReedSolomon(k, m, { kernel: "ts" }).encodeBlock(block);
        wasm.forEach((s, i) =>
          expect(
            Buffer.from(s).equals(Buffer.from(ts[i])),
            `${k}+${m} size ${size} shard ${i}`,
          ).toBe(true),
        );
      }
    }
  });

  it("ships the kernel its generator builds", async () => {
    const committed = readFileSync(
      new URL("../../shared/erasure/wasm/rs-simd.wasm", import.meta.url),
    );
    expect(Buffer.from(await buildWasmBytes()).equals(committed)).toBe(true);
  });

  it("handles empty and tiny blocks", () => {
    const codec = createReedSolomon(4, 4);
    expect(codec.encodeBlock(new Uint8Array(0)).every((s) => s.byteLength === 0)).toBe(true);
    const one = codec.encodeBlock(new Uint8Array([42]));
    expect(codec.decodeBlock([null, null, null, null, ...one.slice(4)], 1)).toEqual(
      new Uint8Array([42]),
    );
  });

  it("keeps data shards as the plain block (systematic)", () => {
    const codec = createReedSolomon(4, 2);
    const block = random(400, 3);
    const shards = codec.encodeBlock(block);
    expect(Buffer.concat(shards.slice(0, 4).map((s) => Buffer.from(s)))).toEqual(
      Buffer.from(block),
    );
  });

  it("rejects invalid layouts", () => {
    expect(() => createReedSolomon(0, 2)).toThrow(RangeError);
    expect(() => createReedSolomon(12, 5)).toThrow(RangeError);
    expect(() => createReedSolomon(4, -1)).toThrow(RangeError);
  });
});
