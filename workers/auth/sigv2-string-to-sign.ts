/**
 * AWS Signature Version 2 (S3's "AWS" scheme) string to sign, kept for
 * clients whose defaults still use it (aws CLI v1 and boto3 presigned URLs,
 * s3cmd --signature-v2). Floe verifies it and never signs with it.
 *
 * StringToSign = METHOD \n Content-MD5 \n Content-Type \n DATE \n
 *                CanonicalizedAmzHeaders CanonicalizedResource
 * - Content-MD5 and Content-Type: the header values (trimmed), empty when
 *   absent.
 * - DATE: header auth uses the Date header, or the empty string when
 *   x-amz-date is present (x-amz-date is then signed among the amz
 *   headers); presigned URLs put their Expires value here.
 * - CanonicalizedAmzHeaders: every x-amz-* header, name lower-cased, sorted
 *   by name, `name:value\n`, the value trimmed with folded lines unfolded
 *   to one space (the runtime has already joined repeated headers).
 * - CanonicalizedResource: `/<bucket>` when the bucket came from the Host
 *   (virtual-hosted style), then the path as sent, then `?` and the
 *   sub-resources present in the query, sorted by name, `name` or
 *   `name=value` (as sent: `name=` keeps its '='), names and values
 *   percent-decoded, joined by `&`.
 *   The sub-resources are the union of AWS's list and those of the common
 *   v2 signers (botocore, s3cmd, MinIO) plus every parameter that selects
 *   an action in Floe's request classifier, so a parameter appended to a
 *   v2 presigned URL cannot turn it into a different action.
 * - signature = base64(HMAC-SHA1(secret, UTF-8 bytes of StringToSign)).
 */
import { createHmac } from "node:crypto";

/** Query parameters that are part of the canonicalized resource, by decoded name. */
const SUB_RESOURCES: ReadonlySet<string> = new Set([
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "cors",
  "defaultObjectAcl",
  "delete",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "partNumber",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
  "restore",
  "retention",
  "select",
  "select-type",
  "storageClass",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
]);

/** What the string to sign is built from. */
export interface StringToSignInput {
  method: string;
  /** Content-MD5 and Content-Type as signed ("" when absent). */
  contentMd5: string;
  contentType: string;
  /** The DATE line: the Date header, "" (x-amz-date present) or a presigned URL's Expires. */
  date: string;
  /** The x-amz-* values that are signed, by lower-case name. */
  amzHeaders: ReadonlyMap<string, string>;
  /** The canonicalized resource (see canonicalResource). */
  resource: string;
}

/** A header value as v2 signs it: trimmed, folded lines unfolded to one space. */
function amzHeaderValue(value: string): string {
  return value.replace(/\s*\r?\n\s*/g, " ").trim();
}

/** The x-amz-* headers of a request, by lower-case name (Headers keeps names lower-case). */
export function amzHeadersOf(headers: Headers): Map<string, string> {
  const found = new Map<string, string>();
  headers.forEach((value, name) => {
    if (name.startsWith("x-amz-")) found.set(name, value);
  });
  return found;
}

/** CanonicalizedAmzHeaders: `name:value\n` for each x-amz-* header, sorted by name. */
function canonicalAmzHeaders(amzHeaders: ReadonlyMap<string, string>): string {
  return [...amzHeaders.keys()]
    .sort()
    .map((name) => `${name}:${amzHeaderValue(amzHeaders.get(name) ?? "")}\n`)
    .join("");
}

/**
 * CanonicalizedResource of a request: `path` is the path (as sent or
 * re-encoded), `virtualBucket` the bucket named by the Host, `rawQuery`
 * the query as sent (without `?`). Parameters are decoded as the request
 * classifier decodes them, so the action the signer saw is the action run.
 */
export function canonicalResource(
  path: string,
  virtualBucket: string | null,
  rawQuery: string,
): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    // One pair, decoded as the classifier decodes it ('+' is a space).
    const entry = new URLSearchParams(part).entries().next();
    if (entry.done) continue;
    const [name, value] = entry.value;
    if (!SUB_RESOURCES.has(name)) continue;
    // `name=` keeps its '=': v2 signers sign the parameter as they send it.
    pairs.push([name, part.includes("=") ? `${name}=${value}` : name]);
  }
  // Stable sort by name only: S3 and the v2 signers keep repeated names in request order.
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pairs.map(([, text]) => text).join("&");
  const prefix = virtualBucket === null ? "" : `/${virtualBucket}`;
  return `${prefix}${path}${query === "" ? "" : `?${query}`}`;
}

/** The v2 string to sign. */
export function stringToSignV2(input: StringToSignInput): string {
  return [
    input.method,
    input.contentMd5.trim(),
    input.contentType.trim(),
    input.date,
    `${canonicalAmzHeaders(input.amzHeaders)}${input.resource}`,
  ].join("\n");
}

/** base64(HMAC-SHA1(secret, stringToSign)). */
export function signV2(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");
}

/** The string to sign as space-separated hex bytes, as S3's StringToSignBytes shows it. */
export function stringToSignBytes(stringToSign: string): string {
  return [...new TextEncoder().encode(stringToSign)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join(" ");
}
