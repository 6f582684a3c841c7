/**
 * Additional checksums on the wire. A write names at most one algorithm:
 * with its value up front (`x-amz-checksum-<alg>: value`) or in the
 * aws-chunked trailer (`x-amz-trailer: x-amz-checksum-<alg>`, as current AWS
 * SDKs send by default). Floe computes it while streaming and refuses a
 * mismatch with BadDigest before anything is committed. Reads return stored
 * checksums with `x-amz-checksum-mode: ENABLED`, for whole objects only.
 */
import {
  createChecksum,
  isChecksumAlgorithm,
  type Checksum,
  type ChecksumAlgorithm,
} from "../../shared/checksums.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";

const PREFIX = "x-amz-checksum-";

export interface ChecksumPlan {
  algorithm: ChecksumAlgorithm;
  /** The value given in a header; null when it comes in the trailer. */
  expected: string | null;
  checksum: Checksum;
}

/** What checksum, if any, a write asks for. */
export function checksumPlan(headers: Headers): ChecksumPlan | null {
  const given: [ChecksumAlgorithm, string][] = [];
  headers.forEach((value, name) => {
    if (
      !name.startsWith(PREFIX) ||
      name === "x-amz-checksum-type" ||
      name === "x-amz-checksum-mode"
    )
      return;
    const algorithm = name.slice(PREFIX.length);
    if (!isChecksumAlgorithm(algorithm))
      throw new S3Error("InvalidRequest", `Unsupported checksum header ${name}.`);
    given.push([algorithm, value.trim()]);
  });
  if (given.length > 1)
    throw new S3Error(
      "InvalidRequest",
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  if (given.length === 1) {
    const [algorithm, expected] = given[0];
    return { algorithm, expected, checksum: createChecksum(algorithm) };
  }
  const trailer = headers.get("x-amz-trailer")?.trim().toLowerCase();
  if (trailer?.startsWith(PREFIX)) {
    const algorithm = trailer.slice(PREFIX.length);
    if (!isChecksumAlgorithm(algorithm))
      throw new S3Error("InvalidRequest", `Unsupported checksum trailer ${trailer}.`);
    return { algorithm, expected: null, checksum: createChecksum(algorithm) };
  }
  const declared = headers.get("x-amz-sdk-checksum-algorithm")?.toLowerCase();
  if (declared && isChecksumAlgorithm(declared))
    return { algorithm: declared, expected: null, checksum: createChecksum(declared) };
  return null;
}

/** Finishes a write's checksum: compares with the header or trailer value; returns what to store. */
export async function finishChecksum(
  plan: ChecksumPlan | null,
  trailers: Promise<Record<string, string>>,
): Promise<Record<string, string>> {
  if (!plan) return {};
  const actual = plan.checksum.digest();
  const expected = plan.expected ?? (await trailers)[`${PREFIX}${plan.algorithm}`] ?? null;
  if (expected !== null && expected !== actual) {
    throw new S3Error(
      "BadDigest",
      `The ${plan.algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    );
  }
  return { [plan.algorithm]: actual };
}

/** Adds stored checksums to a whole-object GET/HEAD response when asked for. */
export function addChecksumHeaders(
  headers: Headers,
  request: Headers,
  record: VersionRecord,
  whole: boolean,
): void {
  if (!whole || request.get("x-amz-checksum-mode")?.toUpperCase() !== "ENABLED") return;
  for (const [algorithm, value] of Object.entries(record.checksums)) {
    headers.set(`${PREFIX}${algorithm}`, value);
    headers.set("x-amz-checksum-type", value.includes("-") ? "COMPOSITE" : "FULL_OBJECT");
  }
}
