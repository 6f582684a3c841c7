/**
 * A SigV4 signer for Floe's own outgoing requests (admin API calls from the
 * CLI and tests, replication to remote sites), built on the same
 * canonicalisation as the verifier.
 */
import {
  amzDateOf,
  canonicalRequest,
  hmacHex,
  signingKey,
  splitUrl,
  stringToSign,
} from "./canonical.ts";

export interface SignInput {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Hex SHA-256 of the payload, or "UNSIGNED-PAYLOAD" (the default). */
  payloadHash?: string;
  accessKeyId: string;
  secretKey: string;
  region: string;
  service?: string;
  now?: Date;
}

/** Headers (including Authorization, x-amz-date, x-amz-content-sha256) for a header-signed request. */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const now = input.now ?? new Date();
  const service = input.service ?? "s3";
  const amzDate = amzDateOf(now);
  const day = amzDate.slice(0, 8);
  const { rawPath, rawQuery } = splitUrl(input.url);
  const payloadHash = input.payloadHash ?? "UNSIGNED-PAYLOAD";
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) out[name.toLowerCase()] = value;
  out.host = new URL(input.url).host;
  out["x-amz-date"] = amzDate;
  out["x-amz-content-sha256"] = payloadHash;
  const signed = Object.keys(out).sort();
  const scope = `${day}/${input.region}/${service}/aws4_request`;
  const canonical = canonicalRequest({
    method: input.method,
    rawPath,
    rawQuery,
    headers: new Headers(out),
    signedHeaders: signed,
    payloadHash,
  });
  const signature = hmacHex(
    signingKey(input.secretKey, day, input.region, service),
    stringToSign(amzDate, scope, canonical),
  );
  out.authorization = `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  delete out.host;
  return out;
}

/** A presigned URL (query auth) valid for `expiresSeconds`. */
export async function presignUrl(input: {
  method: string;
  url: string;
  accessKeyId: string;
  secretKey: string;
  region: string;
  expiresSeconds: number;
  now?: Date;
}): Promise<string> {
  const now = input.now ?? new Date();
  const amzDate = amzDateOf(now);
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const url = new URL(input.url);
  url.searchParams.set("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  url.searchParams.set("X-Amz-Credential", `${input.accessKeyId}/${scope}`);
  url.searchParams.set("X-Amz-Date", amzDate);
  url.searchParams.set("X-Amz-Expires", String(input.expiresSeconds));
  url.searchParams.set("X-Amz-SignedHeaders", "host");
  const { rawPath, rawQuery } = splitUrl(url.toString());
  const canonical = canonicalRequest({
    method: input.method,
    rawPath,
    rawQuery,
    headers: new Headers({ host: url.host }),
    signedHeaders: ["host"],
    payloadHash: "UNSIGNED-PAYLOAD",
  });
  const signature = hmacHex(
    signingKey(input.secretKey, day, input.region, "s3"),
    stringToSign(amzDate, scope, canonical),
  );
  url.searchParams.set("X-Amz-Signature", signature);
  return url.toString();
}
