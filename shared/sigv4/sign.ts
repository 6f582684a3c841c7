/**
 * A SigV4 signer for Floe's own outgoing requests: replication and verify
 * from a site to its remote targets, admin API calls from the CLI and tests
 * (shared/peer/). Runtime-neutral: WebCrypto only, so the Worker and Node
 * sign with the same code. It shares canonicalisation with the verifier
 * (canonical.ts, scope.ts) and signs what fetch will send: the URL as the
 * URL class serialises it, every given header except those proxies and
 * clients change on the way (as the AWS SDKs do), plus host, x-amz-date
 * and x-amz-content-sha256. Presigned URLs sign only host, with
 * UNSIGNED-PAYLOAD, and live 1 to 604800 seconds.
 */
import { amzDateOf, canonicalRequest, uriEncode } from "./canonical.ts";
import { ALGORITHM, MAX_PRESIGNED_SECONDS, scopeOf, stringToSign } from "./scope.ts";

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/** Headers left unsigned because something between client and server may change them. */
const UNSIGNABLE = new Set([
  "authorization",
  "cache-control",
  "connection",
  "expect",
  "from",
  "keep-alive",
  "max-forwards",
  "pragma",
  "referer",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "x-amzn-trace-id",
]);

export interface SignInput {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Hex SHA-256 of the payload, UNSIGNED-PAYLOAD (the default) or a STREAMING-… mode. */
  payloadHash?: string;
  accessKeyId: string;
  secretKey: string;
  region: string;
  /** The credential scope's service; "s3" by default. */
  service?: string;
  /** The signing time; the clock by default. */
  now?: Date;
}

export interface PresignInput {
  method: string;
  url: string;
  accessKeyId: string;
  secretKey: string;
  region: string;
  /** How long the URL is valid: 1 to 604800 seconds. */
  expiresSeconds: number;
  /** The signing time; the clock by default. */
  now?: Date;
}

const utf8 = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** hex(SHA-256(data)), e.g. the payload hash of a body sent whole. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(
    await crypto.subtle.digest("SHA-256", typeof data === "string" ? utf8.encode(data) : data),
  );
}

async function hmac(
  key: ArrayBuffer | Uint8Array<ArrayBuffer>,
  data: string,
): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", cryptoKey, utf8.encode(data));
}

/** Signing keys derived in this isolate or process; a key serves a whole day. */
const signingKeys = new Map<string, Promise<ArrayBuffer>>();
const MAX_SIGNING_KEYS = 256;

/** The SigV4 signing key for a day, region and service, derived once rather than per request. */
function signingKey(
  secret: string,
  day: string,
  region: string,
  service: string,
): Promise<ArrayBuffer> {
  const id = `${day}\n${region}\n${service}\n${secret}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = (async () => {
      const kDate = await hmac(Uint8Array.from(utf8.encode(`AWS4${secret}`)), day);
      const kRegion = await hmac(kDate, region);
      const kService = await hmac(kRegion, service);
      return hmac(kService, "aws4_request");
    })();
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    signingKeys.set(id, key);
    key.catch(() => signingKeys.delete(id));
  }
  return key;
}

async function signature(
  input: { secretKey: string; region: string },
  service: string,
  amzDate: string,
  canonical: string,
): Promise<string> {
  const day = amzDate.slice(0, 8);
  const key = await signingKey(input.secretKey, day, input.region, service);
  const scope = scopeOf({ day, region: input.region, service });
  return hex(await hmac(key, stringToSign(amzDate, scope, await sha256Hex(canonical))));
}

/**
 * Returns headers (including Authorization, x-amz-date, x-amz-content-sha256)
 * for a SigV4 header-signed request; Host is left to fetch. payloadHash
 * defaults to "UNSIGNED-PAYLOAD".
 */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const service = input.service ?? "s3";
  const amzDate = amzDateOf(input.now ?? new Date());
  const url = new URL(input.url);
  const payloadHash = input.payloadHash ?? UNSIGNED_PAYLOAD;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  headers.host = url.host;
  headers["x-amz-date"] = amzDate;
  headers["x-amz-content-sha256"] = payloadHash;
  const signed = Object.keys(headers)
    .filter((name) => !UNSIGNABLE.has(name))
    .sort();
  const canonical = canonicalRequest({
    method: input.method,
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers: new Headers(headers),
    signedHeaders: signed,
    payloadHash,
  });
  const scope = scopeOf({ day: amzDate.slice(0, 8), region: input.region, service });
  headers.authorization = `${ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${await signature(input, service, amzDate, canonical)}`;
  delete headers.host;
  return headers;
}

/** A presigned URL (query auth) for `method` on `url`, valid for `expiresSeconds`. */
export async function presignUrl(input: PresignInput): Promise<string> {
  const seconds = input.expiresSeconds;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGNED_SECONDS) {
    throw new RangeError(
      `expiresSeconds must be an integer from 1 to ${MAX_PRESIGNED_SECONDS}, not ${seconds}.`,
    );
  }
  const amzDate = amzDateOf(input.now ?? new Date());
  const url = new URL(input.url);
  const scope = scopeOf({ day: amzDate.slice(0, 8), region: input.region, service: "s3" });
  const auth: [string, string][] = [
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", `${input.accessKeyId}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(seconds)],
    ["X-Amz-SignedHeaders", "host"],
  ];
  const query = [url.search.slice(1), ...auth.map(([name, value]) => `${name}=${uriEncode(value)}`)]
    .filter((part) => part !== "")
    .join("&");
  const canonical = canonicalRequest({
    method: input.method,
    rawPath: url.pathname,
    rawQuery: query,
    headers: new Headers({ host: url.host }),
    signedHeaders: ["host"],
    payloadHash: UNSIGNED_PAYLOAD,
  });
  const signed = await signature(input, "s3", amzDate, canonical);
  return `${url.origin}${url.pathname}?${query}&X-Amz-Signature=${signed}`;
}
