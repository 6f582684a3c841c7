/**
 * The erasure benchmark itself, shared by Node and workerd: encode and
 * reconstruct throughput (MB/s of block data) for 4+2, 8+4 and 12+4 on 1 MiB
 * blocks with the WebAssembly SIMD kernel and the pure-TS kernel, beside a
 * memcpy (Uint8Array.set) of the same block in the same run.
 * Reconstruct loses m data shards: the worst case.
 */
import { createReedSolomon, hasErasureWasm, type ErasureKernel } from "../shared/erasure/index.ts";

export interface ErasureRow {
  layout: string;
  kernel: ErasureKernel;
  encodeMBps: number;
  reconstructMBps: number;
}

export interface ErasureResult {
  memcpyMBps: number;
  rows: ErasureRow[];
}

const MiB = 1024 * 1024;
const LAYOUTS: [number, number][] = [
  [4, 2],
  [8, 4],
  [12, 4],
];

/** Runs `fn` repeatedly for at least `minMs`; returns MB/s for `bytes` per call. */
async function measure(
  clock: () => Promise<number>,
  bytes: number,
  fn: () => void,
  minMs = 400,
): Promise<number> {
  for (let i = 0; i < 3; i++) fn();
  let calls = 0;
  const start = await clock();
  let now = start;
  let batch = 4;
  while (now - start < minMs) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    batch *= 2;
    now = await clock();
  }
  return (calls * bytes) / MiB / ((now - start) / 1000);
}

/** The whole suite; `clock` returns milliseconds. */
export async function runErasureBench(clock: () => Promise<number>): Promise<ErasureResult> {
  const block = new Uint8Array(MiB);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const target = new Uint8Array(MiB);
  const memcpyMBps = await measure(clock, MiB, () => target.set(block));
  const kernels: ErasureKernel[] = hasErasureWasm() ? ["wasm", "ts"] : ["ts"];
  const rows: ErasureRow[] = [];
  for (const [k, m] of LAYOUTS) {
    for (const kernel of kernels) {
      const codec = createReedSolomon(k, m, { kernel });
      const minMs = kernel === "ts" ? 250 : 400;
      const encodeMBps = await measure(clock, MiB, () => codec.encodeBlock(block), minMs);
      const shards = codec.encodeBlock(block);
      const damaged = shards.map((shard, i) => (i < m ? null : shard));
      const reconstructMBps = await measure(
        clock,
        MiB,
        () => codec.decodeBlock(damaged, MiB),
        minMs,
      );
      rows.push({ layout: `${k}+${m}`, kernel, encodeMBps, reconstructMBps });
    }
  }
  return { memcpyMBps, rows };
}
