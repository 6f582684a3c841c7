/**
 * Conditional requests, as S3 evaluates them.
 * Reads (GET, HEAD): If-Match fails → 412; else If-None-Match matches → 304;
 * If-Unmodified-Since is only checked without If-Match (later → 412);
 * If-Modified-Since only without If-None-Match (not later → 304).
 * Copy sources use the x-amz-copy-source-if-* headers with 412 for every
 * failure. ETags compare without quotes; `*` matches any existing object.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";

function etagList(header: string): string[] {
  return header.split(",").map((tag) => tag.trim().replace(/^W\//, "").replace(/^"|"$/g, ""));
}

/** True when the header's ETag list matches the record's ETag (or is `*`). */
export function etagMatches(header: string, etag: string): boolean {
  return etagList(header).some((tag) => tag === "*" || tag === etag);
}

function parseDate(value: string | null): number | null {
  if (value === null) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

/** Seconds precision, as HTTP dates carry. */
function modifiedAfter(record: VersionRecord, time: number): boolean {
  return Math.floor(record.mtime / 1000) > Math.floor(time / 1000);
}

/** Checks GET/HEAD preconditions; throws 412 PreconditionFailed or 304 NotModified. */
export function checkReadConditions(headers: Headers, record: VersionRecord): void {
  const ifMatch = headers.get("if-match");
  const ifNoneMatch = headers.get("if-none-match");
  const ifModifiedSince = parseDate(headers.get("if-modified-since"));
  const ifUnmodifiedSince = parseDate(headers.get("if-unmodified-since"));
  const notModified = () =>
    new S3Error("NotModified", undefined, {
      headers: { etag: `"${record.etag}"`, "last-modified": new Date(record.mtime).toUTCString() },
    });
  if (ifMatch !== null) {
    if (!etagMatches(ifMatch, record.etag))
      throw new S3Error("PreconditionFailed", undefined, { detail: { Condition: "If-Match" } });
  } else if (ifUnmodifiedSince !== null && modifiedAfter(record, ifUnmodifiedSince)) {
    throw new S3Error("PreconditionFailed", undefined, {
      detail: { Condition: "If-Unmodified-Since" },
    });
  }
  if (ifNoneMatch !== null) {
    if (etagMatches(ifNoneMatch, record.etag)) throw notModified();
  } else if (ifModifiedSince !== null && !modifiedAfter(record, ifModifiedSince)) {
    throw notModified();
  }
}

/** Checks x-amz-copy-source-if-* against the source version; 412 on failure. */
export function checkCopySourceConditions(headers: Headers, record: VersionRecord): void {
  const ifMatch = headers.get("x-amz-copy-source-if-match");
  const ifNoneMatch = headers.get("x-amz-copy-source-if-none-match");
  const ifModifiedSince = parseDate(headers.get("x-amz-copy-source-if-modified-since"));
  const ifUnmodifiedSince = parseDate(headers.get("x-amz-copy-source-if-unmodified-since"));
  const fail = (condition: string) =>
    new S3Error("PreconditionFailed", undefined, { detail: { Condition: condition } });
  if (ifMatch !== null && !etagMatches(ifMatch, record.etag))
    throw fail("x-amz-copy-source-If-Match");
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, record.etag))
    throw fail("x-amz-copy-source-If-None-Match");
  if (ifMatch === null && ifUnmodifiedSince !== null && modifiedAfter(record, ifUnmodifiedSince)) {
    throw fail("x-amz-copy-source-If-Unmodified-Since");
  }
  if (ifNoneMatch === null && ifModifiedSince !== null && !modifiedAfter(record, ifModifiedSince)) {
    throw fail("x-amz-copy-source-If-Modified-Since");
  }
}

/** A conditional write: If-None-Match: * (create only) or If-Match: etag (replace that version only). */
export type WriteCondition = { ifNoneMatch: "*" } | { ifMatch: string } | null;

/** Reads a PUT's write condition. */
export function writeCondition(headers: Headers): WriteCondition {
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (ifNoneMatch.trim() !== "*")
      throw new S3Error("NotImplemented", "If-None-Match on writes supports only *.");
    return { ifNoneMatch: "*" };
  }
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) return { ifMatch: ifMatch.trim().replace(/^"|"$/g, "") };
  return null;
}
