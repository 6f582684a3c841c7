/**
 * The replication side of a bucket coordinator, behind the Bucket class's
 * RPC methods of the same names: the configuration, remote-target flags,
 * what the consumer needs per version and target and what it reports back,
 * the scanner's requeues, statistics, and resync / existing-object jobs
 * (resync.ts). State lives in the coordinator's SQLite: the bucket row, the
 * replication log (log.ts) and the jobs table.
 */
import type { ReplicationConfig } from "../../../shared/replication/config.ts";
import { widenedTargets } from "../../../shared/replication/widening.ts";
import type { BackgroundQueues } from "../background-queues.ts";
import type { ConfigCopies } from "../config-copies.ts";
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import type { CoordinatorBackground } from "../../../shared/types/coordinator-background.ts";
import { configOf, replicationTaskOf, type TargetRef } from "./plan.ts";
import type {
  ReplicationOp,
  ReplicationStats,
  UploadProgress,
  ReplicationTask,
} from "../../../shared/types/replication-rpc.ts";
import { retryDelay, type ReplicationLog } from "./log.ts";
import {
  leaseDrainable,
  leaseMs,
  releaseLease,
  renewLease,
  transferBytes,
  type DrainCursor,
  type DrainRow,
} from "./lease.ts";
import { ResyncJobs, type ResyncJob, type ResyncMode } from "./resync.ts";
import { toStored, type BucketRow, type VersionRow } from "../schema.ts";
import { olderVersions } from "../version-order.ts";

/** One attempt's outcome, with the log row generation it read before sending and its lease owner. */
export type ReplicationResult =
  | {
      ok: true;
      bytes: number;
      latencyMs: number;
      skipped?: boolean;
      generation?: number;
      owner?: string;
    }
  | { ok: false; error: string; final: boolean; generation?: number; owner?: string };

export class ReplicationService {
  readonly resync: ResyncJobs;

  constructor(
    private readonly sql: SqlStorage,
    private readonly work: CoordinatorBackground,
    private readonly log: ReplicationLog,
    private readonly background: BackgroundQueues,
    private readonly copies: ConfigCopies,
    private readonly row: () => BucketRow | null,
  ) {
    this.resync = new ResyncJobs(sql);
  }

  /** Sends wake-ups for one version's targets (after a commit, delete or metadata change). */
  async wake(key: string, versionId: string, targets: string[], delaySeconds = 0): Promise<void> {
    const bucket = this.row()?.name;
    if (!bucket) return;
    await this.work.wakeReplication(
      targets.map((target) => ({ bucket, key, versionId, target })),
      delaySeconds,
    );
  }

  /** One step of the running jobs (the coordinator's alarm); true while jobs remain. */
  async stepJobs(): Promise<boolean> {
    const row = this.row();
    if (!row) return false;
    const queued = this.resync.step(row.name, configOf(row), Date.now());
    await this.work.wakeReplication(queued);
    return this.resync.active();
  }

  /** The replication configuration, or null. */
  async getReplication(): Promise<ReplicationConfig | null> {
    return configOf(this.row());
  }

  /**
   * Sets (or with null removes) the replication configuration; needs
   * versioning Enabled. Starts an existing-object job for each target the
   * change widens (shared/replication/widening.ts), none for the others.
   */
  async setReplication(
    config: ReplicationConfig | null,
  ): Promise<"ok" | "NoSuchBucket" | "VersioningNotEnabled"> {
    const row = this.row();
    if (!row) return "NoSuchBucket";
    if (config && row.versioning !== "Enabled") return "VersioningNotEnabled";
    const previous = configOf(row);
    this.sql.exec("UPDATE bucket SET replication = ?", config ? JSON.stringify(config) : null);
    // Only a change that opens versions to existing-object replication starts a job for them.
    const targets = widenedTargets(previous, config);
    for (const target of targets) {
      if (!this.resync.running(target))
        this.resync.start(target, "existing", { prefix: "", olderThan: null }, Date.now());
    }
    if (targets.length > 0) await this.background.ensureAlarm(Date.now() + 50);
    await this.copies.changed();
    return "ok";
  }

