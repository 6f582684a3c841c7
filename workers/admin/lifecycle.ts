/**
 * `POST /floe/admin/v1/lifecycle/run` with `{ bucket?, now? }`: runs the
 * lifecycle scanner through one bucket (or every bucket) at once instead of
 * waiting for the cron steps. `now` (ms since the epoch) moves the clock the
 * rules see; it is accepted only where fault injection is on (local and test
 * deployments).
 */
import { z } from "zod";
import type { FloeConfig } from "../../shared/config.ts";
import type { LifecycleSummary } from "../../shared/types/bucket-rpc.ts";
import { deploymentStub } from "../objects/stubs.ts";
import { bucketInfo } from "../objects/buckets.ts";
import { runLifecycleStep } from "../objects/maintenance.ts";
import { AdminError } from "./http.ts";

export const lifecycleRunSchema = z
  .object({ bucket: z.string().min(1).optional(), now: z.number().int().positive().optional() })
  .strict();

const MAX_STEPS = 1000;

/** Runs lifecycle to the end of each bucket; sums what it did. */
export async function runLifecycleNow(
  env: Env,
  config: FloeConfig,
  request: z.infer<typeof lifecycleRunSchema>,
): Promise<Omit<LifecycleSummary, "finished">> {
  if (request.now !== undefined && !config.faultInjection) {
    throw new AdminError(
      403,
      "ClockOverrideDisabled",
      "`now` is accepted only where fault injection is on.",
    );
  }
  const now = request.now ?? Date.now();
  const buckets = request.bucket
    ? [request.bucket]
    : (await deploymentStub(env).listBuckets()).map((b) => b.name);
  const total = {
    keysScanned: 0,
    expired: 0,
    noncurrentRemoved: 0,
    markersRemoved: 0,
    uploadsAborted: 0,
  };
  for (const name of buckets) {
    if (!(await bucketInfo(env, name)))
      throw new AdminError(404, "NoSuchBucket", `Bucket ${name} does not exist.`);
    for (let step = 0; step < MAX_STEPS; step++) {
      const summary = await runLifecycleStep(env, name, now);
      total.keysScanned += summary.keysScanned;
      total.expired += summary.expired;
      total.noncurrentRemoved += summary.noncurrentRemoved;
      total.markersRemoved += summary.markersRemoved;
      total.uploadsAborted += summary.uploadsAborted;
      if (summary.finished) break;
    }
  }
  return total;
}
