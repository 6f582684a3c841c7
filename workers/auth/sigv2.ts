/**
 * AWS Signature Version 2 verification, as S3 applies it (the string to
 * sign is built in sigv2-string-to-sign.ts). Accepted on the S3 API only,
 * for clients whose defaults still use it; the admin API and everything
 * Floe signs itself use SigV4.
 *
 * Header auth, `Authorization: AWS <AccessKeyId>:<Signature>`:
 * - anything else after "AWS " is InvalidArgument "AWS authorization header
 *   is invalid.  Expected AwsAccessKeyId:signature";
 * - the request time is x-amz-date, else Date (an HTTP date, or the ISO
 *   8601 basic form); neither is AccessDenied "AWS authentication requires
 *   a valid Date or x-amz-date header"; more than 15 minutes from the server
 *   clock is RequestTimeTooSkewed. With x-amz-date the DATE line is empty;
 *   the other forms clients sign are accepted too (see headerDateForms).
 * Query auth (presigned URL), `?AWSAccessKeyId=&Expires=&Signature=`:
 * - all three are required, else AccessDenied "Query-string authentication
 *   requires the Signature, Expires and AWSAccessKeyId parameters";
 * - Expires is the end of validity in epoch seconds (no upper bound, as in
 *   S3); past it the request is AccessDenied "Request has expired";
 * - x-amz-*, Content-Type and Content-MD5 may be given as query parameters
 *   (botocore moves them there); a header of the same name takes
 *   precedence, so every header the request carries is the one signed.
 * Both:
 * - an unknown access key is InvalidAccessKeyId;
 * - the path is signed as sent or re-encoded (either matches), and a
 *   path-style bucket alone (`/bucket`) also as `/bucket/`, each candidate
 *   compared in constant time; otherwise SignatureDoesNotMatch
 *   with the StringToSign and StringToSignBytes S3 reports;
 * - v2 signs only x-amz-* headers, so a request carrying Floe's own
 *   x-floe-* headers is refused (AccessDenied, headers not signed);
 * - the payload is not signed: the body passes unchecked unless it carries
 *   Content-MD5 (checked by the handlers) or a signed x-amz-content-sha256
 *   with a SHA-256, which is verified; the aws-chunked modes need SigV4.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import { canonicalUri, parseAmzDate } from "../../shared/sigv4/canonical.ts";
import { checkSkew } from "./request-signature.ts";
import { signaturesEqual } from "./signature.ts";
import {
  amzHeadersOf,
  canonicalResource,
  signV2,
  stringToSignBytes,
  stringToSignV2,
} from "./sigv2-string-to-sign.ts";
import type { Authenticated, CredentialLookup, PayloadMode } from "./authentication.ts";

/** The scheme name in `Authorization: AWS …` and s3:signatureversion's value for v2. */
export const SIGNATURE_V2 = "AWS";

/** What v2 verification needs besides the request. */
export interface SigV2Context {
  now: Date;
  /** The base domain of virtual-hosted buckets ("" when only path style is served). */
  domain: string;
}

/** The DATE line and amz headers of one way a client may have signed the request. */
interface DateForm {
  date: string;
  amzHeaders: ReadonlyMap<string, string>;
}

/** The parts of a request the signature covers, other than its path and query. */
interface Signed {
  accessKeyId: string;
  signature: string;
  contentMd5: string;
  contentType: string;
  /** The first is the one S3 documents and reports in errors. */
  dateForms: readonly DateForm[];
}

/** The bucket named by the Host of a virtual-hosted request; null for path style. */
function virtualHostBucket(request: Request, domain: string): string | null {
  if (!domain) return null;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  return hostname.endsWith(`.${domain}`) ? hostname.slice(0, -(domain.length + 1)) : null;
}

/** AccessDenied when the request carries x-floe-* headers, which v2 does not sign. */
function refuseFloeHeaders(headers: Headers): void {
  const unsigned: string[] = [];
  headers.forEach((_, name) => {
    if (name.startsWith("x-floe-")) unsigned.push(name);
  });
  if (unsigned.length === 0) return;
  throw new S3Error(
    "AccessDenied",
    "There were headers present in the request which were not signed",
    { detail: { HeadersNotSigned: unsigned.join(", ") } },
  );
}

