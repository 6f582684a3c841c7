/**
 * Resync and existing-object replication jobs: one job at a time per
 * bucket and remote target, walking the bucket's versions in ascending
 * (key, seq) order from a cursor persisted after every step, so a job
 * survives restarts and a version always goes before a newer delete marker
 * of its key. A step queues at most STEP_VERSIONS versions and only while
 * fewer than MAX_IN_FLIGHT of the job's are unfinished (the replication
 * log is the backlog; the coordinator's alarm drives the steps). A step's
 * wake-ups carry up to GROUP_VERSIONS versions per Queue message, and at
 * least as many messages as a consumer batch takes when the step has the
 * versions, so one consumer batch sends a whole step at once, several
 * versions at a time (small ones in replica batches).
 *
 * - mode "resync" (`replicate resync start`): every version matching the
 *   rules (prefix, tags, existing-object replication) for the target,
 *   within the job's prefix and older-than scope, is queued whatever its
 *   status, replicas included; the consumer skips those whose remote copy
 *   already matches and restores the rest, delete markers included.
 * - mode "existing" (started when a configuration change widens what
 *   existing-object replication covers for the target, see
 *   shared/replication/widening.ts): versions the target has no status
 *   for yet are queued; the consumer skips those whose origin is the
 *   target's site (a replica is never sent home, so a version its origin
 *   deleted is never re-created there). Only mode "resync", which an
 *   operator asks for, sends a site its own versions back.
 * - mode "restore" (started after the coordinator's namespace was rebuilt
 *   and its replication log lost): as "resync", but like "existing" never
 *   sends a version to its origin site, since nobody asked to undo the
 *   deletes made there.
 * Only versions that existed when the job started are walked (seq below
 * the job's high-water mark). Counters: `total` is counted up front (the
 * scope, before tag filters, the versions a step walks); replicated and
 * skipped are counted as the consumer reports, once per version (a
 * version's row leaves the job when it is counted, so a later change of
 * it replicates outside the job); failed is the job's versions currently
 * FAILED; versions outside the rules, and in mode "existing" those that
 * already have a status, count as skipped. So replicated + skipped +
 * failed + pending never exceeds total. A job ends Completed, or Failed
 * when some of its versions stay FAILED once everything was tried.
 *
 * ETA (`etaSeconds`, running jobs only): the versions left at the job's
 * average rate so far; null until a first version is done.
 */
import { decidingRule, type ReplicationConfig } from "../../../shared/replication/config.ts";
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import { toStored, type VersionRow } from "../schema.ts";

const STEP_VERSIONS = 200;
const MAX_IN_FLIGHT = 400;
/** Versions per Queue message: one consumer batch then carries a whole step. */
const GROUP_VERSIONS = 20;
/**
 * Messages the replication consumer takes per batch (wrangler.toml's
 * max_batch_size): a batch with fewer waits for max_batch_timeout first.
 */
const MESSAGES_PER_BATCH = 10;
/** A queued version whose wake-up was lost is requeued by the scanner after this long. */
const JOB_GRACE_MS = 10_000;

export type ResyncMode = "resync" | "existing" | "restore";
export type ResyncStatus = "Pending" | "Ongoing" | "Completed" | "Failed" | "Canceled";

interface JobRow extends Record<string, SqlStorageValue> {
  target: string;
  job_id: string;
  mode: string;
  status: string;
  prefix: string;
  older_than: number | null;
  max_seq: number;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  cursor_key: string | null;
  cursor_seq: number | null;
  total: number;
  replicated_count: number;
  replicated_bytes: number;
  skipped_count: number;
}

export interface ResyncJob {
  target: string;
  jobId: string;
  mode: ResyncMode;
  status: ResyncStatus;
  prefix: string;
  /** Only versions last modified before this time (ISO); null for all. */
  olderThan: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  total: number;
  replicatedCount: number;
  replicatedBytes: number;
  failedCount: number;
  failedBytes: number;
  skippedCount: number;
  /** Queued and not yet finished. */
  pendingCount: number;
  /** Seconds until a running job is done at its rate so far; null when unknown or finished. */
  etaSeconds: number | null;
}

