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
 * each is leased and checked (GROUP_CONCURRENCY at a time), then the whole
 * small versions among them travel in replica batches (send-batch.ts) and
 * the rest one by one; the message is retried until every one is done
 * (those already done are no-ops then); a resync reads the target's copies
 * of the whole group in one request (remote-states.ts).
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
import { peerTarget } from "../targets/peer-fetch.ts";
import { remoteStates, type RemoteStates } from "./remote-states.ts";
import { prepareOne, replicateOne, type PendingSend } from "./replicate.ts";
import { batchesOf, fitsBatch, sendBatch, type BatchItem } from "./send-batch.ts";
import { targetCredentials } from "../targets/target-cache.ts";
import { compareKeys } from "../verify/verify-fields.ts";

export const MAX_QUEUE_ATTEMPTS = 3;
const GROUP_CONCURRENCY = 4;

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
  const credentials = targetCredentials(env, body.target);
  let reading: Promise<RemoteStates | null> | null = null;
  // A resync reads the target's states of the whole group once, when its first version asks.
  const remote = () =>
    (reading ??= credentials.then((target) =>
      target ? remoteStates(peerTarget(env, target), keys[0], keys[keys.length - 1]) : null,
    ));
  let done = true;
  const settle = (outcome: { done: boolean }) => {
    if (!outcome.done) done = false;
  };
  const failed = (error: unknown) => {
    console.error("replication of a grouped version failed:", error);
    done = false;
  };
  // First every version is leased and checked; whole small versions then travel together.
  const pending: PendingSend[] = [];
  await eachLimited(messages, GROUP_CONCURRENCY, async (message) => {
    const prepared = await prepareOne(env, message, { final, remote }).catch(failed);
    if (!prepared) return;
    if ("send" in prepared) pending.push(prepared);
    else settle(prepared);
  });
  const batched = pending.filter(
    (send): send is PendingSend & { version: BatchItem } =>
      send.version !== null && fitsBatch(send.version),
  );
  const inBatch = new Set<PendingSend>(batched);
  const alone = pending.filter((send) => !inBatch.has(send));
  const stored = await credentials;
  if (stored) {
    const target = peerTarget(env, stored);
    let offset = 0;
    for (const items of batchesOf(batched.map((send) => send.version))) {
      const members = batched.slice(offset, offset + items.length);
      offset += items.length;
      const outcomes = await sendBatch(env, target, items).catch(() => null);
      // A target that does not take batches gets these versions one by one.
      if (!outcomes) {
        alone.push(...members);
        continue;
      }
      await Promise.all(
        members.map((send, i) =>
          send.finish(outcomes[i]).then(settle, async (error: unknown) => {
            await send.abandon(error);
            failed(error);
          }),
        ),
      );
    }
  } else alone.push(...batched);
  await eachLimited(alone, GROUP_CONCURRENCY, async (send) => {
    try {
      settle(await send.finish(await send.send()));
    } catch (error) {
      await send.abandon(error);
      failed(error);
    }
  });
  return { done };
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
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
