/**
 * S3 additional checksums, computed incrementally: CRC32 (IEEE), CRC32C
 * (Castagnoli), CRC64NVME, SHA1 and SHA256. Values travel as base64 of the
 * big-endian digest (x-amz-checksum-<algorithm>). The CRCs are reflected,
 * initialised and finalised with all ones, and use slicing-by-8 tables
 * (CRC64NVME as two 32-bit halves).
 */
import { createHash } from "node:crypto";

export const CHECKSUM_ALGORITHMS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** An incremental checksum. */
export interface Checksum {
  update(data: Uint8Array): void;
  /** The base64 digest (call once). */
  digest(): string;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function slicingTables(poly: number): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    tables[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 8; t++)
      tables[t][i] = (tables[t - 1][i] >>> 8) ^ tables[0][tables[t - 1][i] & 0xff];
  }
  return tables;
}

const tableCache = new Map<number, Uint32Array[]>();

class Crc32 implements Checksum {
  private crc = 0xffffffff;
  private readonly t: Uint32Array[];

  constructor(poly: number) {
    let tables = tableCache.get(poly);
    if (!tables) {
      tables = slicingTables(poly);
      tableCache.set(poly, tables);
    }
    this.t = tables;
  }

  update(data: Uint8Array): void {
    const [t0, t1, t2, t3, t4, t5, t6, t7] = this.t;
    let crc = this.crc;
    let i = 0;
    const n = data.length;
    for (; i + 8 <= n; i += 8) {
      const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ crc;
      crc =
        t7[a & 0xff] ^
        t6[(a >>> 8) & 0xff] ^
        t5[(a >>> 16) & 0xff] ^
        t4[a >>> 24] ^
        t3[data[i + 4]] ^
        t2[data[i + 5]] ^
        t1[data[i + 6]] ^
        t0[data[i + 7]];
    }
    for (; i < n; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    this.crc = crc >>> 0;
  }

  digest(): string {
    const value = (this.crc ^ 0xffffffff) >>> 0;
    return base64(
      new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]),
    );
  }
}

/**
 * CRC-64/NVME slicing-by-8 tables (reflected polynomial 0x9A6C9329AC4BC9B5):
 * table k maps a byte to its CRC followed by k zero bytes, as 32-bit halves
 * side by side (low half at 2·byte, high half at 2·byte + 1).
 */
const CRC64 = Array.from({ length: 8 }, () => new Uint32Array(512));
{
  const polyLo = 0xac4bc9b5;
  const polyHi = 0x9a6c9329;
  const [t0] = CRC64;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ polyLo) >>> 0;
        hi = (hi ^ polyHi) >>> 0;
      }
    }
    t0[2 * i] = lo;
    t0[2 * i + 1] = hi;
  }
  for (let t = 1; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      const lo = CRC64[t - 1][2 * i];
      const hi = CRC64[t - 1][2 * i + 1];
      const index = 2 * (lo & 0xff);
      CRC64[t][2 * i] = ((lo >>> 8) | (hi << 24)) ^ t0[index];
      CRC64[t][2 * i + 1] = (hi >>> 8) ^ t0[index + 1];
    }
  }
}

class Crc64Nvme implements Checksum {
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): void {
    const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC64;
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const n = data.length;
    for (; i + 8 <= n; i += 8) {
      const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ lo;
      const b = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) ^ hi;
      const a0 = (a & 0xff) << 1;
      const a1 = ((a >>> 8) & 0xff) << 1;
      const a2 = ((a >>> 16) & 0xff) << 1;
      const a3 = (a >>> 24) << 1;
      const b0 = (b & 0xff) << 1;
      const b1 = ((b >>> 8) & 0xff) << 1;
      const b2 = ((b >>> 16) & 0xff) << 1;
      const b3 = (b >>> 24) << 1;
      lo = t7[a0] ^ t6[a1] ^ t5[a2] ^ t4[a3] ^ t3[b0] ^ t2[b1] ^ t1[b2] ^ t0[b3];
      hi =
        t7[a0 + 1] ^
        t6[a1 + 1] ^
        t5[a2 + 1] ^
        t4[a3 + 1] ^
        t3[b0 + 1] ^
        t2[b1 + 1] ^
        t1[b2 + 1] ^
        t0[b3 + 1];
    }
    for (; i < n; i++) {
      const index = ((lo ^ data[i]) & 0xff) << 1;
      lo = ((lo >>> 8) | (hi << 24)) ^ t0[index];
      hi = (hi >>> 8) ^ t0[index + 1];
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  digest(): string {
    const hi = (this.hi ^ 0xffffffff) >>> 0;
    const lo = (this.lo ^ 0xffffffff) >>> 0;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, hi);
    new DataView(bytes.buffer).setUint32(4, lo);
    return base64(bytes);
  }
}

class HashChecksum implements Checksum {
  private readonly hash;
  constructor(algorithm: "sha1" | "sha256") {
    this.hash = createHash(algorithm);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): string {
    return this.hash.digest("base64");
  }
}

/** A fresh incremental checksum of `algorithm`. */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "crc32":
      return new Crc32(0xedb88320);
    case "crc32c":
      return new Crc32(0x82f63b78);
    case "crc64nvme":
      return new Crc64Nvme();
    case "sha1":
    case "sha256":
      return new HashChecksum(algorithm);
  }
}

/** True when `value` names a checksum algorithm (case-insensitive). */
export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(value.toLowerCase());
}

/** The composite checksum of a multipart object: checksum of the parts' raw digests, then "-N". */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partDigests: string[]): string {
  const checksum = createChecksum(algorithm);
  for (const digest of partDigests)
    checksum.update(Uint8Array.from(atob(digest), (c) => c.charCodeAt(0)));
  return `${checksum.digest()}-${partDigests.length}`;
}
