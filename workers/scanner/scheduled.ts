/**
 * The cron scanner. Each run:
 * - wakes every bucket coordinator so queued background work (garbage
 *   collection, heals) proceeds even if an alarm was lost;
 * - runs one lifecycle step per bucket (a bounded batch of keys from the
 *   coordinator's persisted cursor), so a run fits one invocation's budget
 *   whatever the bucket's size;
 * - requeues replication that is due (replication/scan/requeue.ts);
 * - rebuilds a bucket whose coordinator lost its state from the drives
 *   (rebuild-namespace.ts), a time-bounded step per run, where the drives
 *   hold the bucket's configuration copy;
 * - has the Deployment object probe the remote targets that are due.
 */
import { loadConfig } from "../../shared/config.ts";
import { rebuildBucket } from "../objects/rebuild-namespace.ts";
import { deploymentStub } from "../objects/stubs.ts";
import { restoreState, runLifecycleStep, wakeBucket } from "../objects/maintenance.ts";
import { probeTargets, requeueDue } from "../replication/scan/requeue.ts";

const REBUILD_BUDGET_MS = 10_000;

/** The Worker's scheduled handler. */
export async function runScheduled(
  _controller: ScheduledController,
  env: Env,
  _exec: ExecutionContext,
): Promise<void> {
  const deployment = deploymentStub(env);
  const buckets = await deployment.listBuckets();
  await Promise.allSettled([
    ...buckets.map(async (bucket) => {
      if ((await restoreState(env, bucket.name)) !== "present") {
        await rebuildBucket(env, loadConfig(env), bucket.name, {
          budgetMs: REBUILD_BUDGET_MS,
          onlyWithCopy: true,
        });
        return;
      }
      await wakeBucket(env, bucket.name);
      await runLifecycleStep(env, bucket.name, Date.now());
      await requeueDue(env, bucket.name);
    }),
    probeTargets(env),
  ]);
}
