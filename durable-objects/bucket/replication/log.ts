/**
 * The coordinator's replication log: per version and remote target, what is
 * to be replicated and how far it got. This table, not the Queue, is the
 * truth: a Queue message only wakes the consumer, and the cron scanner
 * requeues whatever is still PENDING or FAILED once its `due` time passes.
 *
 * Rows: (key, version id, target) → kind (object | metadata |
 * delete-marker | delete | existing), status (PENDING | COMPLETED |
 * FAILED), attempts, due, generation. COMPLETED rows stay (they answer
 * x-amz-replication-status); when a version goes away its rows go too,
 * except version deletes ("delete"), which stay PENDING until the remote
 * confirms: the purge status.
 *
 * State generation: every change of what a row must bring to the target
 * (a new version, or a tag, retention or legal-hold change)
 * increments the row's generation and marks it PENDING. A transfer reports
 * the generation it read before sending; its success completes the row
 * only if no change came in meanwhile. A success for an older generation
 * leaves the row PENDING as a metadata change (the target holds the
 * version now, with stale tags or lock state) due at once, and a failure
 * for an older generation changes nothing: the newer change has its own
 * wake-up. So a change is never lost to a transfer that was in flight.
 *
 * Retry backoff after the n-th failed attempt: 1 s · 2^(n-1), at most 5 min.
 * A PENDING row is due for a requeue 30 s after it was last touched, in
 * case its message was lost. When a target comes back online its
 * unfinished rows are requeued at once with the backoff reset
 * (`retryTarget`).
 *
 * Counters count versions, not attempts: a failure is counted when a row
 * turns FAILED (not again while it stays FAILED through more retries), a
 * success once when it turns COMPLETED, and a success of a change made by
 * a write is a lag sample (lag.ts) from the change's time.
 */
import type { ReplicationKind } from "../../../shared/replication/config.ts";
import { compositeStatus, type TargetStatus } from "../../../shared/replication/status.ts";
import type { ColumnAt } from "../../stored-json.ts";
import { HISTOGRAM_COUNTS, REPLICATION_UPLOAD } from "../stored-formats.ts";
import type {
  ReplicationOp,
  ReplicationStats,
  TargetStats,
  UploadProgress,
} from "../../../shared/types/replication-rpc.ts";
import { ReplicationLag } from "./lag.ts";

/** Upper bounds (seconds) of the replication latency histogram's buckets; the last is +Inf. */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const PENDING_GRACE_MS = 30_000;
const RECEIVED = "*received*";

