/**
 * Sync replication: for targets added with `sync`, a write replicates to
 * them before it answers, waiting at most SYNC_TIMEOUT_MS. The write
 * succeeds whatever happens; an attempt that failed or ran out of time goes
 * on through the Queue like any async change (a slow attempt keeps running
 * in the background and records its own outcome).
 */
import { wakeConsumer, type ReplicationMessage } from "../../../shared/replication/queue.ts";
import { replicateOne, type ReplicateOutcome } from "./replicate.ts";

export const SYNC_TIMEOUT_MS = 10_000;

export async function replicateInline(
  env: Env,
  exec: ExecutionContext,
  change: { bucket: string; key: string; versionId: string },
  targets: readonly string[],
): Promise<void> {
  const unfinished: ReplicationMessage[] = [];
  await Promise.all(
    targets.map(async (target) => {
      const message = { ...change, target };
      const attempt = replicateOne(env, message, { final: false }).catch(
        (error: unknown): ReplicateOutcome => ({ done: false, error: String(error) }),
      );
      const timer = new Promise<null>((resolve) =>
        setTimeout(() => resolve(null), SYNC_TIMEOUT_MS),
      );
      const outcome = await Promise.race([attempt, timer]);
      if (outcome === null) exec.waitUntil(attempt);
      if (!outcome?.done) unfinished.push(message);
    }),
  );
  await wakeConsumer(env.REPLICATION_QUEUE, unfinished);
}
