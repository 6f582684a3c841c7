/**
 * Classifies an S3 request into its exact AWS action: pure, no I/O.
 * Bucket and key come from the path (path style) or, when a base domain is
 * configured and the Host is `<bucket>.<domain>`, from the host (virtual
 * hosted style). The key is the rest of the path, percent-decoded. The
 * action follows from the method, whether there is a bucket and a key, and
 * the subresource in the query (`?versioning`, `?uploads`, ...). Paths and
 * query values S3 cannot accept are refused here (see request-line.ts).
 */
import { REPLICA_BATCH_QUERY } from "../../shared/replication/batch.ts";
import type { S3Action } from "./actions.ts";
import { checkDotSegments, checkQueryValues, decodeSegment } from "./request-line.ts";

export interface S3Request {
  action: S3Action;
  bucket: string | null;
  key: string | null;
  query: URLSearchParams;
}

type Table = readonly (readonly [string, S3Action])[];

const BUCKET_PUT: Table = [
  ["versioning", "PutBucketVersioning"],
  ["tagging", "PutBucketTagging"],
  ["policy", "PutBucketPolicy"],
  ["replication", "PutBucketReplication"],
  ["lifecycle", "PutBucketLifecycleConfiguration"],
  ["object-lock", "PutObjectLockConfiguration"],
  ["encryption", "PutBucketEncryption"],
  ["acl", "PutBucketAcl"],
  ["cors", "PutBucketCors"],
  ["notification", "PutBucketNotificationConfiguration"],
  ["website", "PutBucketWebsite"],
  ["logging", "PutBucketLogging"],
  ["ownershipControls", "PutBucketOwnershipControls"],
  ["publicAccessBlock", "PutPublicAccessBlock"],
  ["accelerate", "PutBucketAccelerateConfiguration"],
  ["requestPayment", "PutBucketRequestPayment"],
  ["analytics", "PutBucketAnalyticsConfiguration"],
  ["metrics", "PutBucketMetricsConfiguration"],
  ["inventory", "PutBucketInventoryConfiguration"],
  ["intelligent-tiering", "PutBucketIntelligentTieringConfiguration"],
];

const BUCKET_GET: Table = [
  ["location", "GetBucketLocation"],
  ["versions", "ListObjectVersions"],
  ["uploads", "ListMultipartUploads"],
  ["versioning", "GetBucketVersioning"],
  ["tagging", "GetBucketTagging"],
  ["policyStatus", "GetBucketPolicyStatus"],
  ["policy", "GetBucketPolicy"],
  ["replication", "GetBucketReplication"],
  ["lifecycle", "GetBucketLifecycleConfiguration"],
  ["object-lock", "GetObjectLockConfiguration"],
  ["encryption", "GetBucketEncryption"],
  ["acl", "GetBucketAcl"],
  ["cors", "GetBucketCors"],
  ["notification", "GetBucketNotificationConfiguration"],
  ["website", "GetBucketWebsite"],
  ["logging", "GetBucketLogging"],
  ["ownershipControls", "GetBucketOwnershipControls"],
  ["publicAccessBlock", "GetPublicAccessBlock"],
  ["accelerate", "GetBucketAccelerateConfiguration"],
  ["requestPayment", "GetBucketRequestPayment"],
  ["analytics", "GetBucketAnalyticsConfiguration"],
  ["metrics", "GetBucketMetricsConfiguration"],
  ["inventory", "GetBucketInventoryConfiguration"],
  ["intelligent-tiering", "GetBucketIntelligentTieringConfiguration"],
];

const BUCKET_DELETE: Table = [
  ["tagging", "DeleteBucketTagging"],
  ["policy", "DeleteBucketPolicy"],
  ["replication", "DeleteBucketReplication"],
  ["lifecycle", "DeleteBucketLifecycle"],
  ["encryption", "DeleteBucketEncryption"],
  ["cors", "DeleteBucketCors"],
  ["website", "DeleteBucketWebsite"],
  ["ownershipControls", "DeleteBucketOwnershipControls"],
  ["publicAccessBlock", "DeletePublicAccessBlock"],
  ["analytics", "DeleteBucketAnalyticsConfiguration"],
  ["metrics", "DeleteBucketMetricsConfiguration"],
  ["inventory", "DeleteBucketInventoryConfiguration"],
  ["intelligent-tiering", "DeleteBucketIntelligentTieringConfiguration"],
];

const OBJECT_PUT: Table = [
  ["tagging", "PutObjectTagging"],
  ["acl", "PutObjectAcl"],
  ["retention", "PutObjectRetention"],
  ["legal-hold", "PutObjectLegalHold"],
];

