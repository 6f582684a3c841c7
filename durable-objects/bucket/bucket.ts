/**
 * The Bucket coordinator Durable Object: one per bucket. It serialises every
 * write of its bucket (a Durable Object runs one request at a time and each
 * commit is one SQLite transaction), which gives strict read-after-write:
 * a version is visible exactly when `commitVersion` returns. A commit is
 * refused unless the writer reports write quorum. What a commit replaces
 * goes to a durable garbage-collection queue; damage found on read goes to a
 * durable heal queue; the alarm works both off in small steps. Replication
 * state (what goes to which remote target, and how far it got) is kept in
 * the replication log next to the versions (replication-log.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { wakeConsumer, type ReplicationMessage } from "../../shared/replication/queue.ts";
import type { CoordinatorBackground } from "../../shared/types/coordinator-background.ts";
import {
  serializeRecord,
  versionRecordSchema,
  type ErasureInfo,
  type VersionRecord,
} from "../../shared/types/version-record.ts";
import { bitrotReady } from "../../shared/bitrot.ts";
import { applyMigrations } from "../migrations.ts";
import { BackgroundQueues } from "./background-queues.ts";
import {
  findVersion,
  listObjects,
  listVersions,
  versionsOf,
  versionsPage,
  type ListPage,
  type ListRequest,
  type VersionListPage,
  type VersionListRequest,
} from "./listing.ts";
import {
  dropUpload,
  findUpload,
  listUploads,
  partsOf,
  storePart,
  type UploadListRequest,
} from "./uploads.ts";
import {
  mayApplyReplicaLock,
  mayChangeRetention,
  mayDelete,
  replacesLockedVersion,
} from "./object-lock.ts";
import type { LifecycleRule } from "../../shared/lifecycle/rules.ts";
import { runLifecycleStep, type LifecycleHost } from "./lifecycle.ts";
import {
  BUCKET_MIGRATIONS,
  excludesOf,
  toStored,
  type BucketRow,
  type VersionRow,
} from "./schema.ts";
import type { ReplicationConfig } from "../../shared/replication/config.ts";
import {
  configOf,
  planReplication,
  holdsReplica,
  mergeReplicaMetadata,
  replicationTaskOf,
  targetsOf,
  type ReplicationTask,
  type TargetRef,
} from "./replication/plan.ts";
import {
  ReplicationLog,
  type ReplicationOp,
  type ReplicationStats,
  type UploadProgress,
} from "./replication/log.ts";
import { conditionFailure, insertVersionRow, repointLatest, seqFor } from "./version-order.ts";
import { CONFIG_PUSH_RETRY_MS, ConfigCopies } from "./config-copies.ts";
import {
  beginRestore,
  finishRestore,
  holdsNothing,
  restoreState,
  restoreVersions,
  type RestoreStart,
} from "./restore.ts";
import type { BucketConfigCopy } from "../../shared/types/bucket-config.ts";
import type { ResyncJob, ResyncMode } from "./replication/resync.ts";
import { ReplicationService, type ReplicationResult } from "./replication/service.ts";
import type { DigestPage, DigestScope, LinePage } from "../../shared/replication/digest.ts";
import { digestPage, linePage } from "./replication/digest-scan.ts";
import { requeueFixes, type VerifyFix } from "./replication/verify-fix.ts";
import type {
  BucketInfo,
  CommitRequest,
  CommitResult,
  DeleteResult,
  LifecycleSummary,
  ObjectLockConfig,
  RecordChangeRefused,
  ReplicaMetadataChange,
  StoredVersion,
  UploadedPart,
  UploadInfo,
  UploadListing,
  VersionLookup,
  VersionPage,
} from "../../shared/types/bucket-rpc.ts";

/** Pause between two steps of a running resync job. */
const RESYNC_STEP_MS = 500;

/**
 * The coordinator class. The Worker exports it as `Bucket`, constructed
 * with the data path's side of the background work.
 */
export class BucketCoordinator extends DurableObject<Env> {
  private sql: SqlStorage;
  private replication: ReplicationLog;
  private replicationService: ReplicationService;
  private background: BackgroundQueues;
  private copies: ConfigCopies;

