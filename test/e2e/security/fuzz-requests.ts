/**
 * The request generator of the security fuzz run: a seeded PRNG (mulberry32)
 * drives S3 requests that are valid enough to reach deep into Floe and odd
 * enough to test every parser on the way: SigV4 header auth with mutations
 * (odd but signed headers, bad dates, bad scopes, truncated Authorization,
 * duplicated headers), presigned URLs with mutated parameters, anonymous
 * requests, random keys (unicode, control characters, dot segments, percent
 * junk, very long), random query parameters (ids, list parameters,
 * response-* overrides, encoding-type, max-keys junk, subresources), Range
 * junk, replica headers, and random XML bodies (truncated, entities, deep
 * nesting, many attributes), each at most a few KB.
 */
import { createHash } from "node:crypto";
import { amzDateOf, canonicalRequest, uriEncode } from "../../../shared/sigv4/canonical.ts";
import { deriveSigningKey, hmacHex, requestStringToSign } from "../../../workers/auth/signature.ts";
import { ALGORITHM, scopeOf } from "../../../shared/sigv4/scope.ts";
import { signRaw, type RawRequest } from "../harness/raw.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER } from "../harness/site.ts";
import type { Random } from "./fuzz-inputs.ts";
import {
  KEY_PIECES,
  PARAMS,
  POLICIES,
  QUERY_VALUES,
  SUBRESOURCES,
  xmlBody,
} from "./fuzz-inputs.ts";

/** What the run knows about the site: the fuzzed bucket and real ids in it. */
export interface FuzzTarget {
  host: string;
  bucket: string;
  keys: string[];
  versionIds: string[];
  uploadIds: string[];
}

/** One generated request and how it was made (printed for a failure). */
export interface FuzzCase {
  index: number;
  request: RawRequest;
  description: string;
}

function randomKey(rng: Random, target: FuzzTarget): string {
  if (rng.chance(0.25))
    return target.keys.length ? rng.pick(target.keys).split("/").map(uriEncode).join("/") : "obj";
  if (rng.chance(0.05)) return "k".repeat(900 + rng.int(300));
  if (rng.chance(0.03)) return "%E2%82%AC".repeat(300 + rng.int(100));
  let key = "";
  const pieces = 1 + rng.int(5);
  for (let i = 0; i < pieces; i++) key += rng.pick(KEY_PIECES);
  return key;
}

function randomValue(rng: Random, name: string, target: FuzzTarget): string {
  if (name === "versionId" && target.versionIds.length && rng.chance(0.3))
    return uriEncode(rng.pick(target.versionIds));
  if (name === "uploadId" && target.uploadIds.length && rng.chance(0.3))
    return uriEncode(rng.pick(target.uploadIds));
  if (name === "list-type" && rng.chance(0.6)) return "2";
  let value = rng.pick(QUERY_VALUES);
  if (rng.chance(0.2)) value += rng.pick(QUERY_VALUES);
  return value;
}

function randomQuery(rng: Random, target: FuzzTarget): string {
  const parts: string[] = [];
  if (rng.chance(0.35)) parts.push(rng.pick(SUBRESOURCES) + (rng.chance(0.2) ? "=x" : ""));
  const count = rng.chance(0.3) ? 0 : rng.int(4);
  for (let i = 0; i < count; i++) {
    const name = rng.pick(PARAMS);
    parts.push(rng.chance(0.05) ? name : `${name}=${randomValue(rng, name, target)}`);
  }
  if (rng.chance(0.03)) parts.push("%zz=%zz");
  if (rng.chance(0.03)) parts.push("&&=&");
  return parts.join("&");
}

