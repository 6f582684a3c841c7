/**
 * Request parameters of uploads (PutObject, UploadPart, UploadPartCopy,
 * DeleteObjects): the declared payload length, Content-MD5 (base64 of 16
 * bytes, else InvalidDigest) and part numbers (integers 1..10000, else
 * InvalidArgument naming the parameter).
 */
import { S3Error } from "../../shared/s3-errors.ts";
import type { S3Context } from "./context.ts";

const MAX_PARTS = 10_000;

/** The declared payload length: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length. */
export function declaredPayloadLength(ctx: S3Context): number | null {
  const decoded = ctx.request.headers.get("x-amz-decoded-content-length");
  const raw = decoded ?? ctx.request.headers.get("content-length");
  if (raw === null) return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new S3Error("InvalidArgument", "Invalid Content-Length.");
  return n;
}

/** Decodes a Content-MD5 header (base64 of 16 bytes); InvalidDigest when malformed. */
export function parseContentMd5(header: string | null): Uint8Array | null {
  if (header === null) return null;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(header.trim()), (c) => c.charCodeAt(0));
  } catch {
    throw new S3Error("InvalidDigest");
  }
  if (bytes.length !== 16) throw new S3Error("InvalidDigest");
  return bytes;
}

/** Byte-wise equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Parses a part number: an integer 1..10000. */
export function parsePartNumber(value: string | null): number {
  const n = Number(value);
  if (value === null || !/^\d+$/.test(value) || n < 1 || n > MAX_PARTS) {
    throw new S3Error(
      "InvalidArgument",
      "Part number must be an integer between 1 and 10000, inclusive",
      {
        detail: { ArgumentName: "partNumber", ArgumentValue: value ?? "" },
      },
    );
  }
  return n;
}
