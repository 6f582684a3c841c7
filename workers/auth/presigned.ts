/**
 * SigV4 query authentication (presigned URLs), as S3 applies it:
 * - X-Amz-Algorithm=AWS4-HMAC-SHA256, X-Amz-Credential, X-Amz-Date
 *   (yyyymmddThhmmssZ), X-Amz-Expires (seconds, at most 604800),
 *   X-Amz-SignedHeaders and X-Amz-Signature are all required; a missing or
 *   malformed one is AuthorizationQueryParametersError with S3's message;
 * - the URL is valid from X-Amz-Date for X-Amz-Expires seconds: afterwards
 *   AccessDenied "Request has expired"; an X-Amz-Date more than 15 minutes
 *   ahead of the server clock is AccessDenied "Request is not yet valid"
 *   (S3's answer to a future date; the 15 minutes are the clock skew header
 *   auth tolerates). The request time is not otherwise checked for skew;
 * - the canonical query leaves out X-Amz-Signature; the payload hash is
 *   X-Amz-Content-Sha256 from the query (or the x-amz-content-sha256
 *   header) when given, else UNSIGNED-PAYLOAD.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import { parseAmzDate } from "../../shared/sigv4/canonical.ts";
import {
  MAX_SKEW_MS,
  checkHeadersSigned,
  checkScope,
  checkSignature,
  malformedCredential,
  parseSignedHeaders,
  signingKeyFor,
} from "./request-signature.ts";
import { ALGORITHM, MAX_PRESIGNED_SECONDS, parseCredential } from "../../shared/sigv4/scope.ts";
import type { Authenticated, CredentialLookup, PayloadMode } from "./authentication.ts";

function queryError(message: string): S3Error {
  return new S3Error("AuthorizationQueryParametersError", message);
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** X-Amz-Expires as seconds, with S3's errors for values that are not 0…604800. */
function parseExpires(value: string): number {
  if (!/^-?\d+$/.test(value)) throw queryError("X-Amz-Expires should be a number");
  const seconds = Number(value);
  if (seconds < 0) throw queryError("X-Amz-Expires must be non-negative");
  if (seconds > MAX_PRESIGNED_SECONDS) {
    throw queryError(
      `X-Amz-Expires must be less than a week (in seconds) that is; ${MAX_PRESIGNED_SECONDS}`,
    );
  }
  return seconds;
}

/** AccessDenied unless `now` lies within the URL's validity. */
function checkValidity(date: Date, seconds: number, expires: string, now: Date): void {
  const expiry = new Date(date.getTime() + seconds * 1000);
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) {
    throw new S3Error("AccessDenied", "Request is not yet valid", {
      detail: { "X-Amz-Date": isoSeconds(date), ServerTime: isoSeconds(now) },
    });
  }
  // A zero lifetime has already ended, even within the same second.
  if (now.getTime() > expiry.getTime() || seconds === 0) {
    throw new S3Error("AccessDenied", "Request has expired", {
      detail: {
        "X-Amz-Expires": expires,
        Expires: isoSeconds(expiry),
        ServerTime: isoSeconds(now),
      },
    });
  }
}

/** The payload mode of a presigned request: a given SHA-256 is checked, anything else passes. */
function presignedPayload(hash: string): PayloadMode {
  return /^[0-9a-fA-F]{64}$/.test(hash)
    ? { kind: "sha256", expectedHex: hash.toLowerCase() }
    : { kind: "unsigned" };
}

/** Verifies a presigned request (its query carries X-Amz-Algorithm, -Credential or -Signature). */
export async function verifyPresigned(
  request: Request,
  query: URLSearchParams,
  rawPath: string,
  rawQuery: string,
  lookup: CredentialLookup,
  context: { region: string; service: string; now: Date },
): Promise<Authenticated> {
  const algorithm = query.get("X-Amz-Algorithm");
  const credential = query.get("X-Amz-Credential");
  const amzDate = query.get("X-Amz-Date");
  const expires = query.get("X-Amz-Expires");
  const signedHeaders = query.get("X-Amz-SignedHeaders");
  const signature = query.get("X-Amz-Signature");
  if (algorithm !== null && algorithm !== ALGORITHM) {
    throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  if (!algorithm || !credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw queryError(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const scope = parseCredential(credential);
  if (!scope) {
    throw malformedCredential(
      "query",
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const date = parseAmzDate(amzDate);
  if (!date)
    throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const seconds = parseExpires(expires);
  checkScope(scope, amzDate, context, "query");
  const signed = parseSignedHeaders(signedHeaders);
  if (!signed) throw queryError("Error parsing the X-Amz-SignedHeaders parameter.");
  checkHeadersSigned(request.headers, signed);
  const key = await signingKeyFor(scope, lookup);
  checkValidity(date, seconds, expires, context.now);
  const payloadHash =
    query.get("X-Amz-Content-Sha256") ??
    request.headers.get("x-amz-content-sha256") ??
    "UNSIGNED-PAYLOAD";
  checkSignature(signature, key, amzDate, scope, request, {
    rawPath,
    rawQuery,
    signedHeaders: signed,
    payloadHash,
    excludeQuery: "X-Amz-Signature",
  });
  return {
    anonymous: false,
    accessKeyId: scope.accessKeyId,
    payload: presignedPayload(payloadHash),
    presigned: true,
    decodedContentLength: null,
    signatureVersion: ALGORITHM,
  };
}
