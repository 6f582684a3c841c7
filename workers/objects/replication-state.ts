/**
 * A bucket's replication state, as the object layer exposes it to the
 * replication sender and scanner, the admin API and metrics: the per-version
 * tasks and their results (the coordinator's replication log), the remote
 * targets a bucket replicates to, resync jobs, statistics, and the digests
 * and lines `replicate verify` compares. The coordinator keeps this state
 * and its rules (which rule applies, retries, generations); these calls
 * carry requests to it, with argument types taken from its RPC surface, and
 * the ones a caller answers with an error return an `ObjectResult`.
 */
import { fail, noSuchBucket, ok, type ObjectResult } from "./result.ts";
import { bucketStub, type BucketStub } from "./stubs.ts";

type Rpc = BucketStub;

/** The next piece of work for (version, target), or null when there is none. */
export function replicationTask(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["replicationTask"]>
) {
  return bucketStub(env, bucket).replicationTask(...args);
}

/** Records how sending (version, target) went. */
export function recordReplication(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["replicationResult"]>
) {
  return bucketStub(env, bucket).replicationResult(...args);
}

/** Saves how far a multipart replica transfer got, so a retry resumes it. */
export function saveReplicationUpload(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["saveReplicationUpload"]>
) {
  return bucketStub(env, bucket).saveReplicationUpload(...args);
}

/** Leases up to `limit` of a target's due changes after `cursor`, oldest first (a drain's next share). */
export function leaseDrainable(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["leaseDrainable"]>
) {
  return bucketStub(env, bucket).leaseDrainable(...args);
}

/** Requeues a target's unfinished work at once (it came back online). */
export function retryTarget(env: Env, bucket: string, target: string) {
  return bucketStub(env, bucket).retryTarget(target);
}

/** Takes the replication messages that are due (the scanner's requeue). */
export function takeDueReplication(env: Env, bucket: string) {
  return bucketStub(env, bucket).takeDueReplication();
}

/** Tells the bucket which remote targets it has and which of them are sync; NoSuchBucket. */
export async function setReplicationTargets(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["setReplicationTargets"]>
): Promise<ObjectResult<void>> {
  const known = await bucketStub(env, bucket).setReplicationTargets(...args);
  return known ? ok(undefined) : noSuchBucket(bucket);
}

/** Per-target replication statistics; NoSuchBucket. */
export async function replicationStats(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["replicationStats"]>
) {
  const stats = await bucketStub(env, bucket).replicationStats(...args);
  return stats ? ok(stats) : noSuchBucket(bucket);
}

/** Versions whose replication to a target (or any) is unfinished, in key order. */
export function unreplicated(env: Env, bucket: string, ...args: Parameters<Rpc["unreplicated"]>) {
  return bucketStub(env, bucket).unreplicated(...args);
}

/**
 * Starts a resync job of the bucket to a target: NoSuchBucket,
 * NoExistingObjectReplication (no enabled rule for the target replicates
 * existing objects), ResyncRunning (a job for the target runs).
 */
export async function startResync(
  env: Env,
  bucket: string,
  target: string,
  scope: { prefix: string; olderThan: number | null },
) {
  const started = await bucketStub(env, bucket).startResync(target, scope);
  if (started.ok) return ok(started.job);
  switch (started.error) {
    case "NoSuchBucket":
      return noSuchBucket(bucket);
    case "NoExistingObjectReplication":
      return fail("NoExistingObjectReplication", {
        message: `No enabled rule of ${bucket} for ${target} has existing-object replication.`,
      });
    case "ResyncRunning":
      return fail("ResyncRunning", {
        message: `A resync of ${bucket} to ${target} is already running.`,
      });
  }
}

/** The bucket's resync jobs. */
export function resyncStatus(env: Env, bucket: string) {
  return bucketStub(env, bucket).resyncStatus();
}

/** Cancels the resync job to a target; NoSuchResyncJob when there is none. */
export async function cancelResync(env: Env, bucket: string, target: string) {
  const job = await bucketStub(env, bucket).cancelResync(target);
  if (job) return ok(job);
  return fail("NoSuchResyncJob", { message: `No resync job of ${bucket} for ${target}.` });
}

/** One page of version range digests (`replicate verify`). */
export function versionDigest(env: Env, bucket: string, ...args: Parameters<Rpc["versionDigest"]>) {
  return bucketStub(env, bucket).versionDigest(...args);
}

/** One page of versions' full replicated state (`replicate verify`). */
export function versionLines(env: Env, bucket: string, ...args: Parameters<Rpc["versionLines"]>) {
  return bucketStub(env, bucket).versionLines(...args);
}

/** Requeues versions `replicate verify --fix` found different on a target. */
export function requeueVerified(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["requeueVerified"]>
) {
  return bucketStub(env, bucket).requeueVerified(...args);
}
