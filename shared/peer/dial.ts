/**
 * The guarded dial of a remote target, the only way a site (its Worker or
 * its Durable Objects) reaches another site; runtime-neutral (fetch only):
 * - the URL is decided again right before the fetch (shared/net/target-url.ts
 *   with the site's FLOE_TARGET_ALLOWLIST), so a target stored before a rule
 *   or allowlist change, or a URL assembled from stored parts, never dials a
 *   refused host;
 * - redirects are not followed (a peer could otherwise bounce a signed
 *   request to a host the rules refuse); a 3xx is just a failed answer;
 * - a failure to connect is described by kind (timeout, DNS, TLS, refused),
 *   never by the runtime's message, which may name internal addresses;
 * - a health probe is an unsigned HEAD of the endpoint: any HTTP answer
 *   (a 403 too) means the site is up, none within the timeout offline.
 */
import { checkTargetUrl, type TargetAllowlist } from "../net/target-url.ts";

/** A dial the target rules refuse; nothing was sent. */
export class TargetRefusedError extends Error {
  constructor(reason: string) {
    super(`remote target refused: ${reason}`);
    this.name = "TargetRefusedError";
  }
}

/** A connection to a remote target that failed, described by kind. */
export class PeerDialError extends Error {
  constructor(kind: string) {
    super(`remote target: ${kind}`);
    this.name = "PeerDialError";
  }
}

/**
 * fetch() to a remote target, after the target rules allow its URL;
 * redirects are not followed. A connection failure becomes a PeerDialError
 * naming its kind; an abort the caller asked for (other than a timeout)
 * keeps its own reason.
 */
export async function peerFetch(
  allowlist: TargetAllowlist,
  url: string,
  init: RequestInit,
): Promise<Response> {
  const decision = checkTargetUrl(url, allowlist);
  if (!decision.ok) throw new TargetRefusedError(decision.reason);
  try {
    return await fetch(url, { ...init, redirect: "manual" });
  } catch (error) {
    const reason: unknown = init.signal?.aborted ? init.signal.reason : null;
    if (reason !== null && !(reason instanceof Error && reason.name === "TimeoutError"))
      throw error;
    throw new PeerDialError(describeDialError(error));
  }
}

/** What kind of failure a fetch to a peer threw, without the runtime's text. */
export function describeDialError(error: unknown): string {
  if (error instanceof TargetRefusedError) return error.message;
  if (error instanceof PeerDialError) return error.message.replace(/^remote target: /, "");
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message.toLowerCase() : "";
  if (name === "TimeoutError" || name === "AbortError" || message.includes("timed out"))
    return "timed out";
  if (message.includes("dns") || message.includes("resolve") || message.includes("not found"))
    return "its name did not resolve (DNS)";
  if (message.includes("tls") || message.includes("ssl") || message.includes("certificate"))
    return "the TLS handshake failed";
  if (message.includes("refused")) return "the connection was refused";
  return "the connection failed";
}

/** The round trip of an unsigned HEAD of `endpoint` in ms, or null when no answer came in time. */
export async function probeSite(
  endpoint: string,
  allowlist: TargetAllowlist,
  timeoutMs: number,
): Promise<number | null> {
  const started = Date.now();
  try {
    const response = await peerFetch(allowlist, `${endpoint}/`, {
      method: "HEAD",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return Date.now() - started;
  } catch {
    return null;
  }
}
