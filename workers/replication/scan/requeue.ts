/**
 * Replication's part of the cron scanner. The replication log, not the
 * Queue, is the truth, so each run:
 * - requeues what is due in a bucket: FAILED versions past their backoff
 *   and PENDING ones whose wake-up may have been lost (a bounded batch per
 *   bucket; the log keeps the rest for the next run);
 * - has the Deployment object probe the remote targets that are due (it
 *   also does so on its own alarm, each target at its interval).
 */
import { wakeConsumer } from "../../../shared/replication/queue.ts";
import { deploymentStub } from "../../objects/stubs.ts";
import { takeDueReplication } from "../../objects/replication-state.ts";

/** Wakes the consumer for the bucket's replication that is due. */
export async function requeueDue(env: Env, bucket: string): Promise<void> {
  const due = await takeDueReplication(env, bucket);
  await wakeConsumer(env.REPLICATION_QUEUE, due);
}

/** Probes the remote targets whose interval has passed and records their health. */
export async function probeTargets(env: Env): Promise<void> {
  await deploymentStub(env).probeDueTargets();
}
