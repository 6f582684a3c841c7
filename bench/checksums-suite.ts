/**
 * The CRC benchmark itself, shared by Node and workerd: MB/s of Floe's CRC32,
 * CRC32C and CRC64NVME (shared/checksums.ts) beside the AWS SDK's
 * (@aws-crypto/crc32, @aws-crypto/crc32c, @aws-sdk/crc64-nvme) on the same
 * 1 MiB buffer, fed in 4 KiB updates (how local request bodies arrive) and in
 * 1 MiB updates. The two are measured in turn, ROUNDS times, and each keeps its
 * best round, so a busy machine slows both alike rather than one of them.
 */
import { Crc32 } from "@aws-crypto/crc32";
import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { createChecksum } from "../shared/checksums.ts";
import type { CrcAlgorithm } from "../shared/crc-combine.ts";

export interface ChecksumRow {
  algorithm: CrcAlgorithm;
  chunk: number;
  floeMBps: number;
  awsMBps: number;
}

interface Updater {
  update(data: Uint8Array): unknown;
}

const MiB = 1024 * 1024;
const CHUNKS = [4096, MiB];
const ROUNDS = 5;

const AWS: Record<CrcAlgorithm, () => Updater> = {
  crc32: () => new Crc32(),
  crc32c: () => new Crc32c(),
  crc64nvme: () => new Crc64Nvme(),
};

/** MB/s of feeding `block` to fresh checksums for at least `minMs`. */
async function measure(
  clock: () => Promise<number>,
  block: Uint8Array,
  chunk: number,
  create: () => Updater,
  minMs = 150,
): Promise<number> {
  const once = () => {
    const checksum = create();
    for (let at = 0; at < block.length; at += chunk)
      checksum.update(block.subarray(at, at + chunk));
  };
  for (let i = 0; i < 2; i++) once();
  let calls = 0;
  const start = await clock();
  let now = start;
  let batch = 1;
  while (now - start < minMs) {
    for (let i = 0; i < batch; i++) once();
    calls += batch;
    batch *= 2;
    now = await clock();
  }
  return (calls * block.length) / MiB / ((now - start) / 1000);
}

/** The whole suite; `clock` returns milliseconds. */
export async function runChecksumBench(clock: () => Promise<number>): Promise<ChecksumRow[]> {
  const block = new Uint8Array(MiB);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const rows: ChecksumRow[] = [];
  for (const algorithm of ["crc32", "crc32c", "crc64nvme"] as const) {
    for (const chunk of CHUNKS) {
      const row = { algorithm, chunk, floeMBps: 0, awsMBps: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const floe = await measure(clock, block, chunk, () => createChecksum(algorithm));
        const aws = await measure(clock, block, chunk, AWS[algorithm]);
        row.floeMBps = Math.max(row.floeMBps, floe);
        row.awsMBps = Math.max(row.awsMBps, aws);
      }
      rows.push(row);
    }
  }
  return rows;
}