  /**
   * Starts a resync of `target` (`replicate resync start`): refused unless
   * a rule for it has existing-object replication, and while a job for it
   * runs.
   */
  async startResync(
    target: string,
    scope: { prefix: string; olderThan: number | null },
    mode: ResyncMode = "resync",
  ): Promise<
    | { ok: true; job: ResyncJob }
    | { ok: false; error: "NoSuchBucket" | "NoExistingObjectReplication" | "ResyncRunning" }
  > {
    const row = this.row();
    if (!row) return { ok: false, error: "NoSuchBucket" };
    const config = configOf(row);
    const allowed = config?.rules.some(
      (rule) =>
        rule.status === "Enabled" && rule.destination === target && rule.existingObjectReplication,
    );
    if (!allowed) return { ok: false, error: "NoExistingObjectReplication" };
    if (this.resync.running(target)) return { ok: false, error: "ResyncRunning" };
    const job = this.resync.start(target, mode, scope, Date.now());
    await this.background.ensureAlarm(Date.now() + 50);
    return { ok: true, job };
  }

  /**
   * After a namespace rebuild the replication log is gone: a resync job per
   * target whose rules allow existing objects puts back whatever the target
   * lacks (it skips what the target already holds, and never sends a
   * version to its origin). Returns their targets.
   */
  async resyncAfterRestore(): Promise<string[]> {
    const targets = new Set((configOf(this.row())?.rules ?? []).map((rule) => rule.destination));
    const started: string[] = [];
    for (const target of targets) {
      const result = await this.startResync(target, { prefix: "", olderThan: null }, "restore");
      if (result.ok) started.push(target);
    }
    return started;
  }

  /** Resync and existing-object jobs, one per target (the latest). */
  async resyncStatus(): Promise<ResyncJob[]> {
    return this.resync.list();
  }

  async cancelResync(target: string): Promise<ResyncJob | null> {
    return this.resync.cancel(target, Date.now());
  }

  /** The remote targets of this bucket and whether each is sync (kept in step by the admin API). */
  async setReplicationTargets(targets: TargetRef[]): Promise<boolean> {
    if (!this.row()) return false;
    this.sql.exec("UPDATE bucket SET replication_targets = ?", JSON.stringify(targets));
    await this.copies.changed();
    return true;
  }

  /** What the consumer needs for one version and target (plan.ts). */
  async replicationTask(
    key: string,
    versionId: string,
    target: string,
    owner: string | null = null,
  ): Promise<ReplicationTask | "leased" | null> {
    const config = configOf(this.row());
    return replicationTaskOf(this.sql, this.log, config, key, versionId, target, owner);
  }

  /**
   * Leases to a draining consumer (`owner`) up to `limit` changes for
   * `target` that await their first attempt or whose backoff has passed,
   * oldest first after `after` (lease.ts).
   */
  async leaseDrainable(
    target: string,
    owner: string,
    after: DrainCursor | null,
    limit: number,
  ): Promise<DrainRow[]> {
    return leaseDrainable(this.sql, target, owner, after, limit, Date.now(), leaseMs);
  }

