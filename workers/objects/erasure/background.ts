/**
 * The data path's side of the bucket coordinator's background work
 * (shared/types/coordinator-background.ts): garbage collection of replaced
 * or deleted writes, heals queued by reads, copies of the bucket's
 * configuration on every drive, and replication Queue wake-ups. The storage
 * steps return true when the work is done (false: the coordinator retries
 * later).
 */
import type {
  CoordinatorBackground,
  GarbageItem,
} from "../../../shared/types/coordinator-background.ts";
import { loadConfig } from "../../../shared/config.ts";
import { wakeConsumer } from "../../../shared/replication/queue.ts";
import { allSets } from "../../../shared/layout/placement.ts";
import { drivesOf } from "./erasure-set.ts";
import { healVersion } from "./heal.ts";
import { setDrives } from "../stubs.ts";

/** Removes one write (record copies and blocks) from every drive of its set. */
async function collectGarbage(env: Env, bucket: string, item: GarbageItem): Promise<boolean> {
  const results = await Promise.allSettled(
    drivesOf(env, item.erasure).map((drive) =>
      drive.deleteVersion(bucket, item.key, item.versionId, item.dataDir, item.partDirs),
    ),
  );
  return results.every((result) => result.status === "fulfilled");
}

/** Sends a bucket's configuration copy to every drive; true when all of them took it. */
async function pushConfigCopy(
  env: Env,
  bucket: string,
  version: number,
  copy: string,
): Promise<boolean> {
  const config = loadConfig(env);
  const outcomes = await Promise.allSettled(
    allSets(config.pools).flatMap((address) =>
      setDrives(env, address, config.pools[address.pool].drivesPerSet).map((drive) =>
        drive.putBucketCopy(bucket, version, copy),
      ),
    ),
  );
  return outcomes.every((outcome) => outcome.status === "fulfilled");
}

/** The background work of one Worker environment, as the coordinator is given it. */
export function coordinatorBackground(env: Env): CoordinatorBackground {
  return {
    collectGarbage: (bucket, item) => collectGarbage(env, bucket, item),
    healVersion: async (stored) => (await healVersion(env, stored)).offlineDrives === 0,
    pushConfigCopy: (bucket, version, copy) => pushConfigCopy(env, bucket, version, copy),
    wakeReplication: (messages, delaySeconds) =>
      wakeConsumer(env.REPLICATION_QUEUE, messages, delaySeconds),
  };
}
