/**
 * The replication Queue's consumer. A message names one version and one
 * target; the coordinator's log holds the real state, so a duplicate or
 * stale message is harmless. Each message gets up to 3 attempts on the
 * queue (retried with backoff: 2 s, 4 s); the third failure leaves the
 * version FAILED for the cron scanner to requeue later. A `retryTarget`
 * message (its target came back online) has the bucket requeue all the
 * target's unfinished work at once. `queue()` never throws: locally a
 * throw retries the whole batch regardless of acks.
 * A message may name a group of versions (`also`, from a resync step):
 * group.ts sends it, its whole small versions in replica batches; the
 * message is retried until every one is done (those already done are
 * no-ops then); a resync reads the target's copies of the whole group in
 * one request (remote-states.ts).
 * Every (bucket, target) named by a version message of the batch is also
 * drained once (drain.ts): the consumer takes that target's other changes
 * that are due (a first attempt, or a retry past its backoff), rather than
 * waiting for their own messages.
 * A message whose version another attempt holds (leased) is acked: the
 * holder records the outcome, and the lease lapses if it dies.
 */
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import { retryTarget } from "../../objects/replication-state.ts";
import { drainTarget } from "./drain.ts";
import { remoteStates, type RemoteStates } from "./remote-states.ts";
import { replicateOne } from "./replicate.ts";
import { replicateGroup } from "./group.ts";
import { targetCredentials } from "../targets/target-cache.ts";
import { compareKeys } from "../verify/verify-fields.ts";

export const MAX_QUEUE_ATTEMPTS = 3;

/** Replicates a message's version and the group it carries; done when all are. */
async function replicateMessage(
  env: Env,
  body: ReplicationMessage,
  final: boolean,
): Promise<{ done: boolean }> {
  if (!body.also?.length) return replicateOne(env, body, { final });
  const { also, ...first } = body;
  const messages = [first, ...also.map((version) => ({ ...first, ...version }))];
  const keys = messages.map((message) => message.key).sort(compareKeys);
  const target = () => targetCredentials(env, body.target);
  let reading: Promise<RemoteStates | null> | null = null;
  // A resync reads the target's states of the whole group once, when its first version asks.
  const remote = () =>
    (reading ??= target().then((credentials) =>
      credentials ? remoteStates(credentials, keys[0], keys[keys.length - 1]) : null,
    ));
  return { done: await replicateGroup(env, messages, { final, remote, target }) };
}

export async function handleReplicationBatch(
  batch: MessageBatch<ReplicationMessage>,
  env: Env,
): Promise<void> {
  const drains = new Map<string, { bucket: string; target: string }>();
  for (const { body } of batch.messages)
    if (!body.retryTarget && !body.also?.length)
      drains.set(JSON.stringify([body.bucket, body.target]), body);
  const draining = [...drains.values()].map(({ bucket, target }) =>
    drainTarget(env, bucket, target, { maxAttempts: MAX_QUEUE_ATTEMPTS }).catch(
      (error: unknown) => {
        console.error("replication drain failed:", error);
      },
    ),
  );
  await Promise.all([
    ...draining,
    ...batch.messages.map(async (message) => {
      try {
        if (message.body.retryTarget) {
          await retryTarget(env, message.body.bucket, message.body.target);
          message.ack();
          return;
        }
        const final = message.attempts >= MAX_QUEUE_ATTEMPTS;
        const outcome = await replicateMessage(env, message.body, final);
        if (outcome.done || final) message.ack();
        else message.retry({ delaySeconds: 2 ** message.attempts });
      } catch (error) {
        console.error("replication message failed:", error);
        message.retry({ delaySeconds: 2 ** message.attempts });
      }
    }),
  ]);
}
