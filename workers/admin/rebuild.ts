/**
 * `POST /floe/admin/v1/rebuild` with `{ bucket?, dryRun? }`: rebuilds lost
 * bucket coordinators from the drives (workers/objects/rebuild-namespace.ts).
 * With a bucket, that bucket (409 BucketNotLost when its coordinator is
 * live); without, every registered bucket whose coordinator lost its state.
 * Buckets that drives hold copies of but the site's registry does not know
 * are registered again when their coordinator is live (the registry lost
 * them), and otherwise only listed, never restored unasked (one may have
 * been deleted while a drive was offline). `finished: false` means a time budget ran out: call again.
 */
import { z } from "zod";
import type { FloeConfig } from "../../shared/config.ts";
import { allSets } from "../../shared/layout/placement.ts";
import { RebuildError, rebuildBucket, type RebuildReport } from "../objects/rebuild-namespace.ts";
import { deploymentStub, setDrives } from "../objects/stubs.ts";
import { bucketInfo } from "../objects/buckets.ts";
import { restoreState, wipeBucketState } from "../objects/maintenance.ts";
import { AdminError } from "./http.ts";
import { isValidBucketName } from "../../shared/names.ts";

const bucketSchema = z.string().refine(isValidBucketName, "not a valid bucket name");

export const rebuildRequestSchema = z
  .object({
    bucket: bucketSchema.optional(),
    dryRun: z.boolean().optional(),
    /** Time this call may take before it answers `finished: false` (default 20 s). */
    budgetMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

export const coordinatorFaultSchema = z
  .object({ bucket: bucketSchema, fault: z.literal("wipe") })
  .strict();

export interface RebuildSummary {
  rebuilt: RebuildReport[];
  /** Buckets whose coordinators hold their namespace. */
  healthy: string[];
  /** Buckets drives hold copies of that the site does not know. */
  unregistered: string[];
  /** Live buckets the site's registry had lost, registered again. */
  reregistered: string[];
  finished: boolean;
}

export async function runRebuild(
  env: Env,
  config: FloeConfig,
  request: z.infer<typeof rebuildRequestSchema>,
): Promise<RebuildSummary> {
  const options = { dryRun: request.dryRun ?? false, budgetMs: request.budgetMs };
  try {
    if (request.bucket) {
      const report = (await rebuildBucket(env, config, request.bucket, options))!;
      return {
        rebuilt: [report],
        healthy: [],
        unregistered: [],
        reregistered: [],
        finished: report.finished,
      };
    }
    const registered = (await deploymentStub(env).listBuckets()).map((b) => b.name);
    const summary: RebuildSummary = {
      rebuilt: [],
      healthy: [],
      unregistered: [],
      reregistered: [],
      finished: true,
    };
    for (const name of registered) {
      const state = await restoreState(env, name);
      if (state === "present") {
        summary.healthy.push(name);
        continue;
      }
      const report = (await rebuildBucket(env, config, name, options))!;
      summary.rebuilt.push(report);
      if (!report.finished) {
        summary.finished = false;
        break;
      }
    }
    const known = new Set(registered);
    for (const name of await bucketsOnDrives(env, config)) {
      if (known.has(name)) continue;
      // A live coordinator proves the bucket exists (deleting a bucket empties its coordinator):
      // only the registry lost it.
      const info = await bucketInfo(env, name);
      if (info && !options.dryRun) {
        await deploymentStub(env).registerBucket(name, info.owner);
        summary.reregistered.push(name);
      } else summary.unregistered.push(name);
    }
    return summary;
  } catch (error) {
    if (error instanceof RebuildError)
      throw new AdminError(error.status, error.code, error.message);
    throw error;
  }
}

async function bucketsOnDrives(env: Env, config: FloeConfig): Promise<string[]> {
  const lists = await Promise.allSettled(
    allSets(config.pools).flatMap((address) =>
      setDrives(env, address, config.pools[address.pool].drivesPerSet).map((drive) =>
        drive.listBucketCopies(),
      ),
    ),
  );
  const names = new Set<string>();
  for (const list of lists)
    if (list.status === "fulfilled") list.value.forEach((n) => names.add(n));
  return [...names].sort();
}

/** Fault injection: the bucket's coordinator loses everything it holds. */
export async function wipeCoordinator(
  env: Env,
  config: FloeConfig,
  request: z.infer<typeof coordinatorFaultSchema>,
): Promise<{ bucket: string; fault: string }> {
  if (!config.faultInjection) {
    throw new AdminError(
      403,
      "FaultInjectionDisabled",
      "Fault injection is off in this deployment.",
    );
  }
  await wipeBucketState(env, request.bucket);
  return { bucket: request.bucket, fault: request.fault };
}
