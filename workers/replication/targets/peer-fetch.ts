/**
 * The one way Floe dials a remote target (replication sends, the check
 * before a target is added, health probes, verify):
 * - the URL is decided again right before the fetch (shared/net/target-url.ts
 *   with the site's FLOE_TARGET_ALLOWLIST), so a target stored before a rule
 *   or allowlist change, or a URL assembled from stored parts, never dials a
 *   refused host;
 * - redirects are not followed (a peer could otherwise bounce a signed
 *   request to a host the rules refuse); a 3xx is just a failed answer;
 * - what a peer sends back is read only up to a cap, and only a short,
 *   well-formed error code is ever repeated from it;
 * - a failure to connect is described by kind (timeout, DNS, TLS, refused),
 *   never by the runtime's message, which may name internal addresses.
 */
import type { TargetCredentials } from "../../../shared/types/remote-target.ts";
import { loadConfig } from "../../../shared/config.ts";
import { checkTargetUrl, type TargetAllowlist } from "../../../shared/net/target-url.ts";

/** A target's credentials with the allowlist of the site that dials it. */
export type PeerTarget = TargetCredentials & { readonly allowlist: TargetAllowlist };

/** Attaches this site's allowlist to a stored target. */
export function peerTarget(env: Env, target: TargetCredentials): PeerTarget {
  return { ...target, allowlist: loadConfig(env).targetAllowlist };
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

/** Most bytes read from a peer's error or check answer. */
const PEER_ANSWER_LIMIT = 64 * 1024;

/** A peer's answer as text, read up to `limit` bytes (the rest is cancelled). */
export async function peerText(response: Response, limit = PEER_ANSWER_LIMIT): Promise<string> {
  if (!response.body) return "";
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(total, limit));
  let at = 0;
  for (const chunk of chunks) {
    const piece = chunk.subarray(0, bytes.byteLength - at);
    bytes.set(piece, at);
    at += piece.byteLength;
    if (at >= bytes.byteLength) break;
  }
  return new TextDecoder().decode(bytes);
}

/** The S3 error code of a peer's XML error, when it is a plausible code; null otherwise. */
export function peerErrorCode(text: string): string | null {
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
  return code !== undefined && /^[A-Za-z][A-Za-z0-9.]*$/.test(code) ? code : null;
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
