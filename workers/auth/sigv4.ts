/**
 * AWS Signature Version 4 verification for S3 requests: the Authorization
 * header or a presigned query (never both). Rules, as S3 applies them:
 * - the credential scope is <key>/<yyyymmdd>/<region>/s3/aws4_request, its
 *   day equal to the request date's, its region the deployment's;
 * - `host` must be signed; header requests carry x-amz-content-sha256;
 * - a request date more than 15 minutes from the server's clock is
 *   RequestTimeTooSkewed; a presigned URL lives X-Amz-Expires seconds
 *   (at most 7 days), then AccessDenied "Request has expired";
 * - signatures compare in constant time.
 * The payload mode tells the body decoder how to check what follows.
 */
import { timingSafeEqual } from "node:crypto";
import { S3Error } from "../../shared/s3-errors.ts";
import {
  canonicalRequest,
  hmacHex,
  parseAmzDate,
  signingKey,
  splitUrl,
  stringToSign,
} from "./canonical.ts";

export interface Credential {
  accessKeyId: string;
  secretKey: string;
}

export type CredentialLookup = (accessKeyId: string) => Promise<Credential | null>;

export type PayloadMode =
  | { kind: "unsigned" }
  | { kind: "sha256"; expectedHex: string }
  | {
      kind: "streaming-signed";
      trailer: boolean;
      seedSignature: string;
      signingKey: Uint8Array;
      scope: string;
      amzDate: string;
    }
  | { kind: "streaming-unsigned-trailer" };

export interface Authenticated {
  anonymous: false;
  accessKeyId: string;
  payload: PayloadMode;
  presigned: boolean;
  decodedContentLength: number | null;
}

export interface Anonymous {
  anonymous: true;
  payload: PayloadMode;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;
const UNSIGNED = "UNSIGNED-PAYLOAD";

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * True when `signature` signs the request, with its path taken as sent or
 * re-encoded (clients do either); both compare in constant time.
 */
function signatureMatches(
  signature: string,
  key: Uint8Array,
  amzDate: string,
  scope: string,
  request: Request,
  parts: {
    rawPath: string;
    rawQuery: string;
    signedHeaders: string[];
    payloadHash: string;
    excludeQuery?: string;
  },
): boolean {
  const expected = (pathAsSent: boolean) =>
    hmacHex(
      key,
      stringToSign(
        amzDate,
        scope,
        canonicalRequest({
          method: request.method,
          headers: request.headers,
          urlHost: new URL(request.url).host,
          pathAsSent,
          ...parts,
        }),
      ),
    );
  return signaturesEqual(expected(true), signature) || signaturesEqual(expected(false), signature);
}

interface Scope {
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
}

function parseCredential(value: string, malformed: () => S3Error): Scope {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1]))
    throw malformed();
  return { accessKeyId: parts[0], day: parts[1], region: parts[2], service: parts[3] };
}

function checkScope(
  scope: Scope,
  amzDate: string,
  region: string,
  service: string,
  malformed: (m: string) => S3Error,
): void {
  if (scope.day !== amzDate.slice(0, 8))
    throw malformed(
      "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.",
    );
  if (scope.region !== region)
    throw malformed(
      `The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${region}'`,
    );
  if (scope.service !== service)
    throw malformed(
      `The authorization header is malformed; incorrect service "${scope.service}". This endpoint belongs to "${service}".`,
    );
}

function payloadMode(
  value: string | null,
): PayloadMode | "streaming-signed" | "streaming-signed-trailer" {
  if (value === null)
    throw new S3Error(
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  switch (value) {
    case UNSIGNED:
      return { kind: "unsigned" };
    case "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
      return { kind: "streaming-unsigned-trailer" };
    case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
      return "streaming-signed";
    case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
      return "streaming-signed-trailer";
  }
  if (/^[0-9a-f]{64}$/.test(value)) return { kind: "sha256", expectedHex: value };
  throw new S3Error(
    "InvalidArgument",
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
  );
}

function checkSkew(date: Date, now: Date): void {
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", undefined, {
      detail: {
        RequestTime: date.toISOString(),
        ServerTime: now.toISOString(),
        MaxAllowedSkewMilliseconds: "900000",
      },
    });
  }
}

function decodedLength(headers: Headers): number | null {
  const value = headers.get("x-amz-decoded-content-length");
  if (value === null) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new S3Error("InvalidArgument", "Invalid x-amz-decoded-content-length.");
  return n;
}

/**
 * Verifies the request's SigV4 signature (Authorization header or presigned
 * query); Anonymous when the request carries no authentication at all.
 */
export async function authenticateRequest(
  request: Request,
  lookup: CredentialLookup,
  options: { region: string; now?: Date; service?: string },
): Promise<Authenticated | Anonymous> {
  const now = options.now ?? new Date();
  const service = options.service ?? "s3";
  const { rawPath, rawQuery } = splitUrl(request.url);
  const query = new URLSearchParams(rawQuery);
  const header = request.headers.get("authorization");
  const presigned = query.has("X-Amz-Signature") || query.has("X-Amz-Credential");
  if (header !== null && presigned)
    throw new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
    );
  if (header !== null)
    return verifyHeader(request, header, rawPath, rawQuery, lookup, options.region, service, now);
  if (presigned)
    return verifyPresigned(request, query, rawPath, rawQuery, lookup, options.region, service, now);
  return { anonymous: true, payload: { kind: "unsigned" } };
}