/** The secret of an access key; InvalidAccessKeyId when the key is unknown. */
async function secretOf(accessKeyId: string, lookup: CredentialLookup): Promise<string> {
  const credential = await lookup(accessKeyId);
  if (!credential) {
    throw new S3Error("InvalidAccessKeyId", undefined, {
      detail: { AWSAccessKeyId: accessKeyId },
    });
  }
  return credential.secretKey;
}

/**
 * SignatureDoesNotMatch unless `signed.signature` signs the request with
 * its path as sent or re-encoded, in one of its date forms; every
 * candidate is computed and compared in constant time.
 */
function checkSignatureV2(
  secret: string,
  signed: Signed,
  request: Request,
  rawPath: string,
  rawQuery: string,
  domain: string,
): void {
  const bucket = virtualHostBucket(request, domain);
  const paths = [...new Set([rawPath, canonicalUri(rawPath)])];
  // botocore signs a path-style request for a bucket alone as "/bucket/" while sending "/bucket".
  if (bucket === null && /^\/[^/]+$/.test(rawPath)) paths.push(...paths.map((path) => `${path}/`));
  const candidates = signed.dateForms.flatMap((form) =>
    paths.map((path) =>
      stringToSignV2({
        method: request.method,
        contentMd5: signed.contentMd5,
        contentType: signed.contentType,
        date: form.date,
        amzHeaders: form.amzHeaders,
        resource: canonicalResource(path, bucket, rawQuery),
      }),
    ),
  );
  let matched = false;
  for (const candidate of candidates) {
    if (signaturesEqual(signV2(secret, candidate), signed.signature)) matched = true;
  }
  if (matched) return;
  throw new S3Error("SignatureDoesNotMatch", undefined, {
    detail: {
      AWSAccessKeyId: signed.accessKeyId,
      StringToSign: candidates[0],
      SignatureProvided: signed.signature,
      StringToSignBytes: stringToSignBytes(candidates[0]),
    },
  });
}

/** The payload mode of a v2 request: only a signed x-amz-content-sha256 digest is checked. */
function payloadV2(headers: Headers): PayloadMode {
  const value = headers.get("x-amz-content-sha256");
  if (value === null || value === "UNSIGNED-PAYLOAD") return { kind: "unsigned" };
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: "sha256", expectedHex: value.toLowerCase() };
  throw new S3Error(
    "InvalidRequest",
    `x-amz-content-sha256 ${value} requires the AWS4-HMAC-SHA256 authorization mechanism.`,
  );
}

/** Parses an HTTP date (`Sun, 06 Dec 2026 02:00:00 GMT` or `+0000`) or yyyymmddThhmmssZ. */
function parseRequestTime(value: string): Date | null {
  const amz = parseAmzDate(value);
  if (amz) return amz;
  if (!/^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|[+-]\d{4})$/.test(value))
    return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/**
 * The date forms of header auth. Without x-amz-date: the Date header.
 * With it, x-amz-date is signed among the amz headers and the DATE line is
 * empty (S3's rule, s3cmd), or holds the Date header when one is sent too
 * (botocore, MinIO); AWS's own worked example instead puts the x-amz-date
 * value on the DATE line and leaves it out of the amz headers. Each form
 * signs the time the request is judged by.
 */
function headerDateForms(headers: Headers, amzDate: string | null): DateForm[] {
  const amzHeaders = amzHeadersOf(headers);
  const date = headers.get("date");
  if (amzDate === null) return [{ date: date ?? "", amzHeaders }];
  const withoutAmzDate = new Map(amzHeaders);
  withoutAmzDate.delete("x-amz-date");
  const forms = [
    { date: "", amzHeaders },
    { date: amzDate, amzHeaders: withoutAmzDate },
  ];
  if (date !== null) forms.push({ date, amzHeaders });
  return forms;
}

