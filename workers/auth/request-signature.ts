/**
 * The checks header auth and query (presigned) auth share, in S3's terms:
 * - the credential scope's day equals the request date's day, its region is
 *   the deployment's, its service "s3", else AuthorizationHeaderMalformed
 *   (header) or AuthorizationQueryParametersError (query), with AWS's
 *   messages ("the region 'x' is wrong; expecting 'y'", …);
 * - `host` and every x-amz-* header present are signed, else AccessDenied
 *   "There were headers present in the request which were not signed"
 *   (x-amz-content-sha256 is exempt: its value is the canonical request's
 *   last line, so it is covered anyway); so is every x-floe-* header, as
 *   Floe's replication protocol headers change what a request may do;
 * - an unknown access key is InvalidAccessKeyId;
 * - header auth: a request time more than 15 minutes from the server clock
 *   is RequestTimeTooSkewed (presigned URLs have their own validity);
 * - the signature is computed over the path re-encoded (what AWS computes)
 *   and, when that differs, over the path exactly as sent (what clients
 *   that skip re-encoding sign); either matching, compared in constant
 *   time, authenticates, otherwise SignatureDoesNotMatch.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import { canonicalRequest, type CanonicalInput } from "../../shared/sigv4/canonical.ts";
import { deriveSigningKey, hmacHex, requestStringToSign, signaturesEqual } from "./signature.ts";
import { scopeOf, type CredentialScope } from "../../shared/sigv4/scope.ts";
import type { CredentialLookup } from "./authentication.ts";

/** Largest difference between the request time and the server clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** Which auth mechanism an error is about: it decides the error code and message prefix. */
export type AuthMechanism = "header" | "query";

/** The malformed-credential error of a mechanism, with AWS's message. */
export function malformedCredential(mechanism: AuthMechanism, detail?: string): S3Error {
  if (mechanism === "header") {
    return new S3Error(
      "AuthorizationHeaderMalformed",
      detail
        ? `The authorization header is malformed; ${detail}`
        : "The authorization header is malformed.",
    );
  }
  return new S3Error(
    "AuthorizationQueryParametersError",
    detail
      ? `Error parsing the X-Amz-Credential parameter; ${detail}`
      : "Error parsing the X-Amz-Credential parameter.",
  );
}

/** Checks the credential scope against the request date and this deployment. */
export function checkScope(
  scope: CredentialScope,
  amzDate: string,
  expected: { region: string; service: string },
  mechanism: AuthMechanism,
): void {
  if (scope.day !== amzDate.slice(0, 8)) {
    throw malformedCredential(
      mechanism,
      "Invalid credential date. Date is not the same as X-Amz-Date.",
    );
  }
  if (scope.region !== expected.region) {
    const error = malformedCredential(
      mechanism,
      `the region '${scope.region}' is wrong; expecting '${expected.region}'`,
    );
    // SDKs read <Region> to retry against the right region.
    throw new S3Error(error.code, error.message, { detail: { Region: expected.region } });
  }
  if (scope.service !== expected.service) {
    throw malformedCredential(
      mechanism,
      `incorrect service "${scope.service}". This endpoint belongs to "${expected.service}".`,
    );
  }
}

/** Parses a SignedHeaders list; null when empty or not lower-case names separated by ';'. */
export function parseSignedHeaders(value: string): string[] | null {
  const names = value.split(";");
  return names.every((name) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) ? names : null;
}

/** AccessDenied unless `host` and every x-amz-* and x-floe-* header present are signed. */
export function checkHeadersSigned(headers: Headers, signed: readonly string[]): void {
  const unsigned: string[] = [];
  if (!signed.includes("host")) unsigned.push("host");
  headers.forEach((_, name) => {
    const mustSign =
      (name.startsWith("x-amz-") && name !== "x-amz-content-sha256") || name.startsWith("x-floe-");
    if (mustSign && !signed.includes(name)) unsigned.push(name);
  });
  if (unsigned.length > 0) {
    throw new S3Error(
      "AccessDenied",
      "There were headers present in the request which were not signed",
      {
        detail: { HeadersNotSigned: unsigned.join(", ") },
      },
    );
  }
}

/** The signing key of a credential scope; InvalidAccessKeyId when the key is unknown. */
export async function signingKeyFor(
  scope: CredentialScope,
  lookup: CredentialLookup,
): Promise<Uint8Array> {
  const credential = await lookup(scope.accessKeyId);
  if (!credential) throw new S3Error("InvalidAccessKeyId");
  return deriveSigningKey(credential.secretKey, scope.day, scope.region, scope.service);
}

/**
 * SignatureDoesNotMatch unless `signature` signs the request, its path taken
 * re-encoded or (when that differs) as sent; each candidate is compared in
 * constant time. Like S3, the error carries the canonical request and the
 * string to sign (of the re-encoded form) so a client can see what was
 * expected; neither holds a secret.
 */
export function checkSignature(
  signature: string,
  key: Uint8Array,
  amzDate: string,
  scope: CredentialScope,
  request: Request,
  parts: Omit<CanonicalInput, "method" | "headers" | "urlHost" | "pathAsSent">,
): void {
  const input = {
    ...parts,
    method: request.method,
    headers: request.headers,
    urlHost: new URL(request.url).host,
  };
  const scopeText = scopeOf(scope);
  const canonical = canonicalRequest({ ...input, pathAsSent: false });
  const asSent = canonicalRequest({ ...input, pathAsSent: true });
  const toSign = requestStringToSign(amzDate, scopeText, canonical);
  const candidates =
    asSent === canonical ? [toSign] : [toSign, requestStringToSign(amzDate, scopeText, asSent)];
  let matched = false;
  for (const candidate of candidates) {
    if (signaturesEqual(hmacHex(key, candidate), signature)) matched = true;
  }
  if (matched) return;
  throw new S3Error("SignatureDoesNotMatch", undefined, {
    detail: {
      AWSAccessKeyId: scope.accessKeyId,
      StringToSign: toSign,
      SignatureProvided: signature,
      CanonicalRequest: canonical,
    },
  });
}

/** RequestTimeTooSkewed when `date` is more than 15 minutes from `now`. */
export function checkSkew(date: Date, amzDate: string, now: Date): void {
  if (Math.abs(now.getTime() - date.getTime()) <= MAX_SKEW_MS) return;
  throw new S3Error(
    "RequestTimeTooSkewed",
    "The difference between the request time and the current time is too large.",
    {
      detail: {
        RequestTime: amzDate,
        ServerTime: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      },
    },
  );
}