function randomHeaders(rng: Random): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    headers[name] = value;
  };
  if (rng.chance(0.15))
    add(
      "range",
      rng.pick([
        "bytes=0-0",
        "bytes=-1",
        "bytes=5-",
        "bytes=9-1",
        "bytes=0-1,3-4",
        "bytes=-0",
        "bytes=abc",
        "bytes=99999999999999999999-",
        "bytes=--1",
        "chars=0-1",
        "bytes=",
        "bytes=0-1e3",
      ]),
    );
  if (rng.chance(0.1))
    add("content-type", rng.pick(["text/plain", "", 'a/b; x="y"', "\u00e9", "x".repeat(500)]));
  if (rng.chance(0.1))
    add(
      `x-amz-meta-${rng.pick(["a", "b-c", "x_y", "x".repeat(40)])}`,
      rng.pick(["v", "", "\u00ff", "x".repeat(3000)]),
    );
  if (rng.chance(0.08))
    add(rng.pick(["if-match", "if-none-match"]), rng.pick(["*", '"x"', "", "junk"]));
  if (rng.chance(0.08))
    add(
      rng.pick(["if-modified-since", "if-unmodified-since"]),
      rng.pick(["junk", "", "Thu, 01 Jan 1970 00:00:00 GMT"]),
    );
  if (rng.chance(0.08))
    add(
      "x-amz-copy-source",
      rng.pick([
        "fuzz/obj",
        "/fuzz/obj?versionId=%00",
        "fuzz",
        "%zz/%zz",
        "",
        "/",
        "fuzz/..",
        "fuzz/obj?versionId=",
      ]),
    );
  if (rng.chance(0.05))
    add("x-amz-copy-source-range", rng.pick(["bytes=0-0", "bytes=x", "bytes=5-1"]));
  if (rng.chance(0.06))
    add("content-md5", rng.pick(["", "junk", "1B2M2Y8AsgTpgAmY7PhCfg==", "%%%"]));
  if (rng.chance(0.05))
    add("x-amz-tagging", rng.pick(["a=b", "%zz=%", "=&=&", "a=" + "x".repeat(300)]));
  if (rng.chance(0.05))
    add(
      rng.pick([
        "x-amz-object-lock-mode",
        "x-amz-object-lock-retain-until-date",
        "x-amz-object-lock-legal-hold",
      ]),
      rng.pick(["GOVERNANCE", "ON", "junk", "2099-01-01T00:00:00Z", ""]),
    );
  if (rng.chance(0.04)) add("x-amz-storage-class", rng.pick(["STANDARD", "GLACIER", "junk", ""]));
  if (rng.chance(0.04)) add("x-amz-bucket-object-lock-enabled", rng.pick(["true", "junk"]));
  if (rng.chance(0.04)) add("x-amz-metadata-directive", rng.pick(["COPY", "REPLACE", "junk"]));
  if (rng.chance(0.04)) add("x-amz-checksum-crc32", rng.pick(["AAAAAA==", "junk", ""]));
  if (rng.chance(0.03)) add("x-amz-sdk-checksum-algorithm", rng.pick(["CRC32", "SHA256", "JUNK"]));
  if (rng.chance(0.03))
    add("x-amz-decoded-content-length", rng.pick(["0", "-1", "junk", "99999999999"]));
  if (rng.chance(0.06)) {
    add("x-floe-replication-request", rng.pick(["true", "false", "junk"]));
    if (rng.chance(0.6))
      add("x-floe-source-version-id", rng.pick(["v1", "", "null", "x".repeat(200), "%00"]));
    if (rng.chance(0.6))
      add("x-floe-source-mtime", rng.pick(["0", "-1", "abc", "1e30", "99999999999999999"]));
    if (rng.chance(0.4)) add("x-floe-source-etag", rng.pick(['"x"', "junk", "", "a-1"]));
    if (rng.chance(0.3)) add("x-floe-source-delete-marker", rng.pick(["true", "junk"]));
    if (rng.chance(0.3)) add("x-floe-source-covers", rng.pick(["", "v1", "junk"]));
    if (rng.chance(0.3)) add("x-floe-source-metadata-timestamp", rng.pick(["0", "abc", "-5"]));
    if (rng.chance(0.3)) add("x-floe-replication-metadata", rng.pick(["true", "junk"]));
    if (rng.chance(0.3))
      add(
        "x-floe-source-metadata",
        rng.pick(["{}", "{", "null", '{"tags":5}', '{"tags":{"a":"b"},"legalHold":"ON"}', "[]"]),
      );
  }
  if (rng.chance(0.05)) headers["x-amz-meta-dup"] = ["one", "two"];
  return headers;
}

