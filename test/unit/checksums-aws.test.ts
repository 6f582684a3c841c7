// Floe's CRC32, CRC32C and CRC64NVME against the AWS SDK's own implementations
// (@aws-crypto/crc32, @aws-crypto/crc32c, @aws-sdk/crc64-nvme), byte for byte: seeded
// random inputs of many lengths (0, 1, odd, word edges, past 64 KiB), fed to Floe in
// random chunks (empty ones too) and to the reference whole; and FULL_OBJECT combining
// of part CRCs against the reference over the concatenated parts.
import { Crc32 } from "@aws-crypto/crc32";
import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { describe, expect, it } from "vitest";
import { createChecksum } from "../../shared/checksums.ts";
import { combineCrcs, CRC_ALGORITHMS, type CrcAlgorithm } from "../../shared/crc-combine.ts";

/** mulberry32: a small seeded generator, so a failure replays exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

/** `data` cut at random points, with an empty chunk now and then. */
function randomChunks(next: () => number, data: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (next() < 0.1) chunks.push(data.subarray(at, at));
    const size = 1 + Math.floor(next() * Math.min(data.length - at, next() < 0.5 ? 17 : 70_000));
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function uint32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0);
  return bytes;
}

/** The AWS SDK's CRC of `data`, as the base64 of its big-endian digest. */
async function reference(algorithm: CrcAlgorithm, data: Uint8Array): Promise<string> {
  switch (algorithm) {
    case "crc32":
      return base64(uint32(new Crc32().update(data).digest()));
    case "crc32c":
      return base64(uint32(new Crc32c().update(data).digest()));
    case "crc64nvme": {
      const crc = new Crc64Nvme();
      crc.update(data);
      return base64(await crc.digest());
    }
  }
}

function floe(algorithm: CrcAlgorithm, chunks: Uint8Array[]): string {
  const checksum = createChecksum(algorithm);
  for (const chunk of chunks) checksum.update(chunk);
  return checksum.digest();
}

const KiB = 1024;
const EDGE_LENGTHS = [
  0,
  1,
  2,
  3,
  4,
  5,
  7,
  8,
  9,
  15,
  16,
  17,
  31,
  32,
  33,
  63,
  64,
  65,
  127,
  255,
  256,
  257,
  1023,
  1025,
  4 * KiB - 1,
  4 * KiB,
  4 * KiB + 1,
  64 * KiB - 1,
  64 * KiB,
  64 * KiB + 1,
  64 * KiB + 7,
  200_003,
  1024 * KiB + 3,
];

describe("CRCs against the AWS SDK's implementations", () => {
  for (const algorithm of CRC_ALGORITHMS) {
    it(`${algorithm}: every edge length and 60 random ones, in random chunks`, async () => {
      const next = random(0xf10e + algorithm.length);
      const lengths = [...EDGE_LENGTHS];
      for (let i = 0; i < 60; i++)
        lengths.push(Math.floor(next() * (next() < 0.5 ? 300 : 300_000)));
      for (const length of lengths) {
        const data = randomBytes(next, length);
        const expected = await reference(algorithm, data);
        expect(floe(algorithm, [data]), `${algorithm}, ${length} bytes`).toBe(expected);
        expect(
          floe(algorithm, randomChunks(next, data)),
          `${algorithm}, ${length} bytes in chunks`,
        ).toBe(expected);
      }
    });

    it(`${algorithm}: all-zero and all-one inputs`, async () => {
      for (const length of [1, 8, 9, 64 * KiB + 1]) {
        for (const fill of [0x00, 0xff]) {
          const data = new Uint8Array(length).fill(fill);
          expect(floe(algorithm, [data]), `${length} × ${fill}`).toBe(
            await reference(algorithm, data),
          );
        }
      }
    });

    it(`${algorithm}: combining part CRCs equals the CRC of the whole object`, async () => {
      const next = random(0xc0b1 + algorithm.length);
      for (let round = 0; round < 20; round++) {
        const parts = Array.from({ length: 1 + Math.floor(next() * 5) }, () =>
          randomBytes(next, Math.floor(next() * (next() < 0.3 ? 3 : 100_000))),
        );
        const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
        let at = 0;
        for (const part of parts) {
          whole.set(part, at);
          at += part.length;
        }
        const combined = combineCrcs(
          algorithm,
          parts.map((part) => ({ checksum: floe(algorithm, [part]), size: part.length })),
        );
        expect(combined, `round ${round}`).toBe(await reference(algorithm, whole));
      }
    });
  }
});
