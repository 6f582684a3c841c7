/**
 * The condition keys of one request, as policies see them: global `aws:`
 * keys (SourceIp, SecureTransport, CurrentTime, EpochTime, UserAgent,
 * Referer, username, userid, principaltype) and S3's (`s3:prefix`,
 * `s3:delimiter`, `s3:max-keys` on listings, `s3:VersionId`, the request's
 * x-amz-* headers such as `s3:x-amz-server-side-encryption`, object lock
 * headers, `s3:RequestObjectTag/<k>`, `s3:signatureversion` ("AWS" for
 * SigV2, "AWS4-HMAC-SHA256"), `s3:authType` ("REST-HEADER",
 * "REST-QUERY-STRING")). `s3:ExistingObjectTag/<k>` needs the stored object and is
 * added by the authorizer only when a policy asks for it. A key the request
 * does not carry is absent, not empty.
 */
import { conditionKey } from "../../shared/iam/conditions.ts";
import type { SignatureVersion } from "../auth/sigv4.ts";
import type { S3Action } from "../s3/actions.ts";
import type { Identity } from "./identity.ts";

const LISTINGS: ReadonlySet<S3Action> = new Set([
  "ListObjects",
  "ListObjectsV2",
  "ListObjectVersions",
  "ListMultipartUploads",
]);

/** Request headers exposed as `s3:<header>` condition keys. */
const HEADER_KEYS = [
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-customer-algorithm",
  "x-amz-acl",
  "x-amz-copy-source",
  "x-amz-metadata-directive",
  "x-amz-storage-class",
  "x-amz-content-sha256",
  "x-amz-grant-read",
  "x-amz-grant-write",
  "x-amz-grant-full-control",
];

export interface ConditionSource {
  request: Request;
  action: S3Action | null;
  query: URLSearchParams;
  identity: Identity | null;
  presigned: boolean;
  /** How the request was signed; null when anonymous. */
  signatureVersion: SignatureVersion | null;
  now?: Date;
}

export function requestConditionValues(source: ConditionSource): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const set = (key: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined) values.set(conditionKey(key), [value]);
  };
  const { request, query, identity } = source;
  const headers = request.headers;
  const now = source.now ?? new Date();
  const url = new URL(request.url);
  set("aws:SourceIp", sourceIp(headers));
  set("aws:SecureTransport", String(url.protocol === "https:"));
  set("aws:CurrentTime", now.toISOString());
  set("aws:EpochTime", String(Math.floor(now.getTime() / 1000)));
  set("aws:UserAgent", headers.get("user-agent"));
  set("aws:Referer", headers.get("referer"));
  set(
    "aws:principaltype",
    identity ? (identity.kind === "root" ? "Account" : "User") : "Anonymous",
  );
  if (identity) {
    set("aws:username", identity.user);
    set("aws:userid", identity.user);
  }
  set("s3:signatureversion", identity ? source.signatureVersion : null);
  set("s3:authType", identity ? (source.presigned ? "REST-QUERY-STRING" : "REST-HEADER") : null);
  if (source.action && LISTINGS.has(source.action)) {
    set("s3:prefix", query.get("prefix"));
    set("s3:delimiter", query.get("delimiter"));
    set("s3:max-keys", query.get("max-keys"));
  }
  set("s3:VersionId", query.get("versionId"));
  for (const header of HEADER_KEYS) set(`s3:${header}`, headers.get(header));
  set("s3:object-lock-mode", headers.get("x-amz-object-lock-mode"));
  set("s3:object-lock-retain-until-date", headers.get("x-amz-object-lock-retain-until-date"));
  set("s3:object-lock-legal-hold", headers.get("x-amz-object-lock-legal-hold"));
  set("s3:LocationConstraint", null);
  const tagging = headers.get("x-amz-tagging");
  if (tagging) {
    const tags = new URLSearchParams(tagging);
    values.set(conditionKey("s3:RequestObjectTagKeys"), [...new Set(tags.keys())]);
    for (const [k, v] of tags) set(`s3:RequestObjectTag/${k}`, v);
  }
  return values;
}

/** The client's address: Cloudflare's CF-Connecting-IP, else loopback (local runs). */
function sourceIp(headers: Headers): string {
  return headers.get("cf-connecting-ip") ?? "127.0.0.1";
}