/** Verifies `Authorization: AWS <AccessKeyId>:<Signature>`. */
export async function verifyHeaderV2(
  request: Request,
  header: string,
  rawPath: string,
  rawQuery: string,
  lookup: CredentialLookup,
  context: SigV2Context,
): Promise<Authenticated> {
  const credentials = header.trim().slice(SIGNATURE_V2.length).trim();
  const colon = credentials.indexOf(":");
  if (colon <= 0 || colon === credentials.length - 1 || /\s/.test(credentials)) {
    throw new S3Error(
      "InvalidArgument",
      "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
      { detail: { ArgumentName: "Authorization" } },
    );
  }
  const accessKeyId = credentials.slice(0, colon);
  const headers = request.headers;
  const amzDate = headers.get("x-amz-date");
  const timeText = amzDate ?? headers.get("date");
  const time = timeText === null ? null : parseRequestTime(timeText);
  if (timeText === null || time === null) {
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    );
  }
  refuseFloeHeaders(headers);
  const payload = payloadV2(headers);
  const secret = await secretOf(accessKeyId, lookup);
  checkSkew(time, timeText, context.now);
  const signed: Signed = {
    accessKeyId,
    signature: credentials.slice(colon + 1),
    contentMd5: headers.get("content-md5") ?? "",
    contentType: headers.get("content-type") ?? "",
    dateForms: headerDateForms(headers, amzDate),
  };
  checkSignatureV2(secret, signed, request, rawPath, rawQuery, context.domain);
  return {
    anonymous: false,
    accessKeyId,
    payload,
    presigned: false,
    decodedContentLength: null,
    signatureVersion: SIGNATURE_V2,
  };
}

/** True when a query carries SigV2 query authentication (or part of it). */
export function hasQueryV2(query: URLSearchParams): boolean {
  return query.has("AWSAccessKeyId") || query.has("Signature");
}

/** x-amz-* values of a presigned request: query parameters, overridden by headers. */
function presignedAmzHeaders(query: URLSearchParams, headers: Headers): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (lower.startsWith("x-amz-")) values.set(lower, value);
  }
  for (const [name, value] of amzHeadersOf(headers)) values.set(name, value);
  return values;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Verifies a v2 presigned URL (`AWSAccessKeyId`, `Expires`, `Signature`). */
export async function verifyPresignedV2(
  request: Request,
  query: URLSearchParams,
  rawPath: string,
  rawQuery: string,
  lookup: CredentialLookup,
  context: SigV2Context,
): Promise<Authenticated> {
  const accessKeyId = query.get("AWSAccessKeyId");
  const expires = query.get("Expires");
  // A '+' of the base64 signature that the client left unencoded arrives as a space.
  const signature = query.get("Signature")?.replace(/ /g, "+");
  if (!accessKeyId || !expires || !signature) {
    throw new S3Error(
      "AccessDenied",
      "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
    );
  }
  if (!/^\d+$/.test(expires)) {
    throw new S3Error("AccessDenied", `Invalid date (should be seconds since epoch): ${expires}`);
  }
  const headers = request.headers;
  refuseFloeHeaders(headers);
  const payload = payloadV2(headers);
  const secret = await secretOf(accessKeyId, lookup);
  const expiry = Number(expires) * 1000;
  if (context.now.getTime() > expiry) {
    throw new S3Error("AccessDenied", "Request has expired", {
      detail: {
        Expires: isoSeconds(new Date(expiry)),
        ServerTime: isoSeconds(context.now),
      },
    });
  }
  const signed: Signed = {
    accessKeyId,
    signature,
    contentMd5: headers.get("content-md5") ?? query.get("content-md5") ?? "",
    contentType: headers.get("content-type") ?? query.get("content-type") ?? "",
    dateForms: [{ date: expires, amzHeaders: presignedAmzHeaders(query, headers) }],
  };
  checkSignatureV2(secret, signed, request, rawPath, rawQuery, context.domain);
  return {
    anonymous: false,
    accessKeyId,
    payload,
    presigned: true,
    decodedContentLength: null,
    signatureVersion: SIGNATURE_V2,
  };
}