  constructor(ctx: DurableObjectState, env: Env, work: CoordinatorBackground) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.replication = new ReplicationLog(this.sql);
    this.background = new BackgroundQueues(this.sql, ctx.storage, work);
    this.copies = new ConfigCopies(this.sql, work, (at) => this.background.ensureAlarm(at));
    this.replicationService = new ReplicationService(
      this.sql,
      env,
      this.replication,
      this.background,
      () => this.bucketRow(),
    );
    ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, BUCKET_MIGRATIONS);
      await bitrotReady();
    });
  }

  /** The bucket, or null when there is none or it is being restored (restore.ts). */
  private bucketRow(): BucketRow | null {
    return (
      this.sql.exec<BucketRow>("SELECT * FROM bucket WHERE rebuilding = 0").toArray()[0] ?? null
    );
  }

  /**
   * Creates the bucket; "exists" when it already does (with its owner). With
   * `fresh` (the site's registry just gave the name out), an empty bucket
   * found here is a leftover of a deletion that raced a rebuild: replaced.
   */
  async create(
    name: string,
    owner: string,
    objectLock = false,
    fresh = false,
  ): Promise<{ created: boolean; owner: string }> {
    const existing = this.sql.exec<BucketRow>("SELECT * FROM bucket").toArray()[0];
    if (existing && !(fresh && holdsNothing(this.sql)))
      return { created: false, owner: existing.owner };
    if (existing) await this.wipe();
    // Object lock turns versioning on, for good.
    this.sql.exec(
      "INSERT INTO bucket (name, created_at, owner, versioning, object_lock) VALUES (?, ?, ?, ?, ?)",
      name,
      Date.now(),
      owner,
      objectLock ? "Enabled" : "",
      objectLock ? JSON.stringify({ enabled: true }) : null,
    );
    await this.copies.push();
    return { created: true, owner };
  }

  /** The bucket policy as stored (JSON text), or null when there is none or no bucket. */
  async getPolicy(): Promise<string | null> {
    return this.bucketRow()?.policy ?? null;
  }

  /** Sets (or with null removes) the bucket policy; false when the bucket does not exist. */
  async setPolicy(policy: string | null): Promise<boolean> {
    if (!this.bucketRow()) return false;
    this.sql.exec("UPDATE bucket SET policy = ?", policy);
    await this.copies.changed();
    return true;
  }

  /** Sets the bucket's object lock configuration (only on buckets with object lock). */
  async setObjectLock(
    config: ObjectLockConfig,
  ): Promise<"ok" | "NoSuchBucket" | "InvalidBucketState"> {
    const row = this.bucketRow();
    if (!row) return "NoSuchBucket";
    if (!row.object_lock) return "InvalidBucketState";
    this.sql.exec("UPDATE bucket SET object_lock = ?", JSON.stringify(config));
    await this.copies.changed();
    return "ok";
  }

  /** The bucket's settings, or null when it does not exist. */
  async info(): Promise<BucketInfo | null> {
    const row = this.bucketRow();
    if (!row) return null;
    return {
      name: row.name,
      createdAt: row.created_at,
      owner: row.owner,
      versioning:
        row.versioning === "Enabled" || row.versioning === "Suspended" ? row.versioning : "",
      ...excludesOf(row),
      objectLock: row.object_lock ? (JSON.parse(row.object_lock) as ObjectLockConfig) : null,
      replication: row.replication !== null,
      syncTargets: targetsOf(row)
        .filter((t) => t.sync)
        .map((t) => t.arn),
    };
  }

  /** Sets the bucket's versioning state (and MinIO's exclusions). */
  async setVersioning(
    status: "Enabled" | "Suspended",
    excludes: { excludedPrefixes: string[]; excludeFolders: boolean },
  ): Promise<"ok" | "NoSuchBucket" | "InvalidBucketState"> {
    const row = this.bucketRow();
    if (!row) return "NoSuchBucket";
    if (row.object_lock && status !== "Enabled") return "InvalidBucketState";
    // Replication needs versioning: it cannot be suspended under a replication configuration.
    if (row.replication && status !== "Enabled") return "InvalidBucketState";
    this.sql.exec(
      "UPDATE bucket SET versioning = ?, versioning_excludes = ?",
      status,
      JSON.stringify(excludes),
    );
    await this.copies.changed();
    return "ok";
  }

  /** Deletes the bucket when it holds no versions. */
  async destroy(): Promise<"deleted" | "BucketNotEmpty" | "NoSuchBucket"> {
    if (!this.bucketRow()) return "NoSuchBucket";
    const any = this.sql.exec("SELECT 1 FROM versions LIMIT 1").toArray().length > 0;
    if (any) return "BucketNotEmpty";
    const pendingGc = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM gc_queue").one().n;
    if (pendingGc > 0) await this.background.runGarbageCollection(this.bucketRow()?.name ?? "");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    applyMigrations(this.ctx.storage, BUCKET_MIGRATIONS);
    return "deleted";
  }

  /**
   * Makes a version visible, atomically. Refused below write quorum. For the
   * null version (unversioned buckets) the previous null version is replaced
   * and its data queued for garbage collection.
   */
  async commitVersion(request: CommitRequest): Promise<CommitResult> {
    const bucket = this.bucketRow();
    if (!bucket) return { ok: false, error: "NoSuchBucket" };
    if (request.acknowledgements < request.writeQuorum) {
      return { ok: false, error: "InsufficientWriteQuorum" };
    }
    const record = versionRecordSchema.parse(request.record);
    if (request.replica) return this.commitReplica(record, request.inlineData);
    const failed = conditionFailure(this.sql, record.key, request.condition ?? null);
    if (failed) return { ok: false, error: failed };
    const now = Date.now();
    const planned = this.ctx.storage.transactionSync(() => {
      this.storeVersion(record, request.inlineData, false);
      return planReplication(
        bucket,
        this.replication,
        {
          key: record.key,
          versionId: record.versionId,
          kind: record.deleteMarker ? "delete-marker" : "object",
          size: record.size,
          tags: record.tags,
        },
        now,
      );
    });
    await this.replicationService.wake(record.key, record.versionId, planned.async);
    return { ok: true, syncTargets: planned.sync };
  }

  /**
   * Stores a replica from another site; never replicated further. What is
   * stored depends only on the replica itself, never on what else the key
   * holds, so every site ends with the same versions whatever the order
   * replicas arrive in (a concurrent delete on two sites leaves two markers).
   */
  private commitReplica(record: VersionRecord, inlineData: Uint8Array | null): CommitResult {
    return this.ctx.storage.transactionSync((): CommitResult => {
      if (holdsReplica(this.sql, record)) {
        const merged = mergeReplicaMetadata(this.sql, record);
        if (merged === "AccessDenied") return { ok: false, error: "AccessDenied" };
        return { ok: true, duplicate: true };
      }
      if (replacesLockedVersion(this.sql, record)) return { ok: false, error: "AccessDenied" };
      this.storeVersion(record, inlineData, true);
      this.replication.received(record.size);
      return { ok: true };
    });
  }

  /**
   * Stores a version (inside the caller's transaction), replacing one of the
   * same id, in its place in the key's order (version-order.ts).
   */
  private storeVersion(
    record: VersionRecord,
    inlineData: Uint8Array | null,
    replica: boolean,
  ): void {
    const replaced = this.sql
      .exec<VersionRow>(
        "SELECT * FROM versions WHERE key = ? AND version_id = ?",
        record.key,
        record.versionId,
      )
      .toArray()[0];
    if (replaced) this.background.queueGarbage(toStored(replaced).record);
    const nextSeq = this.sql
      .exec<{ next_seq: number }>("SELECT next_seq FROM bucket")
      .one().next_seq;
    const seq = seqFor(this.sql, record.key, record.versionId, record.mtime, nextSeq, replica);
    insertVersionRow(this.sql, record, seq, inlineData);
    this.sql.exec("UPDATE bucket SET next_seq = next_seq + 1");
    repointLatest(this.sql, record.key);
  }

  /**
   * Replaces a version's tags, retention or legal hold without touching its
   * data, and queues the change for replication. A change arriving from
   * another site (`replica`) applies only when newer than the version's own
   * last change, and only as far as object lock lets it (object-lock.ts).
   * A delete marker has none of these: MethodNotAllowed, as S3 answers.
   * Returns the updated record.
   */
  async updateRecord(
    key: string,
    versionId: string | null,
    patch: Partial<Pick<VersionRecord, "tags" | "retention" | "legalHold">>,
    replica: ReplicaMetadataChange | null = null,
  ): Promise<VersionLookup | RecordChangeRefused> {
    const lookup = await this.getVersion(key, versionId);
    if (!lookup.ok) return lookup;
    const current = lookup.version.record;
    if (current.deleteMarker)
      return {
        ok: false,
        error: "MethodNotAllowed",
        marker: { versionId: current.versionId, mtime: current.mtime },
      };
    const replicaTimestamp = replica?.timestamp ?? null;
    // A replicated change older than what this version already has loses (last writer wins).
    if (replicaTimestamp !== null && (current.metadataTimestamp ?? 0) >= replicaTimestamp)
      return lookup;
    const record = versionRecordSchema.parse({
      ...current,
      ...patch,
      // Strictly increasing per version, so a change in the same millisecond still wins remotely.
      metadataTimestamp:
        replicaTimestamp ?? Math.max(Date.now(), (current.metadataTimestamp ?? current.mtime) + 1),
    });
    if (replica && !mayApplyReplicaLock(current, record, replica))
      return { ok: false, error: "AccessDenied" };
    const bucket = this.bucketRow();
    const planned = this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "UPDATE versions SET record = ? WHERE key = ? AND version_id = ?",
        serializeRecord(record),
        record.key,
        record.versionId,
      );
      if (replicaTimestamp !== null || !bucket) return [];
      const change = {
        key: record.key,
        versionId: record.versionId,
        kind: "metadata" as const,
        size: record.size,
        tags: record.tags,
        replica: record.replica !== undefined,
      };
      const targets = planReplication(bucket, this.replication, change, Date.now());
      return [...targets.async, ...targets.sync];
    });
    await this.replicationService.wake(record.key, record.versionId, planned);
    return { ok: true, version: { record, inlineData: lookup.version.inlineData } };
  }

  /** Sets or removes a version's retention, under the object lock rules. */
  async setRetention(
    key: string,
    versionId: string | null,
    retention: VersionRecord["retention"],
    bypassGovernance: boolean,
  ): Promise<VersionLookup | RecordChangeRefused> {
    const lookup = await this.getVersion(key, versionId);
    if (!lookup.ok) return lookup;
    if (!mayChangeRetention(lookup.version.record.retention, retention, bypassGovernance)) {
      return { ok: false, error: "AccessDenied" };
    }
    return this.updateRecord(key, lookup.version.record.versionId, { retention });
  }

  /** The lifecycle rules, or null when none are configured. */
  async getLifecycle(): Promise<LifecycleRule[] | null> {
    const row = this.bucketRow();
    return row?.lifecycle ? (JSON.parse(row.lifecycle) as LifecycleRule[]) : null;
  }

  /** Sets (or, with null, removes) the lifecycle rules. */
  async setLifecycle(rules: LifecycleRule[] | null): Promise<boolean> {
    if (!this.bucketRow()) return false;
    this.sql.exec(
      "UPDATE bucket SET lifecycle = ?, lifecycle_cursor = NULL",
      rules ? JSON.stringify(rules) : null,
    );
    await this.copies.changed();
    return true;
  }

  /**
   * One lifecycle step: applies the rules to up to `maxKeys` keys after the
   * persisted cursor (wrapping to the start at the end) and to expired
   * multipart uploads. Time is `now`, so tests can move the clock.
   */
  async runLifecycle(now: number, maxKeys = 500): Promise<LifecycleSummary> {
    return runLifecycleStep(this.lifecycleHost(), this.bucketRow(), now, maxKeys, (id) =>
      this.abortUpload(id),
    );
  }

  private lifecycleHost(): LifecycleHost {
    return {
      sql: this.sql,
      transactionSync: (fn) => this.ctx.storage.transactionSync(fn),
      toStored,
      storeVersion: (record, inlineData) => this.storeVersion(record, inlineData, false),
      removeVersionRow: (record) => this.removeVersionRow(record),
      wake: () => void this.background.ensureAlarm(Date.now() + 50),
    };
  }

  /** Removes a version without replicating the removal (lifecycle expiry). */
  private removeVersionRow(record: VersionRecord): void {
    this.sql.exec(
      "DELETE FROM versions WHERE key = ? AND version_id = ?",
      record.key,
      record.versionId,
    );
    this.replication.forget(record.key, record.versionId);
    this.background.queueGarbage(record);
    repointLatest(this.sql, record.key);
  }

  // ---- replication (replication-service.ts) ----
  async getReplication(): Promise<ReplicationConfig | null> {
    return this.replicationService.getReplication();
  }

  async setReplication(
    config: ReplicationConfig | null,
  ): Promise<"ok" | "NoSuchBucket" | "VersioningNotEnabled"> {
    const result = await this.replicationService.setReplication(config);
    if (result === "ok") await this.copies.changed();
    return result;
  }

  async startResync(
    target: string,
    scope: { prefix: string; olderThan: number | null },
    mode: ResyncMode = "resync",
  ): Promise<
    | { ok: true; job: ResyncJob }
    | { ok: false; error: "NoSuchBucket" | "NoExistingObjectReplication" | "ResyncRunning" }
  > {
    return this.replicationService.startResync(target, scope, mode);
  }

  async resyncStatus(): Promise<ResyncJob[]> {
    return this.replicationService.resyncStatus();
  }

  async cancelResync(target: string): Promise<ResyncJob | null> {
    return this.replicationService.cancelResync(target);
  }

  async setReplicationTargets(targets: TargetRef[]): Promise<boolean> {
    const set = await this.replicationService.setReplicationTargets(targets);
    if (set) await this.copies.changed();
    return set;
  }

  async replicationTask(
    key: string,
    versionId: string,
    target: string,
  ): Promise<ReplicationTask | null> {
    return this.replicationService.replicationTask(key, versionId, target);
  }

  async replicationResult(
    key: string,
    versionId: string,
    target: string,
    result: ReplicationResult,
  ): Promise<void> {
    return this.replicationService.replicationResult(key, versionId, target, result);
  }

  async saveReplicationUpload(
    key: string,
    versionId: string,
    target: string,
    upload: UploadProgress | null,
  ): Promise<void> {
    return this.replicationService.saveReplicationUpload(key, versionId, target, upload);
  }

  async takeDueReplication(limit = 200): Promise<ReplicationMessage[]> {
    return this.replicationService.takeDueReplication(limit);
  }

  async requeueVersion(key: string, versionId: string): Promise<void> {
    return this.replicationService.requeueVersion(key, versionId);
  }

  async replicationStats(
    sloSeconds: Record<string, number> = {},
  ): Promise<ReplicationStats | null> {
    return this.replicationService.replicationStats(sloSeconds);
  }

  /** Requeues a target's unfinished work at once (it came back online). */
  async retryTarget(target: string): Promise<number> {
    return this.replicationService.retryTarget(target);
  }

  async unreplicated(
    target: string | null,
    after: { key: string; versionId: string },
    limit: number,
  ): Promise<ReplicationOp[]> {
    return this.replicationService.unreplicated(target, after, limit);
  }

  /** One page of version range digests, for `replicate verify` (digest.ts). */
  async versionDigest(scope: DigestScope, limit: number): Promise<DigestPage> {
    return digestPage(this.sql, scope, limit);
  }

  /** One page of versions' full replicated state, as `replicate verify` compares them. */
  async versionLines(
    scope: DigestScope,
    afterVersion: string | null,
    limit: number,
  ): Promise<LinePage> {
    return linePage(this.sql, scope, afterVersion, limit);
  }

  /** `replicate verify --fix`: requeues the given versions for `target` (verify-fix.ts). */
  async requeueVerified(
    target: string,
    fixes: VerifyFix[],
  ): Promise<{ requeued: number; outOfScope: { key: string; versionId: string }[] }> {
    const row = this.bucketRow();
    if (!row) return { requeued: 0, outOfScope: [] };
    const queued = this.ctx.storage.transactionSync(() =>
      requeueFixes(this.sql, this.replication, configOf(row), row.name, target, fixes, Date.now()),
    );
    await wakeConsumer(this.env.REPLICATION_QUEUE as Queue<ReplicationMessage>, queued.messages);
    return { requeued: queued.messages.length, outOfScope: queued.outOfScope };
  }

  /** The bucket's tags, or null when it has none. */
  async getBucketTags(): Promise<Record<string, string> | null> {
    const row = this.sql.exec<{ tags: string | null }>("SELECT tags FROM bucket").toArray()[0];
    return row?.tags ? (JSON.parse(row.tags) as Record<string, string>) : null;
  }

  /** Sets (or, with null, removes) the bucket's tags. */
  async setBucketTags(tags: Record<string, string> | null): Promise<boolean> {
    if (!this.bucketRow()) return false;
    this.sql.exec("UPDATE bucket SET tags = ?", tags ? JSON.stringify(tags) : null);
    await this.copies.changed();
    return true;
  }

  /** The latest version of `key`, or the given version. */
  async getVersion(key: string, versionId: string | null): Promise<VersionLookup> {
    if (!this.bucketRow()) return { ok: false, error: "NoSuchBucket" };
    const row = findVersion(this.sql, key, versionId);
    if (!row) return { ok: false, error: versionId === null ? "NoSuchKey" : "NoSuchVersion" };
    const version = toStored(row);
    return {
      ok: true,
      version,
      versioned: this.bucketRow()?.versioning !== "",
      replicationStatus: version.record.replica
        ? "REPLICA"
        : this.replication.statusOf(row.key, row.version_id),
    };
  }

  /**
   * Removes a version permanently (the null version when `versionId` is
   * null, as in an unversioned bucket) and queues its data for collection.
   * Deleting what does not exist succeeds, as in S3.
   */
  async deleteVersion(
    key: string,
    versionId: string | null,
    bypassGovernance = false,
    replica = false,
  ): Promise<DeleteResult> {
    const bucket = this.bucketRow();
    if (!bucket) return { ok: false, error: "NoSuchBucket" };
    const id = versionId ?? "null";
    let deleted: VersionRecord | null = null;
    let locked = false;
    let wake: string[] = [];
    this.ctx.storage.transactionSync(() => {
      const row = this.sql
        .exec<VersionRow>("SELECT * FROM versions WHERE key = ? AND version_id = ?", key, id)
        .toArray()[0];
      if (!row) return;
      const record = toStored(row).record;
      if (!mayDelete(record, bypassGovernance)) {
        locked = true;
        return;
      }
      deleted = record;
      this.sql.exec("DELETE FROM versions WHERE key = ? AND version_id = ?", key, id);
      this.replication.forget(key, id);
      this.background.queueGarbage(deleted);
      repointLatest(this.sql, key);
      if (!replica && versionId !== null) {
        const change = { key, versionId: id, kind: "delete" as const, size: 0, tags: record.tags };
        wake = planReplication(bucket, this.replication, change, Date.now()).async;
      }
    });
    if (locked) return { ok: false, error: "AccessDenied" };
    await this.replicationService.wake(key, id, wake);
    return { ok: true, deleted };
  }

  /** Starts a multipart upload; returns its id. */
  async createUpload(
    key: string,
    attributes: string,
    erasure: ErasureInfo,
  ): Promise<string | null> {
    if (!this.bucketRow()) return null;
    const uploadId = crypto.randomUUID();
    this.sql.exec(
      "INSERT INTO uploads (upload_id, key, created_at, attributes, erasure) VALUES (?, ?, ?, ?, ?)",
      uploadId,
      key,
      Date.now(),
      attributes,
      JSON.stringify(erasure),
    );
    return uploadId;
  }

  /** An upload in progress, or null. */
  async getUpload(uploadId: string): Promise<UploadInfo | null> {
    return findUpload(this.sql, uploadId);
  }

  /** Records an uploaded part (replacing one of the same number). False when the upload is gone. */
  async putPart(uploadId: string, part: UploadedPart): Promise<boolean> {
    const upload = findUpload(this.sql, uploadId);
    if (!upload) return false;
    const replaced = storePart(this.sql, uploadId, part);
    if (replaced) this.background.queueDirs([replaced], upload.erasure);
    return true;
  }

  /** Parts of an upload after `after`, at most `limit`. */
  async listParts(uploadId: string, after: number, limit: number): Promise<UploadedPart[] | null> {
    if (!findUpload(this.sql, uploadId)) return null;
    return partsOf(this.sql, uploadId, after, limit);
  }

  /** Uploads in progress (ListMultipartUploads). */
  async listUploads(request: UploadListRequest): Promise<UploadListing | null> {
    if (!this.bucketRow()) return null;
    return listUploads(this.sql, request);
  }

  /**
   * Completes an upload: commits `record` (whose parts must be the upload's
   * current parts) and drops the upload; unused parts are collected.
   */
  async completeUpload(
    uploadId: string,
    request: CommitRequest,
  ): Promise<CommitResult | { ok: false; error: "NoSuchUpload" | "InvalidPart" }> {
    const upload = findUpload(this.sql, uploadId);
    if (!upload) return { ok: false, error: "NoSuchUpload" };
    const current = new Map(partsOf(this.sql, uploadId).map((part) => [part.number, part.dataDir]));
    for (const part of request.record.parts) {
      if (current.get(part.number) !== part.dataDir) return { ok: false, error: "InvalidPart" };
    }
    const result = await this.commitVersion(request);
    if (!result.ok) return result;
    const used = new Set(request.record.parts.map((part) => part.dataDir));
    const unused = dropUpload(this.sql, uploadId).filter((dir) => !used.has(dir));
    if (unused.length > 0) this.background.queueDirs(unused, upload.erasure);
    return result;
  }

  /** Aborts an upload and collects its parts. False when it does not exist. */
  async abortUpload(uploadId: string): Promise<boolean> {
    const upload = findUpload(this.sql, uploadId);
    if (!upload) return false;
    const dirs = dropUpload(this.sql, uploadId);
    if (dirs.length > 0) this.background.queueDirs(dirs, upload.erasure);
    return true;
  }

  /** One page of the bucket's current objects (ListObjects, ListObjectsV2). */
  async listObjects(request: ListRequest): Promise<ListPage | null> {
    if (!this.bucketRow()) return null;
    return listObjects(this.sql, request);
  }

  /** One page of ListObjectVersions. */
  async listObjectVersions(request: VersionListRequest): Promise<VersionListPage | null> {
    if (!this.bucketRow()) return null;
    return listVersions(this.sql, request);
  }

  /** A page of every version in (key, seq) order, for heal and scans. */
  async listVersionsPage(cursor: string | null, limit: number): Promise<VersionPage> {
    return versionsPage(this.sql, cursor, limit);
  }

  /** Every version of one key, oldest first. */
  async versionsOfKey(key: string): Promise<StoredVersion[]> {
    return versionsOf(this.sql, key);
  }

  /** Number of versions (objects, markers) in the bucket. */
  async versionCount(): Promise<number> {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM versions").one().n;
  }

  /** Queues a heal of one version (damage was seen on read). */
  async scheduleHeal(key: string, versionId: string): Promise<void> {
    this.sql.exec(
      "INSERT OR IGNORE INTO heal_queue (key, version_id, due) VALUES (?, ?, ?)",
      key,
      versionId,
      Date.now(),
    );
    await this.background.ensureAlarm(Date.now() + 50);
  }

  // ---- namespace rebuild from the drives (restore.ts) ----
  async restoreState(): Promise<"absent" | "rebuilding" | "present"> {
    return restoreState(this.sql);
  }

  async beginRestore(copy: BucketConfigCopy, version: number): Promise<RestoreStart> {
    return beginRestore(this.sql, copy, version);
  }

  async restoreVersions(
    versions: StoredVersion[],
    heal: [string, string][],
    cursor: string | null,
  ): Promise<number | null> {
    return this.ctx.storage.transactionSync(() =>
      restoreVersions(this.sql, versions, heal, cursor),
    );
  }

  /** Ends a restore; returns the targets a resync was started to (restore.ts). */
  async finishRestore(versioning: "Enabled" | null): Promise<string[]> {
    finishRestore(this.sql, versioning);
    await this.copies.changed();
    await this.wake();
    return this.replicationService.resyncAfterRestore();
  }

  /** Fault injection: the coordinator loses everything it holds (the worker gates this). */
  async wipe(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    applyMigrations(this.ctx.storage, BUCKET_MIGRATIONS);
  }

  /** Re-arms the alarm when background work is queued (the cron scanner calls this). */
  async wake(): Promise<void> {
    if (this.copies.due()) await this.background.ensureAlarm(Date.now() + 50);
    const next = this.background.nextDue();
    if (next !== null) await this.background.ensureAlarm(Math.max(next, Date.now() + 50));
    if (this.replicationService.resync.active()) await this.background.ensureAlarm(Date.now() + 50);
  }

  /** Works off garbage collection and heals; re-arms while work remains. */
  override async alarm(): Promise<void> {
    const row = this.bucketRow();
    if (row) {
      await this.background.runGarbageCollection(row.name);
      await this.background.runHeals((key, versionId) => this.getVersion(key, versionId));
    }
    const jobs = row ? await this.replicationService.stepJobs() : false;
    const pushed = row ? await this.copies.push() : true;
    const next = this.background.nextDue();
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