export function retryDelay(attempts: number): number {
  return Math.min(5 * 60_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}

export interface LogRow extends Record<string, SqlStorageValue> {
  key: string;
  version_id: string;
  target: string;
  kind: string;
  status: string;
  attempts: number;
  size: number;
  created_at: number;
  updated_at: number;
  due: number;
  error: string | null;
  job: string | null;
  upload: string | null;
  generation: number;
}

function statsAt(target: string): ColumnAt {
  return { table: "replication_stats", key: target, column: "latency_buckets" };
}

function toOp(row: LogRow): ReplicationOp {
  return {
    key: row.key,
    versionId: row.version_id,
    target: row.target,
    kind: row.kind as ReplicationKind,
    status: row.status as TargetStatus,
    attempts: row.attempts,
    size: row.size,
    job: row.job,
    upload: REPLICATION_UPLOAD.readNullable(row.upload, {
      table: "replication_log",
      key: `${row.key} ${row.version_id} ${row.target}`,
      column: "upload",
    }),
    generation: row.generation,
  };
}

/** Kinds whose success is a write's change reaching the target (jobs are not writes). */
const WRITE_KINDS = new Set(["object", "metadata", "delete-marker", "delete"]);

export class ReplicationLog {
  private readonly lag: ReplicationLag;

  constructor(private readonly sql: SqlStorage) {
    this.lag = new ReplicationLag(sql);
  }

  /** Marks a version PENDING for each target (replacing an earlier state). */
  enqueue(
    key: string,
    versionId: string,
    targets: readonly string[],
    kind: ReplicationKind,
    size: number,
    now: number,
    dueIn = PENDING_GRACE_MS,
  ): void {
    for (const target of targets) {
      // A metadata change of a version not yet sent keeps the full send (it carries the metadata).
      this.sql.exec(
        `INSERT INTO replication_log
           (key, version_id, target, kind, status, attempts, size, created_at, updated_at, due, error)
         VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?, NULL)
         ON CONFLICT (key, version_id, target) DO UPDATE SET
           kind = CASE WHEN excluded.kind = 'metadata' AND status != 'COMPLETED'
             AND kind IN ('object', 'existing') THEN kind ELSE excluded.kind END,
           status = 'PENDING', attempts = 0, size = excluded.size, created_at = excluded.created_at,
           updated_at = excluded.updated_at, due = excluded.due, error = NULL,
           generation = generation + 1`,
        key,
        versionId,
        target,
        kind,
        size,
        now,
        now,
        now + dueIn,
      );
    }
  }

  op(key: string, versionId: string, target: string): ReplicationOp | null {
    const row = this.sql
      .exec<LogRow>(
        "SELECT * FROM replication_log WHERE key = ? AND version_id = ? AND target = ?",
        key,
        versionId,
        target,
      )
      .toArray()[0];
    return row ? toOp(row) : null;
  }

  /** The version's composite status over its targets (version deletes aside). */
  statusOf(key: string, versionId: string): TargetStatus | null {
    const statuses = this.sql
      .exec<{ status: string }>(
        "SELECT status FROM replication_log WHERE key = ? AND version_id = ? AND kind != 'delete'",
        key,
        versionId,
      )
      .toArray()
      .map((r) => r.status as TargetStatus);
    return compositeStatus(statuses);
  }

  /**
   * Newer unfinished rows of the key for the target whose older versions
   * have all arrived now (delete markers waiting for them).
   */
  readyAfter(
    key: string,
    target: string,
    olderOf: (versionId: string) => string[],
  ): ReplicationOp[] {
    const waiting = this.sql
      .exec<LogRow>(
        `SELECT r.* FROM replication_log r JOIN versions v ON v.key = r.key AND v.version_id = r.version_id
         WHERE r.key = ? AND r.target = ? AND r.status = 'PENDING' AND v.delete_marker = 1`,
        key,
        target,
      )
      .toArray();
    return waiting
      .filter((row) => !this.olderPending(key, target, olderOf(row.version_id)))
      .map(toOp);
  }

  /** True when an older version of the key has not reached the target yet. */
  olderPending(key: string, target: string, olderVersionIds: readonly string[]): boolean {
    for (const versionId of olderVersionIds) {
      const op = this.op(key, versionId, target);
      if (op && op.status !== "COMPLETED" && op.kind !== "delete") return true;
    }
    return false;
  }

  succeeded(op: ReplicationOp, bytes: number, latencyMs: number, now: number): void {
    const changedAt = this.sql
      .exec<{ created_at: number }>(
        "SELECT created_at FROM replication_log WHERE key = ? AND version_id = ? AND target = ?",
        op.key,
        op.versionId,
        op.target,
      )
      .toArray()[0]?.created_at;
    if (changedAt !== undefined && WRITE_KINDS.has(op.kind))
      this.lag.record(op.target, now - changedAt, now);
    if (op.kind === "delete") {
      this.sql.exec(
        "DELETE FROM replication_log WHERE key = ? AND version_id = ? AND target = ?",
        op.key,
        op.versionId,
        op.target,
      );
    } else {
      this.sql.exec(
        `UPDATE replication_log SET status = 'COMPLETED', updated_at = ?, error = NULL, upload = NULL
         WHERE key = ? AND version_id = ? AND target = ?`,
        now,
        op.key,
        op.versionId,
        op.target,
      );
    }
    this.bump(op.target, { replicatedCount: 1, replicatedBytes: bytes }, latencyMs);
  }

  /**
   * A transfer of an older generation succeeded: the target holds the
   * version, but not its latest tags or lock state. The row stays PENDING
   * as a metadata change, due now; the bytes sent still count.
   */
  superseded(op: ReplicationOp, bytes: number, now: number): void {
    this.sql.exec(
      `UPDATE replication_log SET upload = NULL, updated_at = ?, due = ?,
         kind = CASE WHEN kind IN ('object', 'existing', 'resync') THEN 'metadata' ELSE kind END
       WHERE key = ? AND version_id = ? AND target = ?`,
      now,
      now,
      op.key,
      op.versionId,
      op.target,
    );
    this.bump(op.target, { replicatedBytes: bytes }, null);
  }

  /**
   * Records a failed attempt: FAILED once `final` (the queue gave up), else
   * as it was (PENDING, or FAILED while a requeued version is retried);
   * either way due again after the backoff.
   */
  failed(op: ReplicationOp, error: string, final: boolean, now: number): void {
    const attempts = op.attempts + 1;
    this.sql.exec(
      `UPDATE replication_log SET status = ?, attempts = ?, updated_at = ?, due = ?, error = ?
       WHERE key = ? AND version_id = ? AND target = ?`,
      final || op.status === "FAILED" ? "FAILED" : "PENDING",
      attempts,
      now,
      now + retryDelay(attempts),
      error.slice(0, 500),
      op.key,
      op.versionId,
      op.target,
    );
    // A version already FAILED that fails another retry round is not a new failure.
    if (final && op.status !== "FAILED") {
      this.bump(op.target, { failedCount: 1, failedBytes: op.size }, null);
      this.sql.exec(
        "INSERT INTO replication_failures (at, target, bytes) VALUES (?, ?, ?)",
        now,
        op.target,
        op.size,
      );
      this.sql.exec("DELETE FROM replication_failures WHERE at < ?", now - 3_600_000);
    }
  }

  /** Drops a version's rows when it is gone (keeping pending version deletes). */
  forget(key: string, versionId: string): void {
    this.sql.exec(
      "DELETE FROM replication_log WHERE key = ? AND version_id = ? AND kind != 'delete'",
      key,
      versionId,
    );
  }

  /** Rows due for a (re)send: PENDING or FAILED with `due` passed. Each is pushed back by its backoff. */
  takeDue(now: number, limit: number): ReplicationOp[] {
    const rows = this.sql
      .exec<LogRow>(
        `SELECT * FROM replication_log WHERE status IN ('PENDING', 'FAILED') AND due <= ?
         ORDER BY due LIMIT ?`,
        now,
        limit,
      )
      .toArray();
    for (const row of rows) {
      this.sql.exec(
        "UPDATE replication_log SET due = ? WHERE key = ? AND version_id = ? AND target = ?",
        now + Math.max(PENDING_GRACE_MS, retryDelay(row.attempts)),
        row.key,
        row.version_id,
        row.target,
      );
    }
    return rows.map(toOp);
  }

  /**
   * A target came back online: its PENDING and FAILED rows are due now with
   * the backoff reset. Returns up to `limit` of them to wake at once (each
   * then due again only after the pending grace); the rest wait for the
   * scanner's next run.
   */
  retryTarget(target: string, now: number, limit: number): ReplicationOp[] {
    this.sql.exec(
      `UPDATE replication_log SET attempts = 0, due = ? WHERE target = ? AND status IN ('PENDING', 'FAILED')`,
      now,
      target,
    );
    const rows = this.sql
      .exec<LogRow>(
        `SELECT * FROM replication_log WHERE target = ? AND status IN ('PENDING', 'FAILED')
         ORDER BY key, version_id LIMIT ?`,
        target,
        limit,
      )
      .toArray();
    for (const row of rows)
      this.sql.exec(
        "UPDATE replication_log SET due = ? WHERE key = ? AND version_id = ? AND target = ?",
        now + PENDING_GRACE_MS,
        row.key,
        row.version_id,
        row.target,
      );
    return rows.map(toOp);
  }

  /** Saves (or with null clears) the multipart transfer of a row. */
  saveUpload(key: string, versionId: string, target: string, upload: UploadProgress | null): void {
    this.sql.exec(
      "UPDATE replication_log SET upload = ? WHERE key = ? AND version_id = ? AND target = ?",
      upload ? JSON.stringify(upload) : null,
      key,
      versionId,
      target,
    );
  }

  /**
   * A read of a PENDING or FAILED version requeues it: its unfinished rows
   * not touched in the last 10 s (so a hot object does not flood the queue).
   */
  touchVersion(key: string, versionId: string, now: number): ReplicationOp[] {
    const rows = this.sql
      .exec<LogRow>(
        `SELECT * FROM replication_log WHERE key = ? AND version_id = ? AND status != 'COMPLETED'
           AND updated_at <= ?`,
        key,
        versionId,
        now - 10_000,
      )
      .toArray();
    for (const row of rows) {
      this.sql.exec(
        "UPDATE replication_log SET updated_at = ? WHERE key = ? AND version_id = ? AND target = ?",
        now,
        row.key,
        row.version_id,
        row.target,
      );
    }
    return rows.map(toOp);
  }

  /** Every row not yet COMPLETED, in (key, version id) order after `after`, for diff. */
  unreplicated(
    target: string | null,
    after: { key: string; versionId: string },
    limit: number,
  ): ReplicationOp[] {
    return this.sql
      .exec<LogRow>(
        `SELECT * FROM replication_log WHERE status != 'COMPLETED' AND (? IS NULL OR target = ?)
           AND (key > ? OR (key = ? AND version_id > ?))
         ORDER BY key, version_id, target LIMIT ?`,
        target,
        target,
        after.key,
        after.key,
        after.versionId,
        limit,
      )
      .toArray()
      .map(toOp);
  }

  /** Counts a replica this bucket received. */
  received(bytes: number): void {
    this.bump(RECEIVED, { replicatedCount: 1, replicatedBytes: bytes }, null);
  }

  private bump(
    target: string,
    add: Partial<
      Record<"replicatedCount" | "replicatedBytes" | "failedCount" | "failedBytes", number>
    >,
    latencyMs: number | null,
  ): void {
    this.sql.exec("INSERT OR IGNORE INTO replication_stats (target) VALUES (?)", target);
    this.sql.exec(
      `UPDATE replication_stats SET replicated_count = replicated_count + ?,
         replicated_bytes = replicated_bytes + ?, failed_count = failed_count + ?,
         failed_bytes = failed_bytes + ? WHERE target = ?`,
      add.replicatedCount ?? 0,
      add.replicatedBytes ?? 0,
      add.failedCount ?? 0,
      add.failedBytes ?? 0,
      target,
    );
    if (latencyMs !== null) {
      const row = this.sql
        .exec<{ latency_buckets: string }>(
          "SELECT latency_buckets FROM replication_stats WHERE target = ?",
          target,
        )
        .one();
      const counts = HISTOGRAM_COUNTS.read(row.latency_buckets, statsAt(target));
      while (counts.length < LATENCY_BUCKETS.length + 1) counts.push(0);
      const index = LATENCY_BUCKETS.findIndex((bound) => latencyMs / 1000 <= bound);
      counts[index < 0 ? LATENCY_BUCKETS.length : index]++;
      this.sql.exec(
        "UPDATE replication_stats SET latency_buckets = ?, latency_sum_ms = latency_sum_ms + ? WHERE target = ?",
        JSON.stringify(counts),
        latencyMs,
        target,
      );
    }
  }

  /** Statistics per target; `sloSeconds` maps a target to its lag objective. */
  stats(
    targets: readonly string[],
    now: number,
    sloSeconds: Readonly<Record<string, number>> = {},
  ): ReplicationStats {
    const all = new Set([
      ...targets,
      ...this.sql
        .exec<{ target: string }>(
          "SELECT target FROM replication_stats WHERE target != ?",
          RECEIVED,
        )
        .toArray()
        .map((r) => r.target),
    ]);
    const result: TargetStats[] = [];
    for (const target of all) {
      const totals = this.sql
        .exec<{
          replicated_count: number;
          replicated_bytes: number;
          failed_count: number;
          failed_bytes: number;
          latency_buckets: string;
          latency_sum_ms: number;
        }>("SELECT * FROM replication_stats WHERE target = ?", target)
        .toArray()[0];
      const pending = this.sql
        .exec<{ n: number; bytes: number; oldest: number | null; failed: number }>(
          `SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes, MIN(created_at) AS oldest,
             COALESCE(SUM(status = 'FAILED'), 0) AS failed
           FROM replication_log WHERE target = ? AND status != 'COMPLETED'`,
          target,
        )
        .one();
      const purge = this.sql
        .exec<{ pending: number; failed: number }>(
          `SELECT COALESCE(SUM(status = 'PENDING'), 0) AS pending,
             COALESCE(SUM(status = 'FAILED'), 0) AS failed
           FROM replication_log WHERE target = ? AND kind = 'delete'`,
          target,
        )
        .one();
      const window = (since: number) =>
        this.sql
          .exec<{ n: number; bytes: number }>(
            "SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM replication_failures WHERE target = ? AND at >= ?",
            target,
            since,
          )
          .one();
      const minute = window(now - 60_000);
      const hour = window(now - 3_600_000);
      const counts = totals ? HISTOGRAM_COUNTS.read(totals.latency_buckets, statsAt(target)) : [];
      while (counts.length < LATENCY_BUCKETS.length + 1) counts.push(0);
      const lag = this.lag.stats(target, now);
      const slo = sloSeconds[target] ?? null;
      const overSloCount =
        slo === null
          ? 0
          : this.sql
              .exec<{ n: number }>(
                `SELECT COUNT(*) AS n FROM replication_log
                 WHERE target = ? AND status != 'COMPLETED' AND created_at < ?`,
                target,
                now - slo * 1000,
              )
              .one().n;
      const p99 = lag.lastMinute.p99Ms;
      result.push({
        target,
        replicatedCount: totals?.replicated_count ?? 0,
        replicatedBytes: totals?.replicated_bytes ?? 0,
        pendingCount: pending.n,
        pendingBytes: pending.bytes,
        failedCount: totals?.failed_count ?? 0,
        failedBytes: totals?.failed_bytes ?? 0,
        failedLastMinute: { count: minute.n, bytes: minute.bytes },
        failedLastHour: { count: hour.n, bytes: hour.bytes },
        failedNow: pending.failed,
        lagMs: pending.oldest === null ? 0 : now - pending.oldest,
        purge: { pending: purge.pending, failed: purge.failed },
        latency: {
          buckets: LATENCY_BUCKETS,
          counts,
          sumMs: totals?.latency_sum_ms ?? 0,
          count: counts.reduce((a, b) => a + b, 0),
        },
        lag,
        lagSloSeconds: slo,
        overSloCount,
        sloBreached: slo !== null && (overSloCount > 0 || (p99 !== null && p99 > slo * 1000)),
      });
    }
    const received = this.sql
      .exec<{ replicated_count: number; replicated_bytes: number }>(
        "SELECT replicated_count, replicated_bytes FROM replication_stats WHERE target = ?",
        RECEIVED,
      )
      .toArray()[0];
    return {
      targets: result,
      received: { count: received?.replicated_count ?? 0, bytes: received?.replicated_bytes ?? 0 },
    };
  }
}
