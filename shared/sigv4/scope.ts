/**
 * SigV4 names and scope, shared by the verifier (workers/auth/) and the
 * signer (sign.ts):
 * - credential = `<access key>/<day>/<region>/<service>/aws4_request`,
 *   day as yyyymmdd; credential scope = the same without the access key;
 * - request string to sign = "AWS4-HMAC-SHA256" \n amzDate \n scope \n
 *   hex(sha256(canonical request));
 * - a presigned URL lives 1 to 604800 seconds (7 days).
 */

/** The algorithm name in Authorization headers and X-Amz-Algorithm. */
export const ALGORITHM = "AWS4-HMAC-SHA256";

/** Longest validity of a presigned URL: 7 days, in seconds. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60;

/** The parts of a credential: `<access key>/<day>/<region>/<service>/aws4_request`. */
export interface CredentialScope {
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
}

/** Parses a credential; null when it does not have the five parts or the day is not yyyymmdd. */
export function parseCredential(value: string): CredentialScope | null {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return null;
  const [accessKeyId, day, region, service] = parts;
  if (accessKeyId === "" || !/^\d{8}$/.test(day) || region === "" || service === "") return null;
  return { accessKeyId, day, region, service };
}

/** `day/region/service/aws4_request`. */
export function scopeOf(scope: Omit<CredentialScope, "accessKeyId">): string {
  return `${scope.day}/${scope.region}/${scope.service}/aws4_request`;
}

/** The string to sign for a canonical request, given the hex SHA-256 of that request. */
export function stringToSign(amzDate: string, scope: string, canonicalHashHex: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${canonicalHashHex}`;
}
