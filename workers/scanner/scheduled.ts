/**
 * The cron scanner. Each run wakes every bucket coordinator so queued
 * background work (garbage collection, heals) proceeds even if an alarm was
 * lost, a step that fits one invocation's budget whatever the bucket count
 * (each wake-up is one small RPC).
 */
import { bucketStub, deploymentStub } from "../storage/stubs.ts";

/** The Worker's scheduled handler. */
export async function runScheduled(
  _controller: ScheduledController,
  env: Env,
  _exec: ExecutionContext,
): Promise<void> {
  const buckets = await deploymentStub(env).listBuckets();
  await Promise.allSettled(buckets.map((bucket) => bucketStub(env, bucket.name).wake()));
}
