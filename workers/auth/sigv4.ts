/**
 * AWS Signature Version 4 verification for S3 requests, as S3 applies it.
 *
 * A request authenticates with the Authorization header or with a presigned
 * query (presigned.ts), never both (InvalidArgument "Only one auth mechanism
 * allowed"); with neither it is anonymous. Header auth:
 * - `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/
 *   s3/aws4_request, SignedHeaders=a;b;c, Signature=<64 hex>`; anything else
 *   is AuthorizationHeaderMalformed (other schemes InvalidArgument
 *   "Unsupported Authorization Type"). SigV2 (`AWS …` and `?AWSAccessKeyId=`)
 *   is verified by sigv2.ts where the caller accepts it (the S3 API), and is
 *   InvalidRequest elsewhere (the admin API);
 * - the request time is x-amz-date (yyyymmddThhmmssZ) or else the Date
 *   header; neither is AccessDenied "AWS authentication requires a valid
 *   Date or x-amz-date header"; more than 15 minutes from the server clock
 *   is RequestTimeTooSkewed;
 * - x-amz-content-sha256 is required (InvalidRequest when missing) and is a
 *   64-hex SHA-256, UNSIGNED-PAYLOAD, or one of the STREAMING-… aws-chunked
 *   modes (InvalidArgument otherwise); it tells the body decoder
 *   (aws-chunked.ts) how to check the payload;
 * - aws-chunked modes need x-amz-decoded-content-length (MissingContentLength
 *   when absent or not a number, as S3 answers).
 * Scope, signed-header and signature checks are in request-signature.ts.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import { amzDateOf, parseAmzDate, splitUrl } from "../../shared/sigv4/canonical.ts";
import { verifyPresigned } from "./presigned.ts";
import { SIGNATURE_V2, hasQueryV2, verifyHeaderV2, verifyPresignedV2 } from "./sigv2.ts";
import {
  checkHeadersSigned,
  checkScope,
  checkSkew,
  checkSignature,
  malformedCredential,
  parseSignedHeaders,
  signingKeyFor,
} from "./request-signature.ts";
import { ALGORITHM, parseCredential, scopeOf } from "../../shared/sigv4/scope.ts";
import type { Anonymous, Authenticated, CredentialLookup, PayloadMode } from "./authentication.ts";

export type {
  Anonymous,
  Authenticated,
  Credential,
  CredentialLookup,
  SignatureVersion,
} from "./authentication.ts";

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** A declared payload hash, before the streaming-signed mode gets its signing context. */
type DeclaredPayload =
  Exclude<PayloadMode, { kind: "streaming-signed" }> | { kind: "signed-chunks"; trailer: boolean };

/** Parses x-amz-content-sha256 (present). */
function declaredPayload(value: string): DeclaredPayload {
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { kind: "unsigned" };
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: "streaming-unsigned-trailer" };
    case STREAMING_SIGNED:
      return { kind: "signed-chunks", trailer: false };
    case STREAMING_SIGNED_TRAILER:
      return { kind: "signed-chunks", trailer: true };
  }
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: "sha256", expectedHex: value.toLowerCase() };
  throw new S3Error(
    "InvalidArgument",
    `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD}, ${STREAMING_UNSIGNED_TRAILER}, ${STREAMING_SIGNED}, ${STREAMING_SIGNED_TRAILER} or a valid sha256 value.`,
    { detail: { ArgumentName: "x-amz-content-sha256", ArgumentValue: value } },
  );
}

/** x-amz-decoded-content-length, required for aws-chunked bodies. */
function decodedContentLength(headers: Headers): number {
  const value = headers.get("x-amz-decoded-content-length");
  const n = value === null || !/^\d+$/.test(value.trim()) ? NaN : Number(value);
  if (!Number.isSafeInteger(n)) throw new S3Error("MissingContentLength");
  return n;
}

/**
 * The payload mode of an anonymous request: its x-amz-content-sha256 still
 * says how the body is framed, only chunk signatures cannot be checked.
 */
function anonymousPayload(headers: Headers): PayloadMode {
  const value = headers.get("x-amz-content-sha256");
  if (value === null) return { kind: "unsigned" };
  const declared = declaredPayload(value);
  if (declared.kind === "signed-chunks") {
    throw new S3Error("AccessDenied", `${value} requires a signed request.`);
  }
  if (declared.kind === "streaming-unsigned-trailer") decodedContentLength(headers);
  return declared;
}

/**
 * Verifies the request's SigV4 signature (Authorization header or presigned
 * query), or its SigV2 signature when `signatureV2` is given. Returns
 * Anonymous when the request carries no authentication at all; throws
 * S3Error otherwise when it does not authenticate.
 * `region`: the deployment's region; `now`: the server clock; `service`:
 * the credential scope's service ("s3"); `signatureV2.domain`: the base
 * domain of virtual-hosted buckets, which v2 signs as part of the path.
 */