async function verifyHeader(
  request: Request,
  header: string,
  rawPath: string,
  rawQuery: string,
  lookup: CredentialLookup,
  region: string,
  service: string,
  now: Date,
): Promise<Authenticated> {
  const malformed = (message = "The authorization header is malformed.") =>
    new S3Error("AuthorizationHeaderMalformed", message);
  if (!header.startsWith("AWS4-HMAC-SHA256 ")) {
    if (header.startsWith("AWS "))
      throw new S3Error(
        "InvalidRequest",
        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
      );
    throw malformed();
  }
  const fields = new Map<string, string>();
  for (const part of header.slice("AWS4-HMAC-SHA256 ".length).split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) throw malformed();
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) throw malformed();
  const scope = parseCredential(credential, () => malformed());
  const amzDate = request.headers.get("x-amz-date");
  const date = amzDate ? parseAmzDate(amzDate) : null;
  if (!amzDate || !date)
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    );
  checkScope(scope, amzDate, region, service, malformed);
  const signed = signedHeaders.split(";");
  if (!signed.includes("host")) throw new S3Error("AccessDenied", "Host must be a signed header.");
  const mode = payloadMode(request.headers.get("x-amz-content-sha256"));
  const found = await lookup(scope.accessKeyId);
  if (!found) throw new S3Error("InvalidAccessKeyId");
  checkSkew(date, now);
  const key = signingKey(found.secretKey, scope.day, scope.region, scope.service);
  const scopeText = `${scope.day}/${scope.region}/${scope.service}/aws4_request`;
  const matches = signatureMatches(signature, key, amzDate, scopeText, request, {
    rawPath,
    rawQuery,
    signedHeaders: signed,
    payloadHash: request.headers.get("x-amz-content-sha256") ?? UNSIGNED,
  });
  if (!matches) throw new S3Error("SignatureDoesNotMatch");
  const payload: PayloadMode =
    mode === "streaming-signed" || mode === "streaming-signed-trailer"
      ? {
          kind: "streaming-signed",
          trailer: mode === "streaming-signed-trailer",
          seedSignature: signature,
          signingKey: key,
          scope: scopeText,
          amzDate,
        }
      : mode;
  return {
    anonymous: false,
    accessKeyId: scope.accessKeyId,
    payload,
    presigned: false,
    decodedContentLength: decodedLength(request.headers),
  };
}

async function verifyPresigned(
  request: Request,
  query: URLSearchParams,
  rawPath: string,
  rawQuery: string,
  lookup: CredentialLookup,
  region: string,
  service: string,
  now: Date,
): Promise<Authenticated> {
  const malformed = (message = "Error parsing the X-Amz-Credential parameter.") =>
    new S3Error("AuthorizationQueryParametersError", message);
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
    throw malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const credential = query.get("X-Amz-Credential");
  const amzDate = query.get("X-Amz-Date");
  const expires = query.get("X-Amz-Expires");
  const signedHeaders = query.get("X-Amz-SignedHeaders");
  const signature = query.get("X-Amz-Signature");
  if (!credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw malformed(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const scope = parseCredential(credential, () => malformed());
  const date = parseAmzDate(amzDate);
  if (!date)
    throw malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const seconds = Number(expires);
  if (!/^\d+$/.test(expires)) throw malformed("X-Amz-Expires should be a number");
  if (seconds > MAX_PRESIGN_SECONDS)
    throw malformed("X-Amz-Expires must be less than a week (in seconds) that is; 604800");
  checkScope(scope, amzDate, region, service, (m) => malformed(m));
  const signed = signedHeaders.split(";");
  if (!signed.includes("host")) throw new S3Error("AccessDenied", "Host must be a signed header.");
  const found = await lookup(scope.accessKeyId);
  if (!found) throw new S3Error("InvalidAccessKeyId");
  if (date.getTime() - now.getTime() > MAX_SKEW_MS)
    throw new S3Error("AccessDenied", "Request is not valid yet");
  if (now.getTime() > date.getTime() + seconds * 1000)
    throw new S3Error("AccessDenied", "Request has expired");
  const key = signingKey(found.secretKey, scope.day, scope.region, scope.service);
  const payloadHash = query.get("X-Amz-Content-Sha256") ?? UNSIGNED;
  const scopeText = `${scope.day}/${scope.region}/${scope.service}/aws4_request`;
  const matches = signatureMatches(signature, key, amzDate, scopeText, request, {
    rawPath,
    rawQuery,
    signedHeaders: signed,
    payloadHash,
    excludeQuery: "X-Amz-Signature",
  });
  if (!matches) throw new S3Error("SignatureDoesNotMatch");
  const payload: PayloadMode = /^[0-9a-f]{64}$/.test(payloadHash)
    ? { kind: "sha256", expectedHex: payloadHash }
    : { kind: "unsigned" };
  return {
    anonymous: false,
    accessKeyId: scope.accessKeyId,
    payload,
    presigned: true,
    decodedContentLength: null,
  };
}