  /**
   * Records the outcome of one attempt (`skipped`: the remote already had
   * it), counts it for its job, and wakes delete markers of the key that
   * were waiting for it. `generation` is the row's generation the attempt
   * read before sending: an outcome for an older one does not complete the
   * row (log.ts, state generation).
   */
  async replicationResult(
    key: string,
    versionId: string,
    target: string,
    result: ReplicationResult,
  ): Promise<void> {
    const op = this.log.op(key, versionId, target);
    const { contended } = result.owner
      ? releaseLease(this.sql, { key, versionId, target }, result.owner)
      : { contended: false };
    // A second outcome for work already done (duplicate wake-ups raced) changes nothing.
    if (!op || op.status === "COMPLETED") return;
    const now = Date.now();
    const stale = result.generation !== undefined && result.generation !== op.generation;
    if (!result.ok) {
      if (!stale) this.log.failed(op, result.error, result.final, now);
      // An attempt turned away while this one held the lease counted on it: wake the row again
      // (after the backoff), as the newer change's own wake-up may have been that attempt.
      if (contended && (stale || !result.final))
        await this.wake(key, versionId, [target], stale ? 0 : retryDelay(op.attempts + 1) / 1000);
      return;
    }
    if (stale) {
      this.log.superseded(op, result.skipped ? 0 : result.bytes, now);
      await this.wake(key, versionId, [target]);
      return;
    }
    this.log.succeeded(op, result.skipped ? 0 : result.bytes, result.latencyMs, now);
    if (op.job) this.resync.counted(op, op.job, result.bytes, result.skipped === true, now);
    const ready = this.log.readyAfter(key, target, (id) => olderVersions(this.sql, key, id));
    const bucket = this.row()?.name;
    if (bucket && ready.length > 0)
      await this.work.wakeReplication(
        ready.map((r) => ({ bucket, key: r.key, versionId: r.versionId, target: r.target })),
      );
  }

  /**
   * Records how far a multipart transfer to a target got (null clears it);
   * an acknowledged part renews the attempt's lease (`owner`).
   */
  async saveReplicationUpload(
    key: string,
    versionId: string,
    target: string,
    upload: UploadProgress | null,
    owner: string | null = null,
  ): Promise<void> {
    this.log.saveUpload(key, versionId, target, upload);
    if (!owner) return;
    const stored = this.sql
      .exec<VersionRow>("SELECT * FROM versions WHERE key = ? AND version_id = ?", key, versionId)
      .toArray()[0];
    const record = stored ? toStored(stored).record : null;
    const bytes = record ? transferBytes(record.size, record.parts.length) : 0;
    renewLease(this.sql, { key, versionId, target }, owner, Date.now(), leaseMs(bytes));
  }

  /** Replication due for a (re)send: stale PENDING and FAILED past their backoff. */
  async takeDueReplication(limit = 200): Promise<ReplicationMessage[]> {
    const bucket = this.row()?.name;
    if (!bucket) return [];
    return this.log
      .takeDue(Date.now(), limit)
      .map((op) => ({ bucket, key: op.key, versionId: op.versionId, target: op.target }));
  }

  /**
   * A target came back online: its unfinished work is requeued at once with
   * the backoff reset (a bounded batch woken now, the rest due for the
   * scanner). Returns how many were woken.
   */
  async retryTarget(target: string, limit = 5_000): Promise<number> {
    const bucket = this.row()?.name;
    if (!bucket) return 0;
    const ops = this.log.retryTarget(target, Date.now(), limit);
    await this.work.wakeReplication(
      ops.map((op) => ({ bucket, key: op.key, versionId: op.versionId, target: op.target })),
    );
    return ops.length;
  }

  /** Requeues a PENDING or FAILED version a client just read (rate-limited per version). */
  async requeueVersion(key: string, versionId: string): Promise<void> {
    const ops = this.log.touchVersion(key, versionId, Date.now());
    await this.wake(
      key,
      versionId,
      ops.map((op) => op.target),
    );
  }

  /**
   * Replication counters per target, and what this bucket received as
   * replicas; `sloSeconds` gives targets' lag objectives (kept by the
   * Deployment object).
   */
  async replicationStats(
    sloSeconds: Record<string, number> = {},
  ): Promise<ReplicationStats | null> {
    const row = this.row();
    if (!row) return null;
    const targets = [...new Set(configOf(row)?.rules.map((rule) => rule.destination) ?? [])];
    return this.log.stats(targets, Date.now(), sloSeconds);
  }

  /** Versions not (yet) replicated, for `replicate diff`. */
  async unreplicated(
    target: string | null,
    after: { key: string; versionId: string },
    limit: number,
  ): Promise<ReplicationOp[]> {
    return this.log.unreplicated(target, after, limit);
  }
}
