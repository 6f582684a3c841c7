/**
 * How the Worker dials a remote target (replication sends, the check
 * before a target is added, identity probes, verify): the shared peer
 * client (shared/peer/client.ts), which signs and reads answers (only up to
 * a cap, repeating only a short, well-formed error code:
 * shared/peer/answer.ts), over the guarded dial (shared/peer/dial.ts:
 * target rules checked right before the fetch, no redirects, dial errors
 * by kind) with this site's allowlist.
 */
import type { TargetCredentials } from "../../../shared/types/remote-target.ts";
import { loadConfig } from "../../../shared/config.ts";
import type { TargetAllowlist } from "../../../shared/net/target-url.ts";
import { peerFetch } from "../../../shared/peer/dial.ts";
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
