/**
 * The one way a site dials a remote target (replication sends, the check
 * before a target is added, identity probes, verify), under the shared peer
 * client (shared/peer/client.ts), which signs and reads the answers:
 * - the URL is decided again right before the fetch (shared/net/target-url.ts
 *   with the site's FLOE_TARGET_ALLOWLIST), so a target stored before a rule
 *   or allowlist change, or a URL assembled from stored parts, never dials a
 *   refused host;
 * - redirects are not followed (a peer could otherwise bounce a signed
 *   request to a host the rules refuse); a 3xx is just a failed answer;
 * - what a peer sends back is read only up to a cap, and only a short,
 *   well-formed error code is ever repeated from it (shared/peer/answer.ts);
 * - a failure to connect is described by kind (timeout, DNS, TLS, refused),
 *   never by the runtime's message, which may name internal addresses.
 */
import type { TargetCredentials } from "../../../shared/types/remote-target.ts";
import { loadConfig } from "../../../shared/config.ts";
import { checkTargetUrl, type TargetAllowlist } from "../../../shared/net/target-url.ts";
import { PeerClient, type PeerSite } from "../../../shared/peer/client.ts";

/** A target's credentials with the allowlist of the site that dials it. */
export type PeerTarget = TargetCredentials & { readonly allowlist: TargetAllowlist };

/** Attaches this site's allowlist to a stored target. */
export function peerTarget(env: Env, target: TargetCredentials): PeerTarget {
  return { ...target, allowlist: loadConfig(env).targetAllowlist };
}

/** The peer client of a site, dialing through peerFetch with `allowlist`. */
export function peerClient(site: PeerSite, allowlist: TargetAllowlist): PeerClient {
  return new PeerClient(site, (url, init) => peerFetch(allowlist, url, init));
}

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
