/**
 * Which peer URLs a site may store as remote targets and dial (replication,
 * target checks, health probes, verify). Pure: decided on the URL alone,
 * before any connection, the same way at every place a target URL enters
 * and again right before every dial.
 *
 * Rules:
 * - `http:` or `https:` with a host, no user name or password (credentials
 *   travel as fields, never in the endpoint), no backslash, whitespace or
 *   control characters;
 * - the host is read as the WHATWG URL parser reads it (the one fetch
 *   uses), so `2130706433`, `0x7f.1` and `0177.0.0.1` are 127.0.0.1 here as
 *   there; a name whose last label is numeric but is no IPv4 address is
 *   refused;
 * - IP literals are refused when loopback, private (RFC 1918, CGNAT
 *   100.64/10, fc00::/7), link-local (169.254/16, fe80::/10), unspecified,
 *   multicast, reserved or documentation ranges, IPv4-mapped or -compatible
 *   IPv6, and IPv6 forms that embed a refused IPv4 address (NAT64, 6to4) or
 *   hide one (Teredo);
 * - names are refused when they are local by convention: single labels,
 *   `localhost`, `*.localhost`, `*.local`, `*.internal` (cloud metadata
 *   names such as metadata.google.internal), `*.home.arpa`, `*.arpa`.
 *   A public name that resolves to a private address cannot be told apart
 *   here (Workers cannot resolve names before fetch); Cloudflare Workers
 *   cannot reach private networks, so that case is the platform's to block.
 * - an allowlist (FLOE_TARGET_ALLOWLIST: comma-separated CIDRs and
 *   hostnames, `*.example` for a suffix) lets a site reach what the rules
 *   refuse, e.g. loopback for local sites.
 */

export interface Cidr {
  /** 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export interface TargetAllowlist {
  readonly cidrs: readonly Cidr[];
  /** Lower-case names; a leading "." matches any name under it. */
  readonly hosts: readonly string[];
}

export const EMPTY_ALLOWLIST: TargetAllowlist = { cidrs: [], hosts: [] };

export type TargetUrlDecision =
  | { readonly ok: true; readonly origin: string; readonly hostname: string }
  | { readonly ok: false; readonly reason: string };

/** Parses a dotted-quad IPv4 address (four decimal parts); null otherwise. */
function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9]\d{0,2})$/.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

/** Parses an IPv6 address (no brackets, no zone); null otherwise. */
export function parseIpv6(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let head = text;
  let tail: number[] = [];
  if (text.includes(".")) {
    // A trailing dotted quad stands for the last two groups.
    const at = text.lastIndexOf(":");
    const v4 = at < 0 ? null : parseIpv4(text.slice(at + 1));
    if (!v4) return null;
    head = text.slice(0, at + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const group = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const piece of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return null;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const left = group(halves[0]);
  const right = halves.length === 2 ? group(halves[1]) : [];
  if (!left || !right) return null;
  const given = left.length + right.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (given > 7) return null;
    words = [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
  } else {
    if (given !== 8) return null;
    words = [...left, ...tail];
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** Parses `address/prefix` (or a bare address, a /32 or /128); null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const [address, prefixText, extra] = text.trim().split("/");
  if (extra !== undefined || address === undefined) return null;
  const bytes = parseIpv4(address) ?? parseIpv6(address.replace(/^\[|\]$/g, ""));
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  return prefix <= max ? { bytes, prefix } : null;
}

/** Whether `bytes` (same family as the range) lies in `cidr`. */
function inCidr(bytes: Uint8Array, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (cidr.bytes[i] & mask)) return false;
  }
  return true;
}

const range = (text: string, name: string): [Cidr, string] => [parseCidr(text) as Cidr, name];

const REFUSED_V4: readonly [Cidr, string][] = [
  range("0.0.0.0/8", "an unspecified address"),
  range("10.0.0.0/8", "a private address"),
  range("100.64.0.0/10", "a carrier-grade NAT address"),
  range("127.0.0.0/8", "a loopback address"),
  range("169.254.0.0/16", "a link-local address"),
  range("172.16.0.0/12", "a private address"),
  range("192.0.0.0/24", "a reserved address"),
  range("192.0.2.0/24", "a documentation address"),
  range("192.88.99.0/24", "a reserved address"),
  range("192.168.0.0/16", "a private address"),
  range("198.18.0.0/15", "a benchmarking address"),
  range("198.51.100.0/24", "a documentation address"),
  range("203.0.113.0/24", "a documentation address"),
  range("224.0.0.0/4", "a multicast address"),
  range("240.0.0.0/4", "a reserved address"),
];

const REFUSED_V6: readonly [Cidr, string][] = [
  range("::/128", "an unspecified address"),
  range("::1/128", "a loopback address"),
  range("::ffff:0:0/96", "an IPv4-mapped address"),
  range("::/96", "an IPv4-compatible address"),
  range("::ffff:0:0:0/96", "an IPv4-translated address"),
  range("100::/64", "a discard address"),
  range("2001::/32", "a Teredo address"),
  range("2001:db8::/32", "a documentation address"),
  range("fc00::/7", "a unique-local (private) address"),
  range("fe80::/10", "a link-local address"),
  range("fec0::/10", "a site-local address"),
  range("ff00::/8", "a multicast address"),
];

const NAT64 = parseCidr("64:ff9b::/96") as Cidr;
const NAT64_LOCAL = parseCidr("64:ff9b:1::/48") as Cidr;
const SIX_TO_FOUR = parseCidr("2002::/16") as Cidr;

/** Why an IP address may not be a target; null when it may. */
function refusedAddress(bytes: Uint8Array): string | null {
  if (bytes.length === 4) {
    if (bytes.every((b) => b === 255)) return "a broadcast address";
    return REFUSED_V4.find(([cidr]) => inCidr(bytes, cidr))?.[1] ?? null;
  }
  const refused = REFUSED_V6.find(([cidr]) => inCidr(bytes, cidr))?.[1];
  if (refused) return refused;
  if (inCidr(bytes, NAT64_LOCAL)) return "a local NAT64 address";
  if (inCidr(bytes, NAT64)) {
    const inner = refusedAddress(bytes.slice(12, 16));
    return inner ? `a NAT64 form of ${inner}` : null;
  }
  if (inCidr(bytes, SIX_TO_FOUR)) {
    const inner = refusedAddress(bytes.slice(2, 6));
    return inner ? `a 6to4 form of ${inner}` : null;
  }
  return null;
}

const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".arpa", ".localdomain"];

