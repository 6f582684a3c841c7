/**
 * The replication Queue: a message asks the consumer to replicate one
 * version to one target (or, with `retryTarget`, to requeue everything a
 * target still lacks). A message only wakes the consumer: the coordinator's
 * replication log is the truth, so a lost message is recovered by the
 * scanner and a duplicate finds nothing left to do.
 */

/** A Queue message: replicate this version to this target. */
export interface ReplicationMessage {
  bucket: string;
  key: string;
  versionId: string;
  target: string;
  /** The target came back online: requeue all its unfinished work in the bucket (no version). */
  retryTarget?: boolean;
  /** More versions of the bucket for the same target, sent alongside (a resync step's group). */
  also?: { key: string; versionId: string }[];
}

/** Sends Queue wake-ups, `delaySeconds` late (a retry's backoff); a failure is left to the scanner. */
export async function wakeConsumer(
  queue: Queue<ReplicationMessage> | undefined,
  messages: ReplicationMessage[],
  delaySeconds = 0,
): Promise<void> {
  if (!queue || messages.length === 0) return;
  const delay = Math.ceil(delaySeconds);
  try {
    for (let i = 0; i < messages.length; i += 100) {
      await queue.sendBatch(
        messages
          .slice(i, i + 100)
          .map((body) => (delay > 0 ? { body, delaySeconds: delay } : { body })),
      );
    }
  } catch (error) {
    console.warn("replication wake-up not sent (the scanner will requeue):", error);
  }
}
