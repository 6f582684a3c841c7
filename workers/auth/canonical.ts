/**
 * SigV4 canonicalisation, shared by the verifier and the signer.
 * Canonical request = METHOD \n URI \n QUERY \n HEADERS \n \n SIGNED \n PAYLOAD.
 * S3 does not double-encode the path: clients sign it as they send it, or
 * with each segment decoded and encoded again with the unreserved set
 * (A-Z a-z 0-9 - _ . ~); the verifier accepts either. Query pairs are
 * encoded the same way (space as %20) and sorted by name, then value.
 * Header values are trimmed with inner whitespace runs collapsed.
 * String to sign = "AWS4-HMAC-SHA256" \n date \n scope \n hex(sha256(canonical)).
 */
import { createHash, createHmac } from "node:crypto";

/** AWS's URI encoding: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case hex). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The canonical URI of a raw request path. */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => uriEncode(safeDecode(segment)))
    .join("/");
}

/** The canonical query string of a raw query (without `?`), leaving out `exclude`. */
export function canonicalQuery(rawQuery: string, exclude: string | null = null): string {
  if (rawQuery === "") return "";
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : safeDecode(part.slice(eq + 1));
    if (name === exclude) continue;
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/**
 * Canonical headers block for the given (lower-case) names. `host` falls back
 * to the URL's authority: some runtimes keep it off the Headers object.
 */
export function canonicalHeaders(headers: Headers, signed: string[], urlHost = ""): string {
  return signed
    .map((name) => {
      const value = headers.get(name) ?? (name === "host" ? urlHost : "");
      return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The whole canonical request. */
export function canonicalRequest(input: {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Headers;
  signedHeaders: string[];
  payloadHash: string;
  excludeQuery?: string;
  /** The URL's host[:port], used when the Host header is not on `headers`. */
  urlHost?: string;
  /** Use the path exactly as sent (what AWS SDKs sign) instead of re-encoding it. */
  pathAsSent?: boolean;
}): string {
  return [
    input.method,
    input.pathAsSent ? input.rawPath : canonicalUri(input.rawPath),
    canonicalQuery(input.rawQuery, input.excludeQuery ?? null),
    canonicalHeaders(input.headers, input.signedHeaders, input.urlHost),
    input.signedHeaders.join(";"),
    input.payloadHash,
  ].join("\n");
}

/** The string to sign for a canonical request. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
}

/** The SigV4 signing key for a day, region and service. */
export function signingKey(
  secret: string,
  day: string,
  region: string,
  service: string,
): Uint8Array {
  const kDate = createHmac("sha256", `AWS4${secret}`).update(day).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  return new Uint8Array(createHmac("sha256", kService).update("aws4_request").digest());
}

/** hex(HMAC-SHA256(key, data)). */
export function hmacHex(key: Uint8Array, data: string): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/** Raw path and query of a request URL string, as sent. */
export function splitUrl(rawUrl: string): { rawPath: string; rawQuery: string } {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/.exec(rawUrl);
  return { rawPath: match?.[1] || "/", rawQuery: match?.[2] ?? "" };
}

/** `YYYYMMDDTHHMMSSZ` of a date. */
export function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Parses `YYYYMMDDTHHMMSSZ`; null when malformed. */
export function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? null : date;
}