const OBJECT_GET: Table = [
  ["uploadId", "ListParts"],
  ["tagging", "GetObjectTagging"],
  ["acl", "GetObjectAcl"],
  ["retention", "GetObjectRetention"],
  ["legal-hold", "GetObjectLegalHold"],
  ["attributes", "GetObjectAttributes"],
  ["torrent", "GetObjectTorrent"],
];

const OBJECT_DELETE: Table = [
  ["uploadId", "AbortMultipartUpload"],
  ["tagging", "DeleteObjectTagging"],
];

const OBJECT_POST: Table = [
  ["uploads", "CreateMultipartUpload"],
  ["uploadId", "CompleteMultipartUpload"],
  ["restore", "RestoreObject"],
  ["select", "SelectObjectContent"],
];

/**
 * Every query parameter that selects an action (SigV2 signs each of them, so
 * one appended to a signed URL cannot change its action). `list-type` is
 * left out: it only picks the listing format, under the same permission.
 */
export const ACTION_PARAMETERS: ReadonlySet<string> = new Set([
  ...[BUCKET_PUT, BUCKET_GET, BUCKET_DELETE, OBJECT_PUT, OBJECT_GET, OBJECT_DELETE, OBJECT_POST]
    .flat()
    .map(([param]) => param),
  "partNumber",
  "delete",
]);

function pick(query: URLSearchParams, table: Table): S3Action | null {
  for (const [param, action] of table) if (query.has(param)) return action;
  return null;
}

/** Splits host and path into bucket and key; InvalidURI for bad escapes or `.`/`..` segments. */
export function locate(
  host: string,
  path: string,
  domain: string,
): { bucket: string | null; key: string | null } {
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  checkDotSegments(path.slice(1).split("/").map(decodeSegment).join("/"));
  const decode = decodeSegment;
  if (domain && hostname.endsWith(`.${domain}`)) {
    const bucket = hostname.slice(0, -(domain.length + 1));
    const rest = path.replace(/^\//, "");
    return { bucket, key: rest === "" ? null : decode(rest) };
  }
  const trimmed = path.replace(/^\//, "");
  if (trimmed === "") return { bucket: null, key: null };
  const slash = trimmed.indexOf("/");
  if (slash < 0) return { bucket: decode(trimmed), key: null };
  const key = trimmed.slice(slash + 1);
  return { bucket: decode(trimmed.slice(0, slash)), key: key === "" ? null : decode(key) };
}

/**
 * Maps a request to its S3 action; null when no action fits (→ 405
 * MethodNotAllowed). Throws InvalidURI / InvalidArgument for a path or
 * header-bound query value S3 cannot accept.
 */
export function classifyS3Request(
  method: string,
  rawUrl: string,
  headers: Headers,
  domain: string,
): S3Request | null {
  const url = new URL(rawUrl);
  const { bucket, key } = locate(headers.get("host") ?? url.host, rawPath(rawUrl), domain);
  const query = url.searchParams;
  checkQueryValues(query);
  const done = (action: S3Action | null) => (action ? { action, bucket, key, query } : null);
  if (!bucket) return done(method === "GET" ? "ListBuckets" : null);
  if (key === null) {
    switch (method) {
      case "PUT":
        return done(pick(query, BUCKET_PUT) ?? "CreateBucket");
      case "GET":
        if (query.get("list-type") === "2") return done("ListObjectsV2");
        return done(pick(query, BUCKET_GET) ?? "ListObjects");
      case "HEAD":
        return done("HeadBucket");
      case "DELETE":
        return done(pick(query, BUCKET_DELETE) ?? "DeleteBucket");
      case "POST":
        if (query.has(REPLICA_BATCH_QUERY)) return done("ReplicateObjects");
        return done(query.has("delete") ? "DeleteObjects" : "PostObject");
      default:
        return null;
    }
  }
  switch (method) {
    case "PUT":
      if (query.has("partNumber") && query.has("uploadId")) {
        return done(headers.has("x-amz-copy-source") ? "UploadPartCopy" : "UploadPart");
      }
      return done(
        pick(query, OBJECT_PUT) ?? (headers.has("x-amz-copy-source") ? "CopyObject" : "PutObject"),
      );
    case "GET":
      return done(pick(query, OBJECT_GET) ?? "GetObject");
    case "HEAD":
      return done("HeadObject");
    case "DELETE":
      return done(pick(query, OBJECT_DELETE) ?? "DeleteObject");
    case "POST":
      return done(pick(query, OBJECT_POST));
    default:
      return null;
  }
}

/** The request path as sent: URL parsing would re-encode it and resolve `.` and `..` segments. */
export function rawPath(rawUrl: string): string {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(rawUrl);
  return match?.[1] || "/";
}
