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
 * An attempt is prepared (lease and checks), then sent, then finished
 * (its outcome recorded): a group's whole small versions can so travel in
 * one replica batch (send-batch.ts), each still recorded on its own.
 * Existing-object replication never sends a version to the
 * site it was first written on (its origin): that site has it, or deleted
 * it after the replica was made, and must not get it back; such versions
 * count as skipped; so does a resync after a coordinator restore. Only an
 * operator's resync sends them.
 */
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import type { ReplicationTask } from "../../../shared/types/replication-rpc.ts";
import type { StoredVersion } from "../../../shared/types/bucket-rpc.ts";
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

/**
 * An attempt that passed every check and has one request to make: the
 * caller sends it alone (`send`) or, for a whole single-part version
 * (`version` set), in a replica batch with others, then records what the
 * target answered (`finish`), or what was thrown (`abandon`).
 */
export interface PendingSend {
  version: { stored: StoredVersion; storageClass: string | null } | null;
  send(): Promise<SendOutcome>;
  finish(outcome: SendOutcome): Promise<ReplicateOutcome>;
  abandon(error: unknown): Promise<void>;
}

export interface ReplicateOptions {
  final: boolean;
  /** The target's states of the message's group, read once for the group (remote-states.ts). */
  remote?: () => Promise<RemoteStates | null>;
  /** The attempt's lease owner (a drain leased the row under it already); a new one otherwise. */
  owner?: string;
}

export async function replicateOne(
  env: Env,
  message: ReplicationMessage,
  options: ReplicateOptions,
): Promise<ReplicateOutcome> {
  const prepared = await prepareOne(env, message, options);
  if (!("send" in prepared)) return prepared;
  try {
    return await prepared.finish(await prepared.send());
  } catch (error) {
    await prepared.abandon(error);
    throw error;
  }
}

/** Takes the lease and makes every check; the outcome when nothing is left to send. */
export async function prepareOne(
  env: Env,
  message: ReplicationMessage,
  options: ReplicateOptions,
): Promise<ReplicateOutcome | PendingSend> {
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
  const abandon = async (error: unknown) => {
    await fail(String(error)).catch(() => undefined);
  };
  try {
    return await decide(env, message, task, options, owner, fail, abandon);
  } catch (error) {
    await abandon(error);
    throw error;
  }
}

async function decide(
  env: Env,
  message: ReplicationMessage,
  task: ReplicationTask,
  options: { remote?: () => Promise<RemoteStates | null> },
  owner: string,
  fail: (error: string, transport?: boolean) => Promise<ReplicateOutcome>,
  abandon: (error: unknown) => Promise<void>,
): Promise<ReplicateOutcome | PendingSend> {
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
  let send: () => Promise<SendOutcome>;
  let whole: PendingSend["version"] = null;
  const stored = task.version;
  if (task.op.kind === "delete") {
    send = () => sendVersionDelete(credentials, key, versionId);
  } else if (!stored) {
    return { done: true, error: null };
  } else if (stored.record.deleteMarker) {
    // Waits for the older versions: the last of them to arrive wakes it again.
    if (!task.ready) return { done: true, error: null };
    send = () => sendDeleteMarker(env, credentials, stored);
  } else if (task.op.kind === "metadata") {
    send = async () => {
      const outcome = await sendMetadata(credentials, stored);
      // The target lacks the version itself: send it whole (it carries the metadata).
      return outcome.status === 404 ? sendVersion(env, credentials, stored, storageClass) : outcome;
    };
  } else if (stored.record.parts.length > 1) {
    send = () =>
      sendMultipart(env, credentials, stored, storageClass, task.op.upload, (progress) =>
        saveReplicationUpload(env, bucket, key, versionId, target, progress, owner),
      );
  } else {
    send = () => sendVersion(env, credentials, stored, storageClass);
    // A bandwidth limit throttles each transfer's stream: such a version goes alone.
    if (!credentials.bandwidth) whole = { stored, storageClass };
  }
  const finish = async (outcome: SendOutcome): Promise<ReplicateOutcome> => {
    const latency = Date.now() - started;
    noteTargetIdentity(target, outcome.remote ?? null);
    // A transport failure (no HTTP answer) says the target is unreachable; any answer says it is up.
    await noteTargetHealth(
      env,
      target,
      outcome.status !== 0,
      outcome.status !== 0 ? latency : null,
    );
    if (!outcome.ok) return fail(outcome.error ?? "replication failed", outcome.status === 0);
    await recordReplication(env, bucket, key, versionId, target, {
      ok: true,
      bytes: outcome.bytes,
      latencyMs: latency,
      generation,
      owner,
    });
    return { done: true, error: null };
  };
  return { version: whole, send, finish, abandon };
}
