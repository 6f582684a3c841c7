/**
 * SigV4 canonicalisation, the one implementation shared by the verifier and
 * the signer.
 *
 * Canonical request = METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n PAYLOAD:
 * - URI: the absolute path, each segment percent-decoded and encoded again
 *   with AWS's UriEncode (bytes outside A-Z a-z 0-9 - _ . ~ become %XX in
 *   upper-case hex; '/' separates segments and is kept). S3 does not encode
 *   a second time and does not normalise `.`/`..` segments. Because some
 *   clients sign the path exactly as they send it, the verifier also accepts
 *   the raw path (see signature-check.ts).
 * - QUERY: every name=value pair decoded and encoded the same way (space as
 *   %20, never '+'), a name without '=' having the empty value, sorted by
 *   encoded name, then encoded value. A raw '+' in the query is a space (as
 *   S3 and every form decoder read it), so it is signed as %20; only %2B is
 *   a plus. Signing '+' as %2B would let a request signed for a plus be
 *   replayed meaning a space.
 * - HEADERS: `name:value\n` for each signed header in SignedHeaders order,
 *   names lower-case, values trimmed with inner whitespace runs collapsed to
 *   one space (several values of one header arrive joined by the runtime).
 * - SIGNED: the SignedHeaders list; PAYLOAD: the x-amz-content-sha256 value.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** "%XX" or the character itself, for every byte value. */
const ENCODED_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
});

const utf8 = new TextEncoder();

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * AWS's UriEncode of a URI component that may already be percent-encoded:
 * valid %XX escapes are decoded to their byte first (so a client's encoding
 * choices do not matter), every other character is taken as its UTF-8 bytes.
 * Works on bytes, so escapes that are not valid UTF-8 survive unchanged.
 */
export function normalizeComponent(raw: string): string {
  const bytes = utf8.encode(raw);
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    let byte = bytes[i];
    if (byte === 0x25 && i + 2 < bytes.length) {
      const high = hexValue(bytes[i + 1]);
      const low = hexValue(bytes[i + 2]);
      if (high >= 0 && low >= 0) {
        byte = high * 16 + low;
        i += 2;
      }
    }
    out += ENCODED_BYTE[byte];
  }
  return out;
}

/** AWS's UriEncode of a plain (not yet encoded) string. */
export function uriEncode(value: string): string {
  let out = "";
  for (const byte of utf8.encode(value)) out += ENCODED_BYTE[byte];
  return out;
}

/** The canonical URI of a raw request path ("/" when empty). */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "") return "/";
  return rawPath.split("/").map(normalizeComponent).join("/");
}

/** The canonical query string of a raw query (without `?`), leaving out the parameter `exclude`. */
export function canonicalQuery(rawQuery: string, exclude: string | null = null): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.replace(/\+/g, "%20").split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = normalizeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : normalizeComponent(part.slice(eq + 1));
    if (exclude !== null && name === exclude) continue;
    pairs.push([name, value]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** A header value as SigV4 signs it: trimmed, inner whitespace runs collapsed. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/**
 * The canonical headers block for the given lower-case names. `host` falls
 * back to `urlHost`: runtimes may keep Host off the Headers object.
 */
export function canonicalHeaders(headers: Headers, signed: string[], urlHost = ""): string {
  let out = "";
  for (const name of signed) {
    const value = headers.get(name) ?? (name === "host" ? urlHost : "");
    out += `${name}:${canonicalHeaderValue(value)}\n`;
  }
  return out;
}

/** What a canonical request is built from. */
export interface CanonicalInput {
  method: string;
  /** The path as sent (percent-encoded). */
  rawPath: string;
  /** The query as sent, without `?`. */
  rawQuery: string;
  headers: Headers;
  /** Lower-case names in SignedHeaders order. */
  signedHeaders: string[];
  payloadHash: string;
  /** A query parameter left out (X-Amz-Signature for presigned URLs). */
  excludeQuery?: string;
  /** The URL's host[:port], used when Host is not on `headers`. */
  urlHost?: string;
  /** Use the raw path unchanged instead of re-encoding it (what some clients sign). */
  pathAsSent?: boolean;
}

/** The whole canonical request. */
export function canonicalRequest(input: CanonicalInput): string {
  return [
    input.method,
    input.pathAsSent ? input.rawPath || "/" : canonicalUri(input.rawPath),
    canonicalQuery(input.rawQuery, input.excludeQuery ?? null),
    canonicalHeaders(input.headers, input.signedHeaders, input.urlHost),
    input.signedHeaders.join(";"),
    input.payloadHash,
  ].join("\n");
}

/**
 * The raw path and query of a URL string, exactly as written (the URL class
 * would re-encode them). The path is "/" when the URL has none.
 */
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

/** Parses `YYYYMMDDTHHMMSSZ`; null when malformed or not a real date. */
export function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return amzDateOf(date) === value ? date : null;
}
