/**
 * Which site a remote target is: its deployment id, as the target names it
 * in x-floe-deployment-id on the answer to every authorized replication
 * request. Learned from every replica write's answer and, when a decision
 * needs it before any write was answered, by a signed GetBucketVersioning
 * carrying x-floe-replication-request (the replication user may always make
 * it: adding a target checks the same call). Kept per isolate for
 * IDENTITY_TTL_MS, renewed by every answer, so a target rebuilt as a new
 * site is seen as that new site within minutes.
 */
import {
  DEPLOYMENT_ID_HEADER,
  REPLICATION_REQUEST_HEADER,
} from "../../../shared/replication/headers.ts";
import { peerClient, type PeerTarget } from "./peer-fetch.ts";

const IDENTITY_TTL_MS = 5 * 60_000;
const PROBE_TIMEOUT_MS = 10_000;

const identities = new Map<string, { at: number; deploymentId: string }>();

/** Records the deployment id a target's answer named. */
export function noteTargetIdentity(arn: string, deploymentId: string | null): void {
  if (deploymentId) identities.set(arn, { at: Date.now(), deploymentId });
}

/** The target's deployment id, probing it when not known; null when it does not say. */
export async function targetIdentity(target: PeerTarget): Promise<string | null> {
  const known = identities.get(target.arn);
  if (known && Date.now() - known.at < IDENTITY_TTL_MS) return known.deploymentId;
  const client = peerClient(target, target.allowlist);
  const response = await client.send(
    "GET",
    client.objectUrl(target.targetBucket, null, "?versioning"),
    {
      headers: { [REPLICATION_REQUEST_HEADER]: "true" },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    },
  );
  await response.body?.cancel();
  const deploymentId = response.ok ? response.headers.get(DEPLOYMENT_ID_HEADER) : null;
  noteTargetIdentity(target.arn, deploymentId);
  return deploymentId;
}
