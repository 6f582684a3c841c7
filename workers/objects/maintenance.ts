/**
 * Maintenance of a bucket through the object layer: walking its versions
 * (heal, scans), stepping its lifecycle rules, waking its coordinator's
 * background work, asking whether its coordinator still holds its state
 * (else the namespace is rebuilt from the drives, rebuild-namespace.ts), and,
 * for fault injection only, wiping that state.
 */
import type {
  LifecycleSummary,
  StoredVersion,
  VersionPage,
} from "../../shared/types/bucket-rpc.ts";
import { bucketStub } from "./stubs.ts";

/** Every version of one key, oldest first. */
export function versionsOfKey(env: Env, bucket: string, key: string): Promise<StoredVersion[]> {
  return bucketStub(env, bucket).versionsOfKey(key);
}

/** A page of every version in key order; pass the returned cursor back for the next. */
export function versionsPage(
  env: Env,
  bucket: string,
  cursor: string | null,
  limit: number,
): Promise<VersionPage> {
  return bucketStub(env, bucket).listVersionsPage(cursor, limit);
}

/** One step of the bucket's lifecycle rules (expiry, noncurrent versions, markers, uploads). */
export function runLifecycleStep(env: Env, bucket: string, now: number): Promise<LifecycleSummary> {
  return bucketStub(env, bucket).runLifecycle(now);
}

/** Starts the coordinator's due background work (garbage collection, heal, replication). */
export function wakeBucket(env: Env, bucket: string): Promise<void> {
  return bucketStub(env, bucket).wake();
}

/** Whether the coordinator holds the bucket's state, is rebuilding it, or lost it. */
export function restoreState(
  env: Env,
  bucket: string,
): Promise<"absent" | "rebuilding" | "present"> {
  return bucketStub(env, bucket).restoreState();
}

/** Fault injection: the bucket's coordinator loses everything it holds. */
export function wipeBucketState(env: Env, bucket: string): Promise<void> {
  return bucketStub(env, bucket).wipe();
}

export { healVersion, type HealReport } from "./erasure/heal.ts";