/** Signs `request` with a random mutation (or none). */
function authenticate(
  rng: Random,
  request: RawRequest,
  target: FuzzTarget,
): { request: RawRequest; how: string } {
  const mode = rng.int(30);
  if (mode === 0) return { request, how: "anonymous" };
  if (mode <= 2) return presigned(rng, request, target);
  const now = new Date();
  const options: Parameters<typeof signRaw>[2] = {};
  let how = "signed";
  if (mode === 3) {
    options.now = rng.chance(0.5) ? new Date(now.getTime() - 3600_000) : new Date(0);
    how = "signed, skewed date";
  } else if (mode === 4) {
    options.region = rng.pick(["eu-west-1", "", "us-east-1/x"]);
    how = "signed, bad region";
  } else if (mode === 5) {
    options.service = rng.pick(["iam", "", "s3 "]);
    how = "signed, bad service";
  } else if (mode === 6) {
    options.accessKeyId = rng.pick(["nobody", "", "a/b", ROOT_USER + "x"]);
    how = "signed, bad access key";
  } else if (mode === 7) {
    options.secretKey = "wrong";
    how = "signed, wrong secret";
  } else if (mode === 8) {
    options.payloadHash = rng.pick([
      "UNSIGNED-PAYLOAD",
      "junk",
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "0".repeat(64),
    ]);
    how = `signed, payload ${options.payloadHash}`;
  }
  const signed = signRaw(request, target.host, options);
  const headers = { ...signed.headers };
  const authorization = String(headers.authorization);
  if (mode === 9) {
    headers.authorization = authorization.slice(0, rng.int(authorization.length));
    how = "signed, truncated Authorization";
  } else if (mode === 10) {
    headers.authorization = [authorization, authorization];
    how = "signed, Authorization twice";
  } else if (mode === 11) {
    headers["x-amz-date"] = rng.pick([
      "",
      "junk",
      "20260101T000000",
      "99999999T999999Z",
      "2026-01-01T00:00:00Z",
    ]);
    how = "signed, x-amz-date replaced";
  } else if (mode === 12) {
    headers.authorization = authorization.replace(
      rng.pick([/Credential=[^,]*/, /SignedHeaders=[^,]*/, /Signature=\w*/, /AWS4-HMAC-SHA256/]),
      rng.pick([
        "",
        "Credential=",
        "SignedHeaders=;;",
        "Signature=zz",
        "AWS4-HMAC-SHA1",
        "Credential=a/b/c",
      ]),
    );
    how = "signed, Authorization part mangled";
  } else if (mode === 13) {
    headers["x-amz-unsigned-extra"] = "1";
    how = "signed, an unsigned x-amz header added";
  }
  return { request: { ...signed, headers }, how };
}

function presigned(
  rng: Random,
  request: RawRequest,
  target: FuzzTarget,
): { request: RawRequest; how: string } {
  const now = new Date();
  const amzDate = amzDateOf(now);
  const scope = scopeOf({ day: amzDate.slice(0, 8), region: REGION, service: "s3" });
  const params: [string, string][] = [
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", `${ROOT_USER}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", "300"],
    ["X-Amz-SignedHeaders", "host"],
  ];
  let how = "presigned";
  if (rng.chance(0.6)) {
    const i = rng.int(params.length);
    const value = rng.pick([
      "",
      "junk",
      "-1",
      "604801",
      "0",
      "%00",
      "99999999999999999999",
      "host;x-amz-date",
      "AWS4-HMAC-SHA1",
    ]);
    if (rng.chance(0.2)) params.splice(i, 1);
    else params[i] = [params[i][0], value];
    how = `presigned, ${params[i]?.[0] ?? "a parameter"} mutated`;
  }
  const authQuery = params.map(([n, v]) => `${n}=${uriEncode(v)}`).join("&");
  const query = [request.query ?? "", authQuery].filter((part) => part !== "").join("&");
  const canonical = canonicalRequest({
    method: request.method,
    rawPath: request.path,
    rawQuery: query,
    headers: new Headers({ host: target.host }),
    signedHeaders: ["host"],
    payloadHash: "UNSIGNED-PAYLOAD",
    pathAsSent: true,
  });
  const key = deriveSigningKey(ROOT_PASSWORD, amzDate.slice(0, 8), REGION, "s3");
  let signature = hmacHex(key, requestStringToSign(amzDate, scope, canonical));
  if (rng.chance(0.15))
    signature = rng.pick(["", "zz", signature.slice(1), signature.toUpperCase()]);
  const finalQuery = rng.chance(0.05) ? query : `${query}&X-Amz-Signature=${signature}`;
  return { request: { ...request, query: finalQuery }, how };
}

/** A request line and text body, before headers and auth. */
interface Operation {
  method: string;
  path: string;
  query?: string;
  body?: string;
}

