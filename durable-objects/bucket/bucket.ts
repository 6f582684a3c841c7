/**
 * The Bucket coordinator Durable Object: one per bucket. It serialises every
 * write of its bucket (a Durable Object runs one request at a time and each
 * commit is one SQLite transaction), which gives strict read-after-write:
 * a version is visible exactly when `commitVersion` returns. A commit is
 * refused unless the writer reports write quorum. What a commit replaces
 * goes to a durable garbage-collection queue; damage found on read goes to a
 * durable heal queue; the alarm works both off in small steps, with resync
 * steps and configuration copies that did not reach every drive.
 *
 * This class is the RPC surface only; each method hands the coordinator's
 * state (coordinator-state.ts) to the module of its concern: the bucket and
 * its settings (namespace.ts), versions (versions.ts), listings
 * (listing.ts), multipart uploads (uploads.ts), lifecycle (lifecycle.ts),
 * replication, resync and verify (replication/), and rebuilding a lost
 * namespace from the drives (restore.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { bitrotReady } from "../../shared/bitrot.ts";
import type { BucketConfigCopy } from "../../shared/types/bucket-config.ts";
import type {
  ListRequest,
  StoredVersion,
  UploadListRequest,
  VersionListRequest,
} from "../../shared/types/bucket-rpc.ts";
import type { CoordinatorBackground } from "../../shared/types/coordinator-background.ts";
import type { DigestScope } from "../../shared/replication/digest.ts";
import { applyMigrations } from "../migrations.ts";
import { CONFIG_PUSH_RETRY_MS } from "./config-copies.ts";
import { CoordinatorState } from "./coordinator-state.ts";
import { getLifecycle, runLifecycle, setLifecycle } from "./lifecycle.ts";
import { listObjects, listVersions, versionsOf, versionsPage } from "./listing.ts";
import * as namespace from "./namespace.ts";
import { digestPage, linePage } from "./replication/digest-scan.ts";
import type { ReplicationService } from "./replication/service.ts";
import { requeueVerified } from "./replication/verify-fix.ts";
import * as restore from "./restore.ts";
import { BUCKET_MIGRATIONS } from "./schema.ts";
import * as uploads from "./uploads.ts";
import * as versions from "./versions.ts";

/** Pause between two steps of a running resync job. */
const RESYNC_STEP_MS = 500;

/** The arguments of a concern's function after the coordinator state. */
type Args<F> = F extends (s: CoordinatorState, ...args: infer A) => unknown ? A : never;
/** The arguments of a replication service method. */
type ReplicationArgs<K extends keyof ReplicationService> = ReplicationService[K] extends (
  ...args: infer A
) => unknown
  ? A
  : never;

/**
 * The coordinator class. The Worker exports it as `Bucket`, constructed
 * with the data path's side of the background work.
 */
export class BucketCoordinator extends DurableObject<Env> {
  private readonly s: CoordinatorState;

