/**
 * Background storage work the bucket coordinator's alarm runs: garbage
 * collection of replaced or deleted writes, and heals queued by reads.
 * Each returns true when the work is done (false: retry later).
 */
import { erasureInfoSchema } from "../../../shared/types/version-record.ts";
import type { StoredVersion } from "../../../durable-objects/bucket/types.ts";
import { drivesOf } from "./erasure-set.ts";
import { healVersion } from "./heal.ts";

export interface GarbageItem {
  key: string;
  version_id: string;
  data_dir: string;
  part_dirs: string;
  erasure: string;
}

/** Removes one write (record copies and blocks) from every drive of its set. */
export async function collectGarbage(
  env: Env,
  bucket: string,
  item: GarbageItem,
): Promise<boolean> {
  const erasure = erasureInfoSchema.parse(JSON.parse(item.erasure));
  const partDirs = JSON.parse(item.part_dirs) as string[];
  const results = await Promise.allSettled(
    drivesOf(env, erasure).map((drive) =>
      drive.deleteVersion(bucket, item.key, item.version_id, item.data_dir, partDirs),
    ),
  );
  return results.every((result) => result.status === "fulfilled");
}

/** Heals a version a read found damaged; done when every drive is whole again. */
export async function healQueuedVersion(env: Env, stored: StoredVersion): Promise<boolean> {
  const report = await healVersion(env, stored);
  return report.offlineDrives === 0;
}
