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
 * transfer was in flight is sent after it (durable-objects/bucket/replication/log.ts).
 * Existing-object replication never sends a version to the
 * site it was first written on (its origin): that site has it, or deleted
 * it after the replica was made, and must not get it back; such versions
 * count as skipped; so does a resync after a coordinator restore. Only an
 * operator's resync sends them.
 */
import type { ReplicationMessage } from "../../shared/replication/queue.ts";
import { originOf } from "../../shared/types/version-record.ts";
import { bucketStub, getDeploymentId } from "../storage/stubs.ts";
import { heldAlike, type RemoteStates } from "./remote-states.ts";
import { noteTargetIdentity, targetIdentity } from "./target-identity.ts";
import { noteTargetHealth, targetCredentials } from "./target-cache.ts";
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
}

export async function replicateOne(
  env: Env,
  message: ReplicationMessage,
  options: {
    final: boolean;
    /** The target's states of the message's group, read once for the group (remote-states.ts). */
    remote?: () => Promise<RemoteStates | null>;
  },
): Promise<ReplicateOutcome> {
  const { bucket, key, versionId, target } = message;
  const coordinator = bucketStub(env, bucket);
  const task = await coordinator.replicationTask(key, versionId, target);
  if (!task) return { done: true, error: null };
  const generation = task.op.generation;
  const fail = async (error: string): Promise<ReplicateOutcome> => {
    await coordinator.replicationResult(key, versionId, target, {
      ok: false,
      error,
      final: options.final,
      generation,
    });
    return { done: false, error };
  };
  const credentials = await targetCredentials(env, target);
  if (!credentials) return fail(`remote target ${target} does not exist`);
  const storageClass = task.storageClass;
  const started = Date.now();
  const skip = () =>
    coordinator.replicationResult(key, versionId, target, {
      ok: true,
      bytes: task.version?.record.size ?? 0,
      latencyMs: Date.now() - started,
      skipped: true,
      generation,
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
      (progress) => coordinator.saveReplicationUpload(key, versionId, target, progress),
    );
  } else {
    outcome = await sendVersion(env, credentials, task.version, storageClass);
  }
  const latency = Date.now() - started;
  noteTargetIdentity(target, outcome.remote ?? null);
  // A transport failure (no HTTP answer) says the target is unreachable; any answer says it is up.
  await noteTargetHealth(env, target, outcome.status !== 0, outcome.status !== 0 ? latency : null);
  if (!outcome.ok) return fail(outcome.error ?? "replication failed");
  await coordinator.replicationResult(key, versionId, target, {
    ok: true,
    bytes: outcome.bytes,
    latencyMs: latency,
    generation,
  });
  return { done: true, error: null };
}
