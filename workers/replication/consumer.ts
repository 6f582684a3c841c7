/**
 * The replication Queue's consumer. A message names one version and one
 * target; the coordinator's log holds the real state, so a duplicate or
 * stale message is harmless. Each message gets up to 3 attempts on the
 * queue (retried with backoff: 2 s, 4 s); the third failure leaves the
 * version FAILED for the cron scanner to requeue later. A `retryTarget`
 * message (its target came back online) has the bucket requeue all the
 * target's unfinished work at once. `queue()` never throws: locally a
 * throw retries the whole batch regardless of acks.
 */
import type { ReplicationMessage } from "../../durable-objects/bucket/replication-coordinator.ts";
import { bucketStub } from "../storage/stubs.ts";
import { replicateOne } from "./replicate.ts";

export const MAX_QUEUE_ATTEMPTS = 3;

export async function handleReplicationBatch(
  batch: MessageBatch<ReplicationMessage>,
  env: Env,
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        if (message.body.retryTarget) {
          await bucketStub(env, message.body.bucket).retryTarget(message.body.target);
          message.ack();
          return;
        }
        const final = message.attempts >= MAX_QUEUE_ATTEMPTS;
        const outcome = await replicateOne(env, message.body, { final });
        if (outcome.done || final) message.ack();
        else message.retry({ delaySeconds: 2 ** message.attempts });
      } catch (error) {
        console.error("replication message failed:", error);
        message.retry({ delaySeconds: 2 ** message.attempts });
      }
    }),
  );
}
