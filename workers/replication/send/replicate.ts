/**
 * Replicating one version to one target, the unit the Queue consumer, sync
 * replication and the scanner's requeues all come down to. The
 * coordinator's log says what is to be done; this reads the version, sends
 * it and records the outcome there (COMPLETED, or a failed attempt, FAILED
 * once `final`). A delete marker waits until every older version of its key
 * reached the target, so it never lands before the version it covers (the
 * last of them to arrive wakes it again; the scanner would too). A
 * metadata change travels alone unless the target lacks the version. A
 * resync first asks whether the remote already holds the version as it is
 * here (for a group, one read of the target's states for the whole group;
 * alone, a HEAD) and counts one that does as skipped. Every outcome carries
 * the log row's generation read before sending, so a change made while the
 * transfer was in flight is sent after it (durable-objects/bucket/
 * replication/log.ts). Each attempt takes the row's lease first
 * (replication/lease.ts there): while another attempt holds it, this one skips
 * (`leased`), so a version or its parts are never sent twice at once; an
 * attempt that throws records the failure, which releases its lease.
 * Existing-object replication never sends a version to the
 * site it was first written on (its origin): that site has it, or deleted
 * it after the replica was made, and must not get it back; such versions
 * count as skipped; so does a resync after a coordinator restore. Only an
 * operator's resync sends them.
 */
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import type { ReplicationTask } from "../../../shared/types/replication-rpc.ts";
import { originOf } from "../../../shared/types/version-record.ts";
import { getDeploymentId } from "../../objects/stubs.ts";
import {
  recordReplication,
  replicationTask,
  saveReplicationUpload,
} from "../../objects/replication-state.ts";
import { heldAlike, type RemoteStates } from "./remote-states.ts";
import { noteTargetIdentity, targetIdentity } from "../targets/target-identity.ts";
import { noteTargetHealth, targetCredentials } from "../targets/target-cache.ts";
import {
  remoteMatches,
  sendDeleteMarker,
  sendMetadata,
  sendMultipart,
  sendVersion,
  sendVersionDelete,
  type SendOutcome,
} from "./send.ts";

export interface ReplicateOutcome {
  /** True when nothing remains to be done for this message. */
  done: boolean;
  error: string | null;
  /** Another attempt holds the row's lease: this one did nothing. */
  leased?: boolean;
  /** The attempt failed in transport (no HTTP answer from the target). */
  transport?: boolean;
}

export async function replicateOne(
  env: Env,
  message: ReplicationMessage,
  options: {
    final: boolean;
    /** The target's states of the message's group, read once for the group (remote-states.ts). */
    remote?: () => Promise<RemoteStates | null>;
    /** The attempt's lease owner (a drain leased the row under it already); a new one otherwise. */
    owner?: string;
  },
): Promise<ReplicateOutcome> {
  const owner = options.owner ?? crypto.randomUUID();
  const { bucket, key, versionId, target } = message;
  const task = await replicationTask(env, bucket, key, versionId, target, owner);
  if (task === "leased") return { done: true, error: null, leased: true };
  if (!task) return { done: true, error: null };
  const generation = task.op.generation;
  const fail = async (error: string, transport = false): Promise<ReplicateOutcome> => {
    await recordReplication(env, bucket, key, versionId, target, {
      ok: false,
      error,
      final: options.final,
      generation,
      owner,
    });
    return { done: false, error, transport };
  };
  try {
    return await attempt(env, message, task, options, owner, fail);
  } catch (error) {
    await fail(String(error)).catch(() => undefined);
    throw error;
  }
}

async function attempt(
  env: Env,
  message: ReplicationMessage,
  task: ReplicationTask,
  options: { remote?: () => Promise<RemoteStates | null> },
  owner: string,
  fail: (error: string, transport?: boolean) => Promise<ReplicateOutcome>,
): Promise<ReplicateOutcome> {
  const { bucket, key, versionId, target } = message;
  const generation = task.op.generation;
  const credentials = await targetCredentials(env, target);
  if (!credentials) return fail(`remote target ${target} does not exist`);
  const storageClass = task.storageClass;
  const started = Date.now();
  const skip = () =>
    recordReplication(env, bucket, key, versionId, target, {
      ok: true,
      bytes: task.version?.record.size ?? 0,
      latencyMs: Date.now() - started,
      skipped: true,
      generation,
      owner,
    });
  if ((task.op.kind === "existing" || task.op.kind === "restore") && task.version) {
    const here = await getDeploymentId(env);
    const origin = originOf(task.version.record, here);
    if (origin !== null && origin !== here) {
      const remote = await targetIdentity(credentials).catch(() => null);
      if (remote === origin) {
        await skip();
        return { done: true, error: null };
      }
    }
  }
  // A resync first asks whether the remote already has the version as it is here.
  if (
    (task.op.kind === "resync" || task.op.kind === "restore") &&
    task.version &&
    (task.ready || !task.version.record.deleteMarker)
  ) {
    const states = options.remote ? await options.remote() : null;
    const matches = states
      ? heldAlike(states, task.version, storageClass)
      : await remoteMatches(credentials, task.version).catch(() => false);
    if (matches) {
      await skip();
      return { done: true, error: null };
    }
  }
  let outcome: SendOutcome;
  if (task.op.kind === "delete") {
    outcome = await sendVersionDelete(credentials, key, versionId);
  } else if (!task.version) {
    return { done: true, error: null };
  } else if (task.version.record.deleteMarker) {
    // Waits for the older versions: the last of them to arrive wakes it again.
    if (!task.ready) return { done: true, error: null };
    outcome = await sendDeleteMarker(env, credentials, task.version);
  } else if (task.op.kind === "metadata") {
    outcome = await sendMetadata(credentials, task.version);
    // The target lacks the version itself: send it whole (it carries the metadata).
    if (outcome.status === 404)
      outcome = await sendVersion(env, credentials, task.version, storageClass);
  } else if (task.version.record.parts.length > 1) {
    outcome = await sendMultipart(
      env,
      credentials,
      task.version,
      storageClass,
      task.op.upload,
      (progress) => saveReplicationUpload(env, bucket, key, versionId, target, progress, owner),
    );
  } else {
    outcome = await sendVersion(env, credentials, task.version, storageClass);
  }
  const latency = Date.now() - started;
  noteTargetIdentity(target, outcome.remote ?? null);
  // A transport failure (no HTTP answer) says the target is unreachable; any answer says it is up.
  await noteTargetHealth(env, target, outcome.status !== 0, outcome.status !== 0 ? latency : null);
  if (!outcome.ok) return fail(outcome.error ?? "replication failed", outcome.status === 0);
  await recordReplication(env, bucket, key, versionId, target, {
    ok: true,
    bytes: outcome.bytes,
    latencyMs: latency,
    generation,
    owner,
  });
  return { done: true, error: null };
}
