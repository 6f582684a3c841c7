/**
 * Buckets in the object layer: the name in the deployment's registry, the
 * coordinator's state, and the configuration documents S3, admin and
 * replication read and set. Creating registers the name first and then the
 * coordinator; deleting empties the coordinator first (it refuses while
 * versions remain), then the drives' leftovers, then the name. A name
 * registered without coordinator state is either a create that died midway
 * (finished here) or a coordinator that lost its state, which the drives'
 * copy of its configuration tells apart: that bucket is rebuilt, not replaced.
 */
import type { FloeConfig } from "../../shared/config.ts";
import { allSets } from "../../shared/layout/placement.ts";
import type { LifecycleRule } from "../../shared/lifecycle/rules.ts";
import type { ReplicationConfig } from "../../shared/replication/config.ts";
import type { BucketInfo, ObjectLockConfig } from "../../shared/types/bucket-rpc.ts";
import type { BucketEntry } from "../../shared/types/deployment-rpc.ts";
import { hasBucketCopy } from "./rebuild-namespace.ts";
import { fail, noSuchBucket, ok, type ObjectResult } from "./result.ts";
import { bucketStub, deploymentStub, setDrives } from "./stubs.ts";

export type { BucketEntry, BucketInfo, ObjectLockConfig };

/** The bucket's settings, or null when it does not exist. */
export function bucketInfo(env: Env, bucket: string): Promise<BucketInfo | null> {
  return bucketStub(env, bucket).info();
}

/** The bucket's settings; NoSuchBucket when it does not exist. */
export async function existingBucket(env: Env, bucket: string): Promise<ObjectResult<BucketInfo>> {
  const info = await bucketInfo(env, bucket);
  return info ? ok(info) : noSuchBucket(bucket);
}

/** Every registered bucket. */
export function listBuckets(env: Env): Promise<BucketEntry[]> {
  return deploymentStub(env).listBuckets();
}

/**
 * Creates a bucket owned by `owner`; BucketAlreadyOwnedByYou or
 * BucketAlreadyExists when the name is taken.
 */
export async function makeBucket(
  env: Env,
  config: FloeConfig,
  bucket: string,
  owner: string,
  objectLock: boolean,
): Promise<ObjectResult<void>> {
  const registered = await deploymentStub(env).registerBucket(bucket, owner);
  const taken = () =>
    fail(registered.owner === owner ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists", {
      detail: { BucketName: bucket },
    });
  if (!registered.created) {
    if (await bucketInfo(env, bucket)) return taken();
    if (await hasBucketCopy(env, config, bucket)) return taken();
  }
  const created = await bucketStub(env, bucket).create(
    bucket,
    owner,
    objectLock,
    registered.created,
  );
  return created.created ? ok(undefined) : taken();
}

/** Deletes an empty bucket; BucketNotEmpty or NoSuchBucket otherwise. */
export async function removeBucket(
  env: Env,
  config: FloeConfig,
  bucket: string,
): Promise<ObjectResult<void>> {
  const outcome = await bucketStub(env, bucket).destroy();
  if (outcome !== "deleted") return fail(outcome, { detail: { BucketName: bucket } });
  // Parts of abandoned multipart uploads are the only data an empty bucket can leave on
  // drives; they go before the name is free again, so a new bucket of that name starts clean.
  await Promise.allSettled(
    allSets(config.pools).flatMap((address) =>
      setDrives(env, address, config.pools[address.pool].drivesPerSet).map((drive) =>
        drive.deleteBucket(bucket),
      ),
    ),
  );
  await deploymentStub(env).unregisterBucket(bucket);
  return ok(undefined);
}

/** The bucket policy as stored (JSON text), or null when there is none or no bucket. */
export function bucketPolicy(env: Env, bucket: string): Promise<string | null> {
  return bucketStub(env, bucket).getPolicy();
}

/** Sets (or with null removes) the bucket policy. */
export async function setBucketPolicy(
  env: Env,
  bucket: string,
  policy: string | null,
): Promise<ObjectResult<void>> {
  return (await bucketStub(env, bucket).setPolicy(policy)) ? ok(undefined) : noSuchBucket(bucket);
}

/** Sets the versioning state (and MinIO's exclusions); InvalidBucketState under object lock or replication. */
export async function setBucketVersioning(
  env: Env,
  bucket: string,
  status: "Enabled" | "Suspended",
  excludes: { excludedPrefixes: string[]; excludeFolders: boolean },
): Promise<ObjectResult<void>> {
  const outcome = await bucketStub(env, bucket).setVersioning(status, excludes);
  if (outcome === "InvalidBucketState")
    return fail(outcome, {
      message:
        "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
    });
  return outcome === "ok" ? ok(undefined) : noSuchBucket(bucket);
}

/** Sets the object lock configuration; InvalidBucketState on a bucket created without object lock. */
export async function setObjectLockConfig(
  env: Env,
  bucket: string,
  config: ObjectLockConfig,
): Promise<ObjectResult<void>> {
  const outcome = await bucketStub(env, bucket).setObjectLock(config);
  if (outcome === "InvalidBucketState")
    return fail(outcome, {
      message: "Object Lock configuration cannot be enabled on existing buckets",
    });
  return outcome === "ok" ? ok(undefined) : noSuchBucket(bucket);
}

/** The lifecycle rules, or null when none are set. */
export function lifecycleRules(env: Env, bucket: string): Promise<LifecycleRule[] | null> {
  return bucketStub(env, bucket).getLifecycle();
}

/** Sets (or with null removes) the lifecycle rules. */
export async function setLifecycleRules(
  env: Env,
  bucket: string,
  rules: LifecycleRule[] | null,
): Promise<ObjectResult<void>> {
  return (await bucketStub(env, bucket).setLifecycle(rules)) ? ok(undefined) : noSuchBucket(bucket);
}

/** The replication configuration, or null when none is set. */
export function replicationConfig(env: Env, bucket: string): Promise<ReplicationConfig | null> {
  return bucketStub(env, bucket).getReplication();
}

/** The ARNs of the bucket's remote targets (the destinations its replication rules may name). */
export async function bucketTargetArns(env: Env, bucket: string): Promise<Set<string>> {
  return new Set((await deploymentStub(env).listTargets(bucket)).map((target) => target.arn));
}

/** Sets (or with null removes) the replication configuration; it needs versioning Enabled. */
export async function setReplicationConfig(
  env: Env,
  bucket: string,
  config: ReplicationConfig | null,
): Promise<ObjectResult<void>> {
  const outcome = await bucketStub(env, bucket).setReplication(config);
  if (outcome === "NoSuchBucket") return noSuchBucket(bucket);
  if (outcome === "VersioningNotEnabled")
    return fail("InvalidRequest", {
      message: "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
    });
  return ok(undefined);
}

/** The bucket's tags, or null when it has none. */
export function bucketTags(env: Env, bucket: string): Promise<Record<string, string> | null> {
  return bucketStub(env, bucket).getBucketTags();
}

/** Sets (or with null removes) the bucket's tags. */
export async function setBucketTags(
  env: Env,
  bucket: string,
  tags: Record<string, string> | null,
): Promise<ObjectResult<void>> {
  return (await bucketStub(env, bucket).setBucketTags(tags)) ? ok(undefined) : noSuchBucket(bucket);
}
