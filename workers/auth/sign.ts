/**
 * A SigV4 signer for Floe's own outgoing requests: admin API calls from the
 * CLI and tests, replication to remote sites. It shares canonicalisation
 * with the verifier (canonical.ts, signature.ts) and signs what fetch will
 * send: the URL as the URL class serialises it, every given header except
 * those proxies and clients change on the way (as the AWS SDKs do), plus
 * host, x-amz-date and x-amz-content-sha256. Presigned URLs sign only host,
 * with UNSIGNED-PAYLOAD, and live 1 to 604800 seconds.
 */
import { amzDateOf, canonicalRequest, uriEncode } from "./canonical.ts";
import {
  ALGORITHM,
  MAX_PRESIGNED_SECONDS,
  deriveSigningKey,
  hmacHex,
  requestStringToSign,
  scopeOf,
} from "./signature.ts";

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

function signature(
  input: { secretKey: string; region: string },
  service: string,
  amzDate: string,
  canonical: string,
): string {
  const day = amzDate.slice(0, 8);
  const key = deriveSigningKey(input.secretKey, day, input.region, service);
  return hmacHex(
    key,
    requestStringToSign(amzDate, scopeOf({ day, region: input.region, service }), canonical),
  );
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
  headers.authorization = `${ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature(input, service, amzDate, canonical)}`;
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
  const signed = signature(input, "s3", amzDate, canonical);
  return `${url.origin}${url.pathname}?${query}&X-Amz-Signature=${signed}`;
}