/** A real operation on the fuzzed bucket with one part of it made odd. */
function operation(rng: Random, target: FuzzTarget): Operation {
  const key = target.keys.length ? rng.pick(target.keys) : "obj";
  const path = `/${target.bucket}/${key.split("/").map(uriEncode).join("/")}`;
  const uploadId = target.uploadIds.length ? uriEncode(rng.pick(target.uploadIds)) : "none";
  const versionId = target.versionIds.length ? uriEncode(rng.pick(target.versionIds)) : "null";
  const junk = () => rng.pick(QUERY_VALUES);
  switch (rng.int(12)) {
    case 0:
      return {
        method: "PUT",
        path,
        query: `partNumber=${rng.chance(0.7) ? "1" : junk()}&uploadId=${rng.chance(0.8) ? uploadId : junk()}`,
        body: "part",
      };
    case 1:
      return { method: "POST", path, query: `uploadId=${uploadId}`, body: xmlBody(rng) };
    case 2:
      return {
        method: "PUT",
        path: `/${target.bucket}`,
        query: "policy",
        body: rng.pick(POLICIES),
      };
    case 3:
      return {
        method: "PUT",
        path,
        query:
          rng.pick(["tagging", "retention", "legal-hold"]) +
          (rng.chance(0.5) ? `&versionId=${versionId}` : ""),
        body: xmlBody(rng),
      };
    case 4:
      return {
        method: "PUT",
        path: `/${target.bucket}`,
        query: rng.pick([
          "lifecycle",
          "replication",
          "object-lock",
          "versioning",
          "tagging",
          "cors",
          "acl",
        ]),
        body: xmlBody(rng),
      };
    case 5:
      return { method: "POST", path: `/${target.bucket}`, query: "delete", body: xmlBody(rng) };
    case 6:
      return {
        method: "GET",
        path: `/${target.bucket}`,
        query: `${rng.pick(["list-type=2", "versions", "uploads", ""])}&prefix=${rng.pick(["", "d", "%01", "%00"])}&delimiter=${rng.pick(["/", "", "%01", "xx"])}&max-keys=${rng.pick(["1", "0", junk()])}&${rng.pick(["start-after", "marker", "key-marker", "continuation-token", "upload-id-marker"])}=${junk()}&encoding-type=${rng.pick(["url", junk()])}`,
      };
    case 7:
      return {
        method: rng.pick(["GET", "HEAD"]),
        path,
        query: `versionId=${rng.chance(0.7) ? versionId : junk()}&${rng.pick(PARAMS.filter((p) => p.startsWith("response-")))}=${junk()}`,
      };
    case 8:
      return {
        method: rng.pick(["GET", "HEAD"]),
        path,
        query: `partNumber=${rng.chance(0.5) ? "1" : junk()}`,
      };
    case 9:
      return {
        method: "DELETE",
        path,
        query: rng.chance(0.5) ? `versionId=${junk()}` : `uploadId=${junk()}`,
      };
    case 10:
      return {
        method: "GET",
        path,
        query: rng.pick([
          "tagging",
          "retention",
          "legal-hold",
          "attributes",
          "acl",
          `uploadId=${uploadId}&max-parts=${junk()}&part-number-marker=${junk()}`,
        ]),
      };
    default:
      return { method: "PUT", path: `/${target.bucket}/copy-${rng.int(5)}`, query: "", body: "" };
  }
}

/** The `index`-th request of a run. */
export function generate(rng: Random, index: number, target: FuzzTarget): FuzzCase {
  let method: string;
  let path: string;
  let query: string;
  let body: string | undefined;
  const headers = randomHeaders(rng);
  if (rng.chance(0.35)) {
    ({ method, path, query = "", body } = operation(rng, target));
    if (path.includes("/copy-") && !headers["x-amz-copy-source"])
      headers["x-amz-copy-source"] = `/${target.bucket}/obj`;
    // Most configuration writes require Content-MD5: give the right one to get past it.
    if (body !== undefined && rng.chance(0.7))
      headers["content-md5"] = createHash("md5").update(body).digest("base64");
  } else {
    method = rng.pick([
      "GET",
      "GET",
      "GET",
      "PUT",
      "PUT",
      "HEAD",
      "DELETE",
      "POST",
      "POST",
      "OPTIONS",
      "PATCH",
    ]);
    const bucketLevel = rng.chance(0.3);
    const bucket = rng.chance(0.9)
      ? target.bucket
      : rng.pick(["nosuch", "floe", "ab", "A_B", "%zz", "fu%00zz", "x".repeat(70), "..", "%2E"]);
    path = rng.chance(0.02)
      ? "/"
      : bucketLevel
        ? `/${bucket}`
        : `/${bucket}/${randomKey(rng, target)}`;
    query = randomQuery(rng, target);
    if (method === "PUT" || method === "POST") {
      body = rng.chance(0.5) ? xmlBody(rng) : rng.chance(0.5) ? "" : "data-" + rng.int(1000);
    }
  }
  const { request, how } = authenticate(rng, { method, path, query, headers, body }, target);
  const bodyNote =
    body === undefined
      ? ""
      : ` body(${body.length}B sha ${createHash("sha256").update(body).digest("hex").slice(0, 8)})`;
  return {
    index,
    request,
    description: `${how}: ${method} ${path}${query ? `?${query}` : ""}${bodyNote}`,
  };
}
