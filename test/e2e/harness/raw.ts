/**
 * Raw S3 requests for security tests: the path and query go on the wire
 * exactly as written (fetch and the URL class would normalise `..`, re-encode
 * escapes and drop what they cannot parse), signed with Floe's own SigV4
 * canonicalisation over that raw text, sent with node:http on a keep-alive
 * agent to a loopback site.
 */
import { createHash } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { amzDateOf, canonicalRequest } from "../../../shared/sigv4/canonical.ts";
import { deriveSigningKey, hmacHex, requestStringToSign } from "../../../workers/auth/signature.ts";
import { ALGORITHM, scopeOf } from "../../../shared/sigv4/scope.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, type Site } from "./site.ts";

export interface RawRequest {
  method: string;
  /** The path as sent, percent-encoded by the caller (or not). */
  path: string;
  /** The query as sent, without `?`. */
  query?: string;
  /** Headers sent; several values of one name as an array. */
  headers?: Record<string, string | string[]>;
  body?: Uint8Array | string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SignOptions {
  accessKeyId?: string;
  secretKey?: string;
  region?: string;
  service?: string;
  now?: Date;
  /** The payload hash signed and sent; the body's SHA-256 by default. */
  payloadHash?: string;
}

export const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });

/** The request with SigV4 header auth over its raw path and query. */
export function signRaw(request: RawRequest, host: string, options: SignOptions = {}): RawRequest {
  const amzDate = amzDateOf(options.now ?? new Date());
  const region = options.region ?? REGION;
  const service = options.service ?? "s3";
  const body = request.body ?? "";
  const payloadHash = options.payloadHash ?? createHash("sha256").update(body).digest("hex");
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers ?? {}))
    headers[name.toLowerCase()] = value;
  headers.host = host;
  headers["x-amz-date"] = amzDate;
  headers["x-amz-content-sha256"] = payloadHash;
  const signed = Object.keys(headers).sort();
  const forCanonical = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) forCanonical.append(name, one);
  }
  const canonical = canonicalRequest({
    method: request.method,
    rawPath: request.path,
    rawQuery: request.query ?? "",
    headers: forCanonical,
    signedHeaders: signed,
    payloadHash,
    pathAsSent: true,
  });
  const day = amzDate.slice(0, 8);
  const scope = scopeOf({ day, region, service });
  const key = deriveSigningKey(options.secretKey ?? ROOT_PASSWORD, day, region, service);
  const signature = hmacHex(key, requestStringToSign(amzDate, scope, canonical));
  headers.authorization = `${ALGORITHM} Credential=${options.accessKeyId ?? ROOT_USER}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  return { ...request, headers };
}

/**
 * Sends a raw request to the site; never throws for an HTTP status. `fresh`
 * uses a new connection instead of a kept-alive one.
 */
export function sendRaw(
  site: Site,
  request: RawRequest,
  options: { timeoutMs?: number; fresh?: boolean } = {},
): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const target = request.query ? `${request.path}?${request.query}` : request.path;
  const body = request.body ?? "";
  const headers: Record<string, string | string[]> = { ...request.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-length"))
    headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: site.port,
        method: request.method,
        path: target,
        headers,
        agent: options.fresh ? false : keepAlive,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out: ${request.method} ${target}`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The value of `<Code>` in an S3 error body. */
export function errorCode(body: string): string | null {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? null;
}