export async function authenticateRequest(
  request: Request,
  lookup: CredentialLookup,
  options: { region: string; now?: Date; service?: string; signatureV2?: { domain: string } },
): Promise<Authenticated | Anonymous> {
  const context = {
    region: options.region,
    service: options.service ?? "s3",
    now: options.now ?? new Date(),
  };
  const { rawPath, rawQuery } = splitUrl(request.url);
  const query = new URLSearchParams(rawQuery);
  const header = request.headers.get("authorization");
  const presigned =
    query.has("X-Amz-Algorithm") || query.has("X-Amz-Credential") || query.has("X-Amz-Signature");
  const v2 = options.signatureV2 ? { now: context.now, domain: options.signatureV2.domain } : null;
  const presignedV2 = !presigned && v2 !== null && hasQueryV2(query);
  if (header !== null && (presigned || presignedV2)) {
    throw new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
    );
  }
  if (header !== null && v2 !== null && schemeOf(header) === SIGNATURE_V2)
    return verifyHeaderV2(request, header, rawPath, rawQuery, lookup, v2);
  if (header !== null) return verifyHeader(request, header, rawPath, rawQuery, lookup, context);
  if (presigned) return verifyPresigned(request, query, rawPath, rawQuery, lookup, context);
  if (presignedV2 && v2 !== null)
    return verifyPresignedV2(request, query, rawPath, rawQuery, lookup, v2);
  if (query.has("AWSAccessKeyId") && query.has("Signature")) throw unsupportedSigV2();
  return { anonymous: true, payload: anonymousPayload(request.headers) };
}

function unsupportedSigV2(): S3Error {
  return new S3Error(
    "InvalidRequest",
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
  );
}

/** The scheme word of an Authorization header ("AWS4-HMAC-SHA256", "AWS", …). */
function schemeOf(header: string): string {
  return header.trimStart().split(/\s/, 1)[0];
}

/** Parses an HTTP date (`Fri, 24 May 2013 00:00:00 GMT`); null when it is not one. */
function parseHttpDate(value: string): Date | null {
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/**
 * The request time: x-amz-date when present (it takes precedence), else the
 * Date header (an HTTP date, or the ISO 8601 basic form); AccessDenied when
 * there is no valid one.
 */
function requestTime(headers: Headers): { date: Date; amzDate: string } {
  const amz = headers.get("x-amz-date")?.trim() ?? null;
  const http = amz === null ? (headers.get("date")?.trim() ?? null) : null;
  const date =
    amz !== null
      ? parseAmzDate(amz)
      : http !== null
        ? (parseAmzDate(http) ?? parseHttpDate(http))
        : null;
  if (!date) {
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    );
  }
  return { date, amzDate: amzDateOf(date) };
}

/** Splits `Credential=…, SignedHeaders=…, Signature=…`; null when a part has no '='. */
function authorizationFields(value: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return null;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return fields;
}

async function verifyHeader(
  request: Request,
  header: string,
  rawPath: string,
  rawQuery: string,
  lookup: CredentialLookup,
  context: { region: string; service: string; now: Date },
): Promise<Authenticated> {
  const scheme = schemeOf(header);
  if (scheme === SIGNATURE_V2) throw unsupportedSigV2();
  if (scheme !== ALGORITHM) {
    throw new S3Error("InvalidArgument", "Unsupported Authorization Type", {
      detail: { ArgumentName: "Authorization" },
    });
  }
  const fields = authorizationFields(header.trimStart().slice(ALGORITHM.length));
  const credential = fields?.get("Credential");
  const signedHeaders = fields?.get("SignedHeaders");
  const signature = fields?.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    throw malformedCredential(
      "header",
      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
    );
  }
  const scope = parseCredential(credential);
  if (!scope) {
    throw malformedCredential(
      "header",
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const signed = parseSignedHeaders(signedHeaders);
  if (!signed) throw malformedCredential("header");
  const { date, amzDate } = requestTime(request.headers);
  checkScope(scope, amzDate, context, "header");
  const payloadHash = request.headers.get("x-amz-content-sha256");
  if (payloadHash === null) {
    throw new S3Error(
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  }
  const declared = declaredPayload(payloadHash);
  checkHeadersSigned(request.headers, signed);
  const key = await signingKeyFor(scope, lookup);
  checkSkew(date, amzDate, context.now);
  checkSignature(signature, key, amzDate, scope, request, {
    rawPath,
    rawQuery,
    signedHeaders: signed,
    payloadHash,
  });
  const streaming =
    declared.kind === "signed-chunks" || declared.kind === "streaming-unsigned-trailer";
  const payload: PayloadMode =
    declared.kind === "signed-chunks"
      ? {
          kind: "streaming-signed",
          trailer: declared.trailer,
          seedSignature: signature,
          signingKey: key,
          scope: scopeOf(scope),
          amzDate,
        }
      : declared;
  return {
    anonymous: false,
    accessKeyId: scope.accessKeyId,
    payload,
    presigned: false,
    decodedContentLength: streaming ? decodedContentLength(request.headers) : null,
    signatureVersion: ALGORITHM,
  };
}