/** Why a host name (not an IP literal) may not be a target; null when it may. */
function refusedName(name: string): string | null {
  if (!name.includes(".")) return "a single-label (local) name";
  if (LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix))) return "a local or internal name";
  const last = name.slice(name.lastIndexOf(".") + 1);
  if (/^(\d+|0x[0-9a-f]*)$/.test(last)) return "a numeric name that is no IPv4 address";
  return null;
}

function hostAllowed(name: string, allow: TargetAllowlist): boolean {
  return allow.hosts.some((host) =>
    host.startsWith(".") ? name.endsWith(host) && name.length > host.length : name === host,
  );
}

/**
 * Parses FLOE_TARGET_ALLOWLIST: comma-separated CIDRs (or bare addresses)
 * and host names (`*.example.net` for every name under example.net).
 * Throws with the first entry that is neither.
 */
export function parseTargetAllowlist(text: string): TargetAllowlist {
  const cidrs: Cidr[] = [];
  const hosts: string[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    const cidr = parseCidr(entry);
    if (cidr) {
      cidrs.push(cidr);
      continue;
    }
    const name = entry.startsWith("*.") ? entry.slice(1) : entry;
    if (!/^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name))
      throw new Error(`"${raw.trim()}" is neither a CIDR nor a host name`);
    hosts.push(name);
  }
  return { cidrs, hosts };
}

/**
 * Decides whether `raw` may be a remote target endpoint; on success gives
 * the origin to store and dial (scheme, host and port only).
 */
export function checkTargetUrl(raw: string, allow: TargetAllowlist): TargetUrlDecision {
  const refuse = (reason: string): TargetUrlDecision => ({ ok: false, reason });
  if (/[\s\\\u0000-\u001f\u007f]/.test(raw))
    return refuse("the URL has whitespace, control characters or a backslash");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("the URL is not valid");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return refuse("only http and https URLs may be targets");
  if (url.username !== "" || url.password !== "")
    return refuse("the endpoint may not carry a user name or password");
  const host = url.hostname.toLowerCase();
  if (host === "") return refuse("the URL has no host");
  const decided = (reason: string | null, allowed: boolean): TargetUrlDecision =>
    reason === null || allowed
      ? { ok: true, origin: url.origin, hostname: host }
      : refuse(`the host is ${reason}; add it to FLOE_TARGET_ALLOWLIST to allow it`);
  if (host.startsWith("[")) {
    const bytes = parseIpv6(host.slice(1, -1));
    if (!bytes) return refuse("the IPv6 address is not valid");
    return decided(
      refusedAddress(bytes),
      allow.cidrs.some((cidr) => inCidr(bytes, cidr)),
    );
  }
  const v4 = parseIpv4(host);
  if (v4)
    return decided(
      refusedAddress(v4),
      allow.cidrs.some((cidr) => inCidr(v4, cidr)),
    );
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  return decided(refusedName(name), hostAllowed(name, allow));
}
