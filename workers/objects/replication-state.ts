/**
 * A bucket's replication state, as the object layer exposes it to the
 * replication sender and scanner, the admin API and metrics: the per-version
 * tasks and their results (the coordinator's replication log), the remote
 * targets a bucket replicates to, resync jobs, statistics, and the digests
 * and lines `replicate verify` compares. The coordinator keeps this state
 * and its rules (which rule applies, retries, generations); these calls
 * only carry requests to it, with argument types taken from its RPC surface.
 */
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

/** Tells the bucket which remote targets it has and which of them are sync. */
export function setReplicationTargets(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["setReplicationTargets"]>
) {
  return bucketStub(env, bucket).setReplicationTargets(...args);
}

/** Per-target replication statistics (null when the bucket does not exist). */
export function replicationStats(
  env: Env,
  bucket: string,
  ...args: Parameters<Rpc["replicationStats"]>
) {
  return bucketStub(env, bucket).replicationStats(...args);
}

/** Versions whose replication to a target (or any) is unfinished, in key order. */
export function unreplicated(env: Env, bucket: string, ...args: Parameters<Rpc["unreplicated"]>) {
  return bucketStub(env, bucket).unreplicated(...args);
}

/** Starts a resync job of the bucket to a target. */
export function startResync(env: Env, bucket: string, ...args: Parameters<Rpc["startResync"]>) {
  return bucketStub(env, bucket).startResync(...args);
}

/** The bucket's resync jobs. */
export function resyncStatus(env: Env, bucket: string) {
  return bucketStub(env, bucket).resyncStatus();
}

/** Cancels the resync job to a target; null when there is none. */
export function cancelResync(env: Env, bucket: string, target: string) {
  return bucketStub(env, bucket).cancelResync(target);
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
