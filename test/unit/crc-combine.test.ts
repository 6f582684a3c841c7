import { randomBytes } from "node:crypto";
import { Crc32, Crc32cJs, Crc64NvmeJs } from "@aws-sdk/checksums/crc";
import { describe, expect, it } from "vitest";
import { createChecksum } from "../../shared/checksums.ts";
import { CRC_ALGORITHMS, combineCrcs, type CrcAlgorithm } from "../../shared/crc-combine.ts";

/** The AWS SDK's own implementation of each CRC, as a base64 digest. */
async function sdkDigest(algorithm: CrcAlgorithm, data: Uint8Array): Promise<string> {
  const hash =
    algorithm === "crc32"
      ? new Crc32()
      : algorithm === "crc32c"
        ? new Crc32cJs()
        : new Crc64NvmeJs();
  hash.update(data);
  return Buffer.from(await hash.digest()).toString("base64");
}

function floeDigest(algorithm: CrcAlgorithm, data: Uint8Array): string {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return checksum.digest();
}

function randomSizes(count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * 5000));
}

describe("CRCs against the AWS SDK", () => {
  for (const algorithm of CRC_ALGORITHMS) {
    it(`${algorithm} matches byte for byte on random inputs`, async () => {
      for (const size of [0, 1, 7, 8, 9, 63, 64, 65, 1000, ...randomSizes(40), 300_000]) {
        const data = randomBytes(size);
        expect(floeDigest(algorithm, data), `${size} bytes`).toBe(await sdkDigest(algorithm, data));
      }
    });
  }
});

describe("combineCrcs", () => {
  for (const algorithm of CRC_ALGORITHMS) {
    it(`${algorithm}: the combined part CRCs equal the CRC of the whole`, async () => {
      for (let round = 0; round < 20; round++) {
        const parts = randomSizes(1 + Math.floor(Math.random() * 6)).map((size) =>
          randomBytes(size),
        );
        const whole = Buffer.concat(parts);
        const combined = combineCrcs(
          algorithm,
          parts.map((part) => ({ checksum: floeDigest(algorithm, part), size: part.length })),
        );
        expect(combined).toBe(await sdkDigest(algorithm, whole));
      }
    });
  }

  it("combines many equal-sized parts (the cached shift)", async () => {
    const parts = Array.from({ length: 50 }, () => randomBytes(4096));
    for (const algorithm of CRC_ALGORITHMS) {
      const combined = combineCrcs(
        algorithm,
        parts.map((part) => ({ checksum: floeDigest(algorithm, part), size: part.length })),
      );
      expect(combined).toBe(await sdkDigest(algorithm, Buffer.concat(parts)));
    }
  });

  it("shifts by sizes beyond 32 bits exactly", () => {
    // A zero CRC of n bytes only shifts: two shifts of 2^32 bytes equal one of 2^33.
    const zero = floeDigest("crc64nvme", Buffer.alloc(0));
    const a = { checksum: floeDigest("crc64nvme", Buffer.from("a")), size: 1 };
    for (const algorithm of CRC_ALGORITHMS) {
      const start = { checksum: floeDigest(algorithm, Buffer.from("a")), size: 1 };
      const empty = floeDigest(algorithm, Buffer.alloc(0));
      expect(
        combineCrcs(algorithm, [
          start,
          { checksum: empty, size: 2 ** 32 },
          { checksum: empty, size: 2 ** 32 },
        ]),
      ).toBe(combineCrcs(algorithm, [start, { checksum: empty, size: 2 ** 33 }]));
    }
    expect(combineCrcs("crc64nvme", [a, { checksum: zero, size: 0 }])).toBe(a.checksum);
  });

  it("refuses a value of the wrong width", () => {
    expect(() => combineCrcs("crc32", [{ checksum: "AAAAAAAAAAA=", size: 1 }])).toThrow(RangeError);
  });
});
