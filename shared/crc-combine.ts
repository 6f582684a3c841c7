/**
 * CRC combination: the CRC of A‖B from crc(A), crc(B) and len(B) alone,
 * without the data. For a reflected CRC whose initial value equals its
 * final XOR (CRC32, CRC32C, CRC64NVME all use all ones),
 * crc(A‖B) = crc(A)·x^(8·len(B)) mod P ⊕ crc(B), computed in GF(2)[x]
 * in the reflected bit order. S3 FULL_OBJECT multipart checksums are the
 * parts' CRCs combined this way, in part order.
 */
import type { ChecksumAlgorithm } from "./checksums.ts";

export type CrcAlgorithm = Extract<ChecksumAlgorithm, "crc32" | "crc32c" | "crc64nvme">;

export const CRC_ALGORITHMS: readonly CrcAlgorithm[] = ["crc32", "crc32c", "crc64nvme"];

interface CrcField {
  width: number;
  /** The reflected polynomial. */
  poly: bigint;
  /** x^(2^k) mod P for k = 0..63. */
  powers: bigint[];
  /** x^(8·n) mod P by byte count n, as parts mostly share one size. */
  shifts: Map<number, bigint>;
}

function multiply(field: CrcField, a: bigint, b: bigint): bigint {
  const top = 1n << BigInt(field.width - 1);
  let product = 0n;
  for (let m = top; m > 0n; m >>= 1n) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    b = b & 1n ? (b >> 1n) ^ field.poly : b >> 1n;
  }
  return product;
}

function makeField(width: number, poly: bigint): CrcField {
  const field: CrcField = { width, poly, powers: [], shifts: new Map() };
  // x^1 in reflected order is the second-highest bit.
  let power = 1n << BigInt(width - 2);
  for (let k = 0; k < 64; k++) {
    field.powers.push(power);
    power = multiply(field, power, power);
  }
  return field;
}

const FIELDS: Record<CrcAlgorithm, CrcField> = {
  crc32: makeField(32, 0xedb88320n),
  crc32c: makeField(32, 0x82f63b78n),
  crc64nvme: makeField(64, 0x9a6c9329ac4bc9b5n),
};

/** x^(8·bytes) mod P. */
function byteShift(field: CrcField, bytes: number): bigint {
  const cached = field.shifts.get(bytes);
  if (cached !== undefined) return cached;
  let result = 1n << BigInt(field.width - 1);
  // 8·bytes = 2^3·bytes: walk the bits of `bytes`, starting at x^(2^3).
  let n = BigInt(bytes);
  for (let k = 3; n > 0n; k++, n >>= 1n)
    if (n & 1n) result = multiply(field, field.powers[k], result);
  if (field.shifts.size < 64) field.shifts.set(bytes, result);
  return result;
}

function decode(value: string, width: number): bigint {
  const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  if (bytes.length !== width / 8) throw new RangeError("checksum has the wrong length");
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
}

function encode(value: bigint, width: number): string {
  let binary = "";
  for (let shift = width - 8; shift >= 0; shift -= 8)
    binary += String.fromCharCode(Number((value >> BigInt(shift)) & 0xffn));
  return btoa(binary);
}

/**
 * The CRC of the concatenation of parts, each given as its base64 CRC and
 * byte size. Throws RangeError when a value is not a CRC of that width.
 */
export function combineCrcs(
  algorithm: CrcAlgorithm,
  parts: readonly { checksum: string; size: number }[],
): string {
  const field = FIELDS[algorithm];
  let crc = 0n;
  for (const part of parts)
    crc = multiply(field, byteShift(field, part.size), crc) ^ decode(part.checksum, field.width);
  return encode(crc, field.width);
}

/** True for the algorithms a FULL_OBJECT multipart checksum may use. */
export function isCrcAlgorithm(value: string): value is CrcAlgorithm {
  return (CRC_ALGORITHMS as readonly string[]).includes(value);
}