/** Seconds left for `left` more versions at the rate of `done` in `elapsedMs`; null when unknown. */
export function resyncEta(done: number, left: number, elapsedMs: number): number | null {
  if (left <= 0) return 0;
  if (done <= 0 || elapsedMs <= 0) return null;
  return Math.ceil((left * elapsedMs) / done / 1000);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ResyncJobs {
  constructor(private readonly sql: SqlStorage) {}

  private row(target: string): JobRow | null {
    return (
      this.sql.exec<JobRow>("SELECT * FROM resync_jobs WHERE target = ?", target).toArray()[0] ??
      null
    );
  }

  private describe(row: JobRow): ResyncJob {
    const failed = this.sql
      .exec<{ n: number; bytes: number }>(
        "SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM replication_log WHERE job = ? AND status = 'FAILED'",
        row.job_id,
      )
      .one();
    const pending = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM replication_log WHERE job = ? AND status = 'PENDING'",
        row.job_id,
      )
      .one().n;
    const done = row.replicated_count + row.skipped_count + failed.n;
    const running = row.status === "Pending" || row.status === "Ongoing";
    return {
      target: row.target,
      jobId: row.job_id,
      mode: row.mode as ResyncMode,
      status: row.status as ResyncStatus,
      prefix: row.prefix,
      olderThan: iso(row.older_than),
      startedAt: new Date(row.started_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      finishedAt: iso(row.finished_at),
      total: row.total,
      replicatedCount: row.replicated_count,
      replicatedBytes: row.replicated_bytes,
      failedCount: failed.n,
      failedBytes: failed.bytes,
      skippedCount: row.skipped_count,
      pendingCount: pending,
      etaSeconds: running ? resyncEta(done, row.total - done, Date.now() - row.started_at) : null,
    };
  }

  list(): ResyncJob[] {
    return this.sql
      .exec<JobRow>("SELECT * FROM resync_jobs ORDER BY target")
      .toArray()
      .map((row) => this.describe(row));
  }

  get(target: string): ResyncJob | null {
    const row = this.row(target);
    return row ? this.describe(row) : null;
  }

  running(target: string): boolean {
    const status = this.row(target)?.status;
    return status === "Pending" || status === "Ongoing";
  }

  /** True while any job has work left (the alarm keeps stepping). */
  active(): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM resync_jobs WHERE status IN ('Pending', 'Ongoing') LIMIT 1")
        .toArray().length > 0
    );
  }

  /** Starts a job (the caller checked the rules and that none is running). */
  start(
    target: string,
    mode: ResyncMode,
    scope: { prefix: string; olderThan: number | null },
    now: number,
  ): ResyncJob {
    const maxSeq = this.sql
      .exec<{ next_seq: number }>("SELECT next_seq FROM bucket")
      .one().next_seq;
    const total = this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM versions v
         WHERE substr(v.key, 1, ?) = ? AND v.seq < ? AND (? IS NULL OR v.mtime < ?)`,
        scope.prefix.length,
        scope.prefix,
        maxSeq,
        scope.olderThan,
        scope.olderThan,
      )
      .one().n;
    const jobId = crypto.randomUUID();
    this.sql.exec(
      `INSERT OR REPLACE INTO resync_jobs (target, job_id, mode, status, prefix, older_than, max_seq,
         started_at, updated_at, finished_at, cursor_key, cursor_seq, total)
       VALUES (?, ?, ?, 'Pending', ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)`,
      target,
      jobId,
      mode,
      scope.prefix,
      scope.olderThan,
      maxSeq,
      now,
      now,
      total,
    );
    return this.get(target) as ResyncJob;
  }

  cancel(target: string, now: number): ResyncJob | null {
    const row = this.row(target);
    if (!row) return null;
    if (row.status === "Pending" || row.status === "Ongoing") {
      this.sql.exec(
        "UPDATE resync_jobs SET status = 'Canceled', updated_at = ?, finished_at = ? WHERE target = ?",
        now,
        now,
        target,
      );
      // Already queued versions still replicate, outside the job.
      this.sql.exec("UPDATE replication_log SET job = NULL WHERE job = ?", row.job_id);
    }
    return this.get(target);
  }

  /**
   * Counts a finished version of a job (by transfer or because the remote
   * already matched), once: its row leaves the job as it is counted.
   */
  counted(
    op: { key: string; versionId: string; target: string },
    jobId: string,
    bytes: number,
    skipped: boolean,
    now: number,
  ): void {
    const detached = this.sql.exec(
      "UPDATE replication_log SET job = NULL WHERE key = ? AND version_id = ? AND target = ? AND job = ?",
      op.key,
      op.versionId,
      op.target,
      jobId,
    ).rowsWritten;
    if (detached === 0) return;
    this.sql.exec(
      skipped
        ? "UPDATE resync_jobs SET skipped_count = skipped_count + 1, updated_at = ? WHERE job_id = ?"
        : "UPDATE resync_jobs SET replicated_count = replicated_count + 1, replicated_bytes = replicated_bytes + ?, updated_at = ? WHERE job_id = ?",
      ...(skipped ? [now, jobId] : [bytes, now, jobId]),
    );
    // A job that ended Failed completes once its last failed version got through on a retry.
    const ended = this.sql
      .exec("SELECT 1 FROM resync_jobs WHERE job_id = ? AND status = 'Failed'", jobId)
      .toArray().length;
    if (ended === 0) return;
    const failed = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM replication_log WHERE job = ? AND status IN ('PENDING', 'FAILED')",
        jobId,
      )
      .one().n;
    if (failed === 0)
      this.sql.exec(
        "UPDATE resync_jobs SET status = 'Completed' WHERE job_id = ? AND status = 'Failed'",
        jobId,
      );
  }

  /**
   * One step of every running job: queue the next versions in order
   * (upserting their log rows with the job), count those outside the rules
   * as skipped, finish jobs that walked everything and have nothing
   * pending. Returns the wake-ups to send.
   */
  step(bucket: string, config: ReplicationConfig | null, now: number): ReplicationMessage[] {
    const messages: ReplicationMessage[] = [];
    const jobs = this.sql
      .exec<JobRow>("SELECT * FROM resync_jobs WHERE status IN ('Pending', 'Ongoing')")
      .toArray();
    for (const job of jobs) {
      const inFlight = this.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM replication_log WHERE job = ? AND status = 'PENDING'",
          job.job_id,
        )
        .one().n;
      let walked = job.cursor_key === "\uffff";
      if (!walked && inFlight < MAX_IN_FLIGHT) {
        const rows = this.sql
          .exec<VersionRow>(
            `SELECT * FROM versions
             WHERE ((key > ?) OR (key = ? AND seq > ?)) AND substr(key, 1, ?) = ? AND seq < ?
             ORDER BY key, seq LIMIT ?`,
            job.cursor_key ?? "",
            job.cursor_key ?? "",
            job.cursor_seq ?? -1,
            job.prefix.length,
            job.prefix,
            job.max_seq,
            STEP_VERSIONS,
          )
          .toArray();
        let skipped = 0;
        const queued: { key: string; versionId: string }[] = [];
        for (const row of rows) {
          if (job.older_than !== null && row.mtime >= job.older_than) continue;
          const existing = this.sql
            .exec<{ status: string }>(
              "SELECT status FROM replication_log WHERE key = ? AND version_id = ? AND target = ?",
              row.key,
              row.version_id,
              job.target,
            )
            .toArray()[0];
          if (job.mode === "existing" && existing) {
            skipped++;
            continue;
          }
          const record = toStored(row).record;
          const rule = config ? decidingRule(config, job.target, row.key, record.tags ?? {}) : null;
          if (!rule || !rule.existingObjectReplication) {
            skipped++;
            continue;
          }
          this.sql.exec(
            `INSERT INTO replication_log
               (key, version_id, target, kind, status, attempts, size, created_at, updated_at, due, error, job)
             VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?, NULL, ?)
             ON CONFLICT (key, version_id, target) DO UPDATE SET kind = excluded.kind,
               status = 'PENDING', attempts = 0, size = excluded.size, updated_at = excluded.updated_at,
               due = excluded.due, error = NULL, job = excluded.job`,
            row.key,
            row.version_id,
            job.target,
            job.mode,
            row.size,
            now,
            now,
            now + JOB_GRACE_MS,
            job.job_id,
          );
          queued.push({ key: row.key, versionId: row.version_id });
        }
        // A short step still makes a full consumer batch: smaller groups rather than fewer messages.
        const group = Math.min(
          GROUP_VERSIONS,
          Math.max(1, Math.ceil(queued.length / MESSAGES_PER_BATCH)),
        );
        for (let i = 0; i < queued.length; i += group) {
          const [first, ...also] = queued.slice(i, i + group);
          if (first) messages.push({ bucket, ...first, target: job.target, also });
        }
        const last = rows[rows.length - 1];
        walked = rows.length < STEP_VERSIONS;
        this.sql.exec(
          `UPDATE resync_jobs SET status = 'Ongoing', cursor_key = ?, cursor_seq = ?,
             skipped_count = skipped_count + ?, updated_at = ? WHERE target = ?`,
          walked ? "\uffff" : (last?.key ?? job.cursor_key),
          walked ? null : (last?.seq ?? job.cursor_seq),
          skipped,
          now,
          job.target,
        );
      }
      if (walked) {
        const open = this.sql
          .exec<{ pending: number; failed: number }>(
            `SELECT COALESCE(SUM(status = 'PENDING'), 0) AS pending, COALESCE(SUM(status = 'FAILED'), 0) AS failed
             FROM replication_log WHERE job = ?`,
            job.job_id,
          )
          .one();
        if (open.pending === 0) {
          this.sql.exec(
            "UPDATE resync_jobs SET status = ?, finished_at = ?, updated_at = ? WHERE target = ?",
            open.failed > 0 ? "Failed" : "Completed",
            now,
            now,
            job.target,
          );
        }
      }
    }
    return messages;
  }
}