  constructor(ctx: DurableObjectState, env: Env, work: CoordinatorBackground) {
    super(ctx, env);
    this.s = new CoordinatorState(ctx.storage, work);
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, BUCKET_MIGRATIONS);
      await bitrotReady();
    });
  }

  // ---- the bucket and its settings (namespace.ts) ----

  /** Creates the bucket; "exists" when it already does (with its owner). */
  async create(...args: Args<typeof namespace.createBucket>) {
    return namespace.createBucket(this.s, ...args);
  }

  /** The bucket's settings, or null when it does not exist. */
  async info() {
    return namespace.bucketInfo(this.s);
  }

  /** Deletes the bucket when it holds no versions. */
  async destroy() {
    return namespace.destroyBucket(this.s);
  }

  /** The bucket policy as stored (JSON text), or null when there is none or no bucket. */
  async getPolicy(): Promise<string | null> {
    return this.s.bucketRow()?.policy ?? null;
  }

  /** Sets (or with null removes) the bucket policy; false when there is no bucket. */
  async setPolicy(...args: Args<typeof namespace.setPolicy>) {
    return namespace.setPolicy(this.s, ...args);
  }

  /** Sets the object lock configuration (only on buckets created with object lock). */
  async setObjectLock(...args: Args<typeof namespace.setObjectLock>) {
    return namespace.setObjectLock(this.s, ...args);
  }

  /** Sets the versioning state and MinIO's exclusions. */
  async setVersioning(...args: Args<typeof namespace.setVersioning>) {
    return namespace.setVersioning(this.s, ...args);
  }

  /** The bucket's tags, or null when it has none. */
  async getBucketTags() {
    return namespace.getBucketTags(this.s);
  }

  /** Sets (or with null removes) the bucket's tags. */
  async setBucketTags(...args: Args<typeof namespace.setBucketTags>) {
    return namespace.setBucketTags(this.s, ...args);
  }

  // ---- versions (versions.ts) ----

  /** Makes a version visible, atomically; refused below write quorum. */
  async commitVersion(...args: Args<typeof versions.commitVersion>) {
    return versions.commitVersion(this.s, ...args);
  }

  /** Several commits in one call (a replica batch), each as `commitVersion` alone. */
  async commitVersions(requests: Args<typeof versions.commitVersion>[0][]) {
    return versions.commitVersions(this.s, requests);
  }

  /** The latest version of `key`, or the given version. */
  async getVersion(...args: Args<typeof versions.getVersion>) {
    return versions.getVersion(this.s, ...args);
  }

  /** Replaces a version's tags, retention or legal hold and queues the change for replication. */
  async updateRecord(...args: Args<typeof versions.updateRecord>) {
    return versions.updateRecord(this.s, ...args);
  }

  /** Sets or removes a version's retention, under the object lock rules. */
  async setRetention(...args: Args<typeof versions.setRetention>) {
    return versions.setRetention(this.s, ...args);
  }

  /** Removes a version permanently and queues its data for collection. */
  async deleteVersion(...args: Args<typeof versions.deleteVersion>) {
    return versions.deleteVersion(this.s, ...args);
  }

  /** Queues a heal of one version (damage was seen on read). */
  async scheduleHeal(...args: Args<typeof versions.scheduleHeal>) {
    return versions.scheduleHeal(this.s, ...args);
  }

  // ---- listings (listing.ts) ----

  /** One page of the bucket's current objects (ListObjects, ListObjectsV2). */
  async listObjects(request: ListRequest) {
    return this.s.bucketRow() ? listObjects(this.s.sql, request) : null;
  }

  /** One page of ListObjectVersions. */
  async listObjectVersions(request: VersionListRequest) {
    return this.s.bucketRow() ? listVersions(this.s.sql, request) : null;
  }

  /** A page of every version in (key, seq) order, for heal and scans. */
  async listVersionsPage(cursor: string | null, limit: number) {
    return versionsPage(this.s.sql, cursor, limit);
  }

  /** Every version of one key, oldest first. */
  async versionsOfKey(key: string) {
    return versionsOf(this.s.sql, key);
  }

  /** Number of versions (objects, markers) in the bucket. */
  async versionCount(): Promise<number> {
    return this.s.sql.exec<{ n: number }>("SELECT count(*) AS n FROM versions").one().n;
  }

  // ---- multipart uploads (uploads.ts) ----

  /** Starts a multipart upload; returns its id (null without a bucket). */
  async createUpload(...args: Args<typeof uploads.createUpload>) {
    return uploads.createUpload(this.s, ...args);
  }

  /** An upload in progress, or null. */
  async getUpload(uploadId: string) {
    return uploads.findUpload(this.s.sql, uploadId);
  }

  /** Records an uploaded part; false when the upload is gone. */
  async putPart(...args: Args<typeof uploads.putPart>) {
    return uploads.putPart(this.s, ...args);
  }

  /** Parts of an upload after a part number, at most `limit`. */
  async listParts(...args: Args<typeof uploads.listParts>) {
    return uploads.listParts(this.s, ...args);
  }

  /** Uploads in progress (ListMultipartUploads). */
  async listUploads(request: UploadListRequest) {
    return this.s.bucketRow() ? uploads.listUploads(this.s.sql, request) : null;
  }

  /** Commits an upload's version from its current parts and drops the upload. */
  async completeUpload(...args: Args<typeof uploads.completeUpload>) {
    return uploads.completeUpload(this.s, ...args);
  }

  /** Aborts an upload and collects its parts; false when it does not exist. */
  async abortUpload(...args: Args<typeof uploads.abortUpload>) {
    return uploads.abortUpload(this.s, ...args);
  }

  // ---- lifecycle (lifecycle.ts) ----

  /** The lifecycle rules, or null when none are configured. */
  async getLifecycle() {
    return getLifecycle(this.s);
  }

  /** Sets (or with null removes) the lifecycle rules. */
  async setLifecycle(...args: Args<typeof setLifecycle>) {
    return setLifecycle(this.s, ...args);
  }

  /** One lifecycle step at time `now` (tests move the clock). */
  async runLifecycle(...args: Args<typeof runLifecycle>) {
    return runLifecycle(this.s, ...args);
  }

  // ---- replication, resync and verify (replication/) ----

  /** The replication configuration, or null. */
  async getReplication() {
    return this.s.replication.getReplication();
  }

  /** Sets (or with null removes) the replication configuration. */
  async setReplication(...args: ReplicationArgs<"setReplication">) {
    return this.s.replication.setReplication(...args);
  }

  /** The bucket's remote targets and whether each is sync. */
  async setReplicationTargets(...args: ReplicationArgs<"setReplicationTargets">) {
    return this.s.replication.setReplicationTargets(...args);
  }

  /** What the consumer needs to replicate one version to one target. */
  async replicationTask(...args: ReplicationArgs<"replicationTask">) {
    return this.s.replication.replicationTask(...args);
  }

  /** Leases up to `limit` of a target's due changes after a cursor, oldest first (a drain). */
  async leaseDrainable(...args: ReplicationArgs<"leaseDrainable">) {
    return this.s.replication.leaseDrainable(...args);
  }

  /** Records the outcome of one replication attempt. */
  async replicationResult(...args: ReplicationArgs<"replicationResult">) {
    return this.s.replication.replicationResult(...args);
  }

  /** Saves (or clears) a multipart transfer in progress to a target. */
  async saveReplicationUpload(...args: ReplicationArgs<"saveReplicationUpload">) {
    return this.s.replication.saveReplicationUpload(...args);
  }

  /** Replication due for a (re)send: stale PENDING and FAILED past their backoff. */
  async takeDueReplication(...args: ReplicationArgs<"takeDueReplication">) {
    return this.s.replication.takeDueReplication(...args);
  }

  /** Requeues a PENDING or FAILED version a client just read (rate-limited per version). */
  async requeueVersion(...args: ReplicationArgs<"requeueVersion">) {
    return this.s.replication.requeueVersion(...args);
  }

  /** Requeues a target's unfinished work at once (it came back online). */
  async retryTarget(...args: ReplicationArgs<"retryTarget">) {
    return this.s.replication.retryTarget(...args);
  }

  /** Replication statistics per target, with their lag objectives. */
  async replicationStats(...args: ReplicationArgs<"replicationStats">) {
    return this.s.replication.replicationStats(...args);
  }

  /** Versions not (yet) replicated, for `replicate diff`. */
  async unreplicated(...args: ReplicationArgs<"unreplicated">) {
    return this.s.replication.unreplicated(...args);
  }

  /** Starts a resync or existing-object job to a target. */
  async startResync(...args: ReplicationArgs<"startResync">) {
    return this.s.replication.startResync(...args);
  }

  /** Resync and existing-object jobs, one per target (the latest). */
  async resyncStatus() {
    return this.s.replication.resyncStatus();
  }

  /** Cancels the running job to a target. */
  async cancelResync(...args: ReplicationArgs<"cancelResync">) {
    return this.s.replication.cancelResync(...args);
  }

  /** One page of version range digests, for `replicate verify`. */
  async versionDigest(scope: DigestScope, limit: number) {
    return digestPage(this.s.sql, scope, limit);
  }

  /** One page of versions' full replicated state, as `replicate verify` compares them. */
  async versionLines(scope: DigestScope, afterVersion: string | null, limit: number) {
    return linePage(this.s.sql, scope, afterVersion, limit);
  }

  /** `replicate verify --fix`: requeues the given versions for `target`. */
  async requeueVerified(...args: Args<typeof requeueVerified>) {
    return requeueVerified(this.s, ...args);
  }

  // ---- namespace rebuild from the drives (restore.ts) ----

  /** Where the coordinator stands: no bucket, a restore under way, or a live bucket. */
  async restoreState() {
    return restore.restoreState(this.s.sql);
  }

  /** Starts (or resumes) a restore from the drives' configuration copy. */
  async beginRestore(copy: BucketConfigCopy, version: number) {
    return restore.beginRestore(this.s.sql, copy, version);
  }

  /** Adds a batch of restored versions; returns how many were new. */
  async restoreVersions(
    versions: StoredVersion[],
    heal: [string, string][],
    cursor: string | null,
  ) {
    return this.s.transaction(() => restore.restoreVersions(this.s.sql, versions, heal, cursor));
  }

  /** Ends a restore; returns the targets a resync was started to. */
  async finishRestore(versioning: "Enabled" | null): Promise<string[]> {
    restore.finishRestore(this.s.sql, versioning);
    await this.s.copies.changed();
    await this.s.wake();
    return this.s.replication.resyncAfterRestore();
  }

  // ---- background work ----

  /** Fault injection: the coordinator loses everything it holds (the worker gates this). */
  async wipe(): Promise<void> {
    await this.s.reset();
  }

  /** Re-arms the alarm when background work is queued (the cron scanner calls this). */
  async wake(): Promise<void> {
    await this.s.wake();
  }

  /** Works off garbage collection, heals, resync steps and configuration copies. */
  override async alarm(): Promise<void> {
    const { background, copies, replication } = this.s;
    const row = this.s.bucketRow();
    if (row) {
      await background.runGarbageCollection(row.name);
      await background.runHeals((key, versionId) => versions.getVersion(this.s, key, versionId));
    }
    const jobs = row ? await replication.stepJobs() : false;
    const pushed = row ? await copies.push() : true;
    const next = background.nextDue();
    const resyncNext = jobs ? Date.now() + RESYNC_STEP_MS : null;
    const pushNext = pushed ? null : Date.now() + CONFIG_PUSH_RETRY_MS;
    const at = [
      next === null ? null : Math.max(next, Date.now() + 50),
      resyncNext,
      pushNext,
    ].filter((t): t is number => t !== null);
    if (at.length > 0) await this.ctx.storage.setAlarm(Math.min(...at));
  }
}
