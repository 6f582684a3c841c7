/**
 * Per-isolate caches that keep the consumer from asking the Deployment
 * object about a target for every message: a target's credentials for a few
 * seconds (an edit or removal is seen at once by the isolate that made it,
 * by the others within TTL_MS), and its last recorded
 * health, so only a change of state (or a refresh every HEALTH_REFRESH_MS)
 * is written back.
 */
import { deploymentStub } from "../../objects/stubs.ts";
import { peerTarget, type PeerTarget } from "./peer-fetch.ts";

const TTL_MS = 5_000;
const HEALTH_REFRESH_MS = 10_000;

const credentials = new Map<string, { at: number; value: Promise<PeerTarget | null> }>();
const health = new Map<string, { online: boolean; at: number }>();

/** A target's credentials, with this site's allowlist for dialing it. */
export function targetCredentials(env: Env, arn: string): Promise<PeerTarget | null> {
  const now = Date.now();
  const cached = credentials.get(arn);
  if (cached && now - cached.at < TTL_MS) return cached.value;
  const value = deploymentStub(env)
    .targetCredentials(arn)
    .then((target) => (target ? peerTarget(env, target) : null));
  credentials.set(arn, { at: now, value });
  value.catch(() => credentials.delete(arn));
  return value;
}

/** Drops a target's cached credentials: an edit or removal made here applies here at once. */
export function forgetTargetCredentials(arn: string): void {
  credentials.delete(arn);
}

/** Records whether the target answered, when that changed or has not been recorded for a while. */
export async function noteTargetHealth(
  env: Env,
  arn: string,
  online: boolean,
  latencyMs: number | null,
): Promise<void> {
  const now = Date.now();
  const last = health.get(arn);
  if (last && last.online === online && now - last.at < HEALTH_REFRESH_MS) return;
  health.set(arn, { online, at: now });
  await deploymentStub(env).recordTargetHealth(arn, online, latencyMs);
}
