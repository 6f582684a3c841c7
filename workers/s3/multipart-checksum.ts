/**
 * Multipart checksums. CreateMultipartUpload may name an algorithm
 * (`x-amz-checksum-algorithm`) and a type (`x-amz-checksum-type`):
 * COMPOSITE (the checksum of the parts' checksums, suffixed "-N"; the
 * default, not for CRC64NVME) or FULL_OBJECT (the checksum of the whole
 * object's bytes; CRC32, CRC32C and CRC64NVME only, and CRC64NVME's
 * default). A type without an algorithm, or a type the algorithm cannot
 * take, is InvalidRequest. Every part of an upload with an algorithm gets
 * that checksum, computed by Floe when the part request carries none; a
 * part sent with another algorithm is InvalidRequest. A FULL_OBJECT value
 * is the parts' CRCs combined, so completion never re-reads the data; a
 * value sent on CompleteMultipartUpload (header `x-amz-checksum-<alg>`) is
 * checked against it, and so is `x-amz-checksum-type`: BadDigest when
 * either differs.
 */
import { compositeChecksum, createChecksum, isChecksumAlgorithm } from "../../shared/checksums.ts";
import type { ChecksumAlgorithm } from "../../shared/checksums.ts";
import { combineCrcs, isCrcAlgorithm } from "../../shared/crc-combine.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import type { UploadedPart } from "../../shared/types/bucket-rpc.ts";
import type { ChecksumPlan } from "./checksum-headers.ts";

export const CHECKSUM_TYPES = ["COMPOSITE", "FULL_OBJECT"] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

export interface UploadChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
}

/** The checksum a CreateMultipartUpload asks for, or null. */
export function uploadChecksum(headers: Headers): UploadChecksum | null {
  const algorithm = headers.get("x-amz-checksum-algorithm")?.trim().toLowerCase();
  const type = headers.get("x-amz-checksum-type")?.trim().toUpperCase();
  if (algorithm === undefined || algorithm === "") {
    if (type)
      throw new S3Error(
        "InvalidRequest",
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
      );
    return null;
  }
  if (!isChecksumAlgorithm(algorithm))
    throw new S3Error("InvalidRequest", "Checksum algorithm provided is unsupported.");
  if (type !== undefined && !(CHECKSUM_TYPES as readonly string[]).includes(type))
    throw new S3Error("InvalidRequest", "Value for x-amz-checksum-type header is invalid.");
  const chosen = (type ??
    (algorithm === "crc64nvme" ? "FULL_OBJECT" : "COMPOSITE")) as ChecksumType;
  if (chosen === "FULL_OBJECT" && !isCrcAlgorithm(algorithm))
    throw new S3Error(
      "InvalidRequest",
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm} checksum algorithm.`,
    );
  if (chosen === "COMPOSITE" && algorithm === "crc64nvme")
    throw new S3Error(
      "InvalidRequest",
      "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
    );
  return { algorithm, type: chosen };
}

/**
 * The checksum to compute for one part: the request's own, which must use
 * the upload's algorithm, or else the upload's, computed without a value
 * to compare.
 */
export function partChecksumPlan(
  upload: UploadChecksum | null,
  requested: ChecksumPlan | null,
): ChecksumPlan | null {
  if (!upload || (requested && requested.algorithm === upload.algorithm)) return requested;
  if (requested)
    throw new S3Error(
      "InvalidRequest",
      `Checksum Type mismatch occurred, expected checksum Type: ${upload.algorithm}, actual checksum Type: ${requested.algorithm}`,
    );
  return {
    algorithm: upload.algorithm,
    expected: null,
    checksum: createChecksum(upload.algorithm),
  };
}

/**
 * The object checksum of a completed upload (algorithm → value), checked
 * against what the CompleteMultipartUpload request states.
 */
export function completedChecksums(
  upload: UploadChecksum | null,
  parts: readonly UploadedPart[],
  request: Headers,
): Record<string, string> {
  const algorithm = upload?.algorithm ?? Object.keys(parts[0]?.checksums ?? {})[0];
  if (!algorithm || !isChecksumAlgorithm(algorithm)) return {};
  // Parts stored before Floe computed every part's checksum may lack one.
  if (parts.some((part) => !part.checksums[algorithm])) return {};
  const type = upload?.type ?? "COMPOSITE";
  const statedType = request.get("x-amz-checksum-type")?.trim().toUpperCase();
  if (statedType && statedType !== type)
    throw new S3Error(
      "BadDigest",
      `The ${statedType} checksum type you specified did not match the ${type} type of the upload.`,
    );
  if (type === "COMPOSITE")
    return {
      [algorithm]: compositeChecksum(
        algorithm,
        parts.map((part) => part.checksums[algorithm]),
      ),
    };
  if (!isCrcAlgorithm(algorithm)) return {};
  let value: string;
  try {
    value = combineCrcs(
      algorithm,
      parts.map((part) => ({ checksum: part.checksums[algorithm], size: part.size })),
    );
  } catch {
    throw new S3Error("InvalidRequest", `A part's ${algorithm} checksum is malformed.`);
  }
  const stated = request.get(`x-amz-checksum-${algorithm}`)?.trim();
  if (stated !== undefined && stated !== value)
    throw new S3Error(
      "BadDigest",
      `The ${algorithm} you specified did not match the calculated checksum.`,
    );
  return { [algorithm]: value };
}
