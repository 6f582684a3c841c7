/**
 * SigV4 signature arithmetic of the verifier and the aws-chunked decoder
 * (the signer, shared/sigv4/sign.ts, does the same with WebCrypto; names
 * and scope are in shared/sigv4/scope.ts):
 * - signing key = HMAC chain over "AWS4"+secret: day, region, service,
 *   "aws4_request"; credential scope = day/region/service/aws4_request;
 * - request string to sign = "AWS4-HMAC-SHA256" \n amzDate \n scope \n
 *   hex(sha256(canonical request));
 * - chunk string to sign = "AWS4-HMAC-SHA256-PAYLOAD" \n amzDate \n scope \n
 *   previous signature \n sha256("") \n hex(sha256(chunk data));
 * - trailer string to sign = "AWS4-HMAC-SHA256-TRAILER" \n amzDate \n scope
 *   \n previous signature \n hex(sha256(trailer lines, each "name:value\n"));
 * - signature = hex(HMAC-SHA256(signing key, string to sign)).
 * Signatures are compared in constant time. node:crypto is synchronous and
 * incremental in Node and in workerd (nodejs_compat), which the verifier
 * needs to check a streamed body chunk by chunk.
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ALGORITHM, stringToSign } from "../../shared/sigv4/scope.ts";

/** hex(sha256("")). */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** hex(sha256(data)). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** hex(HMAC-SHA256(key, data)). */
export function hmacHex(key: Uint8Array, data: string): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/** Signing keys derived in this isolate; a key serves a whole day, so few are ever in use. */
const signingKeys = new Map<string, Uint8Array>();
const MAX_SIGNING_KEYS = 256;

/**
 * The SigV4 signing key for a day (yyyymmdd), region and service, derived
 * once per isolate rather than with four HMACs per request. The caller must
 * not modify it.
 */
export function deriveSigningKey(
  secret: string,
  day: string,
  region: string,
  service: string,
): Uint8Array {
  const id = `${day}\n${region}\n${service}\n${secret}`;
  let key = signingKeys.get(id);
  if (!key) {
    const kDate = createHmac("sha256", `AWS4${secret}`).update(day).digest();
    const kRegion = createHmac("sha256", kDate).update(region).digest();
    const kService = createHmac("sha256", kRegion).update(service).digest();
    key = new Uint8Array(createHmac("sha256", kService).update("aws4_request").digest());
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/**
 * Constant-time comparison of a computed signature with a given one. When
 * the lengths differ the computed value is compared with itself, so the time
 * taken depends only on the (public) length of the computed signature.
 */
export function signaturesEqual(expected: string, given: string): boolean {
  const left = Buffer.from(expected, "utf8");
  const right = Buffer.from(given, "utf8");
  const sameLength = left.length === right.length;
  return timingSafeEqual(left, sameLength ? right : left) && sameLength;
}

/** The string to sign for a canonical request. */
export function requestStringToSign(amzDate: string, scope: string, canonical: string): string {
  return stringToSign(amzDate, scope, sha256Hex(canonical));
}

/** The string to sign for one aws-chunked chunk, given the hex SHA-256 of its data. */
export function chunkStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  dataHashHex: string,
): string {
  return `${ALGORITHM}-PAYLOAD\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${dataHashHex}`;
}

/** The string to sign for the trailer of an aws-chunked body. */
export function trailerStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  trailers: readonly (readonly [string, string])[],
): string {
  const canonical = trailers.map(([name, value]) => `${name}:${value}\n`).join("");
  return `${ALGORITHM}-TRAILER\n${amzDate}\n${scope}\n${previousSignature}\n${sha256Hex(canonical)}`;
}
