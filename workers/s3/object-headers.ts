/**
 * Object metadata carried in HTTP headers. On write: Content-Type, the
 * stored standard headers (Content-Encoding without the `aws-chunked`
 * transfer token, Content-Disposition, Content-Language, Cache-Control,
 * Expires), x-amz-meta-* user metadata (at most 2 KB, names lower-cased) and
 * x-amz-storage-class (any class AWS names). On read: the same back, plus
 * ETag (quoted), Last-Modified, Content-Length and Accept-Ranges; the
 * storage class only when it is not STANDARD, as S3 does. Floe does not
 * encrypt objects, so a write asking for server-side encryption (SSE-S3,
 * SSE-KMS or SSE-C headers) is 501 NotImplemented rather than stored
 * unencrypted as if it had been honoured.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import {
  isStorageClass,
  type StorageClass,
  type VersionRecord,
} from "../../shared/types/version-record.ts";

const STORED_HEADERS = [
  "content-encoding",
  "content-disposition",
  "content-language",
  "cache-control",
  "expires",
];
const MAX_USER_METADATA = 2048;
const ENCRYPTION_HEADERS = /^x-amz-(copy-source-)?server-side-encryption(-|$)/;

/** NotImplemented when the request asks for server-side encryption of the object it writes. */
function refuseServerSideEncryption(headers: Headers): void {
  for (const name of headers.keys()) {
    if (ENCRYPTION_HEADERS.test(name)) {
      throw new S3Error("NotImplemented", "Server-side encryption is not implemented.", {
        detail: { Header: name },
      });
    }
  }
}

export interface ObjectMetadata {
  contentType?: string;
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
  storageClass: StorageClass;
}

/** Reads the metadata of a new object from request headers. */
export function metadataFromRequest(headers: Headers): ObjectMetadata {
  refuseServerSideEncryption(headers);
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = headers.get(name);
    if (value === null) continue;
    if (name === "content-encoding") {
      value = value
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token !== "" && token.toLowerCase() !== "aws-chunked")
        .join(",");
      if (value === "") continue;
    }
    stored[name] = value;
  }
  const userMetadata: Record<string, string> = {};
  let metadataSize = 0;
  headers.forEach((value, name) => {
    if (!name.startsWith("x-amz-meta-")) return;
    const key = name.slice("x-amz-meta-".length);
    userMetadata[key] = value;
    metadataSize += key.length + value.length;
  });
  if (metadataSize > MAX_USER_METADATA) throw new S3Error("MetadataTooLarge");
  const storageClass = headers.get("x-amz-storage-class") ?? "STANDARD";
  if (!isStorageClass(storageClass)) throw new S3Error("InvalidStorageClass");
  return {
    contentType: headers.get("content-type") ?? undefined,
    headers: stored,
    userMetadata,
    storageClass,
  };
}

/** Response headers describing a version (GET and HEAD). */
export function objectResponseHeaders(record: VersionRecord, versioned: boolean): Headers {
  const headers = new Headers();
  headers.set("etag", `"${record.etag}"`);
  headers.set("last-modified", new Date(record.mtime).toUTCString());
  headers.set("accept-ranges", "bytes");
  headers.set("content-type", record.contentType ?? "binary/octet-stream");
  for (const [name, value] of Object.entries(record.headers)) headers.set(name, value);
  for (const [name, value] of Object.entries(record.userMetadata))
    headers.set(`x-amz-meta-${name}`, value);
  if (record.storageClass !== "STANDARD") headers.set("x-amz-storage-class", record.storageClass);
  if (versioned) headers.set("x-amz-version-id", record.versionId);
  const tagCount = Object.keys(record.tags ?? {}).length;
  if (tagCount > 0) headers.set("x-amz-tagging-count", String(tagCount));
  return headers;
}
