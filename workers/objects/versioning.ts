/**
 * Version ids and delete markers. A new write gets a fresh UUID while the
 * bucket's versioning is Enabled and the key is not excluded by MinIO's
 * extensions (ExcludedPrefixes, ExcludeFolders), else "null" (replacing the
 * null version). A delete marker is a version record with no data: written
 * like any version (a copy on every drive of its set, then the coordinator's
 * commit at write quorum); a replica marker keeps the source's id and mtime.
 */
import type { FloeConfig } from "../../shared/config.ts";
import { replicaStamp, type VersionRecord } from "../../shared/types/version-record.ts";
import type { BucketInfo } from "../../shared/types/bucket-rpc.ts";
import { planErasure } from "./erasure/erasure-set.ts";
import { writeSlots } from "./erasure/write-blocks.ts";
import { commitRecord, discardWrite } from "./erasure/write-object.ts";
import { bucketStub, getDeploymentId } from "./stubs.ts";
import type { WaitUntil } from "./versions.ts";

/** True when `key` is excluded from versioning by MinIO's extensions. */
export function isExcluded(info: BucketInfo, key: string): boolean {
  if (info.excludeFolders && key.endsWith("/")) return true;
  return info.excludedPrefixes.some((prefix) => key.startsWith(prefix));
}

/** The version id a new write of `key` gets. */
export function versionIdFor(info: BucketInfo, key: string): string {
  return info.versioning === "Enabled" && !isExcluded(info, key) ? crypto.randomUUID() : "null";
}

/** Writes a delete marker for `key` (versioned buckets) and returns it. */
export async function putDeleteMarker(
  env: Env,
  config: FloeConfig,
  waitUntil: WaitUntil,
  info: BucketInfo,
  key: string,
  replica?: { versionId: string; mtime: number; origin: string | null },
): Promise<VersionRecord> {
  const deploymentId = await getDeploymentId(env);
  const erasure = planErasure(config, deploymentId, info.name, key, "STANDARD");
  const record: VersionRecord = {
    format: 1,
    bucket: info.name,
    key,
    versionId: replica?.versionId ?? versionIdFor(info, key),
    dataDir: crypto.randomUUID(),
    deleteMarker: true,
    mtime: replica?.mtime ?? Date.now(),
    size: 0,
    etag: "",
    headers: {},
    userMetadata: {},
    checksums: {},
    storageClass: "STANDARD",
    erasure,
    parts: [],
    inline: true,
    ...(replica ? { replica: replicaStamp(replica.origin) } : {}),
  };
  const slots = writeSlots(env, erasure);
  const discard = () =>
    waitUntil(discardWrite(slots, info.name, key, record.versionId, record.dataDir, []));
  try {
    const committed = await commitRecord(
      { env, config, deploymentId, waitUntil },
      slots,
      record,
      null,
      (request) =>
        bucketStub(env, info.name).commitVersion({ ...request, replica: replica ? {} : null }),
    );
    if (committed.duplicate) discard();
  } catch (error) {
    discard();
    throw error;
  }
  return record;
}
