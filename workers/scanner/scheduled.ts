/**
 * The cron scanner. Each run wakes every bucket coordinator so queued
 * background work (garbage collection, heals) proceeds even if an alarm was
 * lost, and runs one lifecycle step per bucket (a bounded batch of keys from
 * the coordinator's persisted cursor), so a run fits one invocation's budget
 * whatever the bucket's size.
 */
import { bucketStub, deploymentStub } from "../storage/stubs.ts";

/** The Worker's scheduled handler. */
export async function runScheduled(
  _controller: ScheduledController,
  env: Env,
  _exec: ExecutionContext,
): Promise<void> {
  const buckets = await deploymentStub(env).listBuckets();
  await Promise.allSettled(
    buckets.map(async (bucket) => {
      const coordinator = bucketStub(env, bucket.name);
      await coordinator.wake();
      await coordinator.runLifecycle(Date.now());
    }),
  );
}
