/**
 * The one result type of the object layer: a value, or a typed S3 failure
 * (its code from the S3 error table plus the XML detail elements and
 * headers S3 sends beside it). The coordinator replies in several shapes
 * (null for a missing bucket, false, an outcome string, `{ ok, error }`);
 * the object layer turns each into an `ObjectResult` at its edge, and
 * `toS3Error` is the one place a failure becomes an HTTP answer (through
 * `shared/s3-errors.ts`, rendered by the S3 pipeline or the admin API).
 */
import { S3Error, type S3ErrorCode } from "../../shared/s3-errors.ts";

/** Why an object-layer call failed, in S3's terms. */
export interface ObjectFailure {
  code: S3ErrorCode;
  /** Replaces the table's message where S3 words the case more precisely. */
  message?: string;
  /** Extra elements of the S3 error document (BucketName, Key, VersionId, ...). */
  detail?: Record<string, string>;
  /** Extra response headers (e.g. x-amz-delete-marker on a delete marker). */
  headers?: Record<string, string>;
}

export type ObjectResult<T> = { ok: true; value: T } | { ok: false; error: ObjectFailure };

/** A successful result. */
export function ok<T>(value: T): ObjectResult<T> {
  return { ok: true, value };
}

/** A failed result. */
export function fail(
  code: S3ErrorCode,
  options: Omit<ObjectFailure, "code"> = {},
): { ok: false; error: ObjectFailure } {
  return { ok: false, error: { code, ...options } };
}

/** NoSuchBucket, naming the bucket. */
export function noSuchBucket(bucket: string): { ok: false; error: ObjectFailure } {
  return fail("NoSuchBucket", { detail: { BucketName: bucket } });
}

/** The S3 error a failure is answered with. */
export function toS3Error(failure: ObjectFailure): S3Error {
  return new S3Error(failure.code, failure.message, {
    detail: failure.detail,
    headers: failure.headers,
  });
}

/** The value of a result; a failure is thrown as its S3 error. */
export function unwrap<T>(result: ObjectResult<T>): T {
  if (!result.ok) throw toS3Error(result.error);
  return result.value;
}
