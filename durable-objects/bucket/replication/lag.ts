/**
 * Per-target write-to-replica lag in the coordinator's SQLite
 * (shared/replication/lag.ts has the bucket rules): one row of cumulative
 * histogram counts per target, and per (target, minute, fine bucket) a
 * sample count, pruned after an hour. A sample is taken when a target
 * acknowledges a change made by a write (object, metadata, delete marker,
 * version delete); resync and existing-object jobs are not writes and are
 * not sampled.
 */
import {
  FINE_BUCKETS,
  LAG_BUCKETS,
  fineBucket,
  lagBucket,
  percentiles,
} from "../../../shared/replication/lag.ts";
import type { LagStats } from "../../../shared/types/replication-rpc.ts";
import type { ColumnAt } from "../../stored-json.ts";
import { HISTOGRAM_COUNTS } from "../stored-formats.ts";

const HOUR_MINUTES = 60;

function countsAt(target: string): ColumnAt {
  return { table: "replication_lag", key: target, column: "counts" };
}

export class ReplicationLag {
  constructor(private readonly sql: SqlStorage) {}

  record(target: string, lagMs: number, now: number): void {
    const lag = Math.max(0, lagMs);
    const row = this.sql
      .exec<{ counts: string }>("SELECT counts FROM replication_lag WHERE target = ?", target)
      .toArray()[0];
    const counts = row ? HISTOGRAM_COUNTS.read(row.counts, countsAt(target)) : [];
    while (counts.length < LAG_BUCKETS.length + 1) counts.push(0);
    counts[lagBucket(lag)]++;
    this.sql.exec(
      `INSERT INTO replication_lag (target, counts, sum_ms) VALUES (?, ?, ?)
       ON CONFLICT (target) DO UPDATE SET counts = excluded.counts, sum_ms = sum_ms + excluded.sum_ms`,
      target,
      JSON.stringify(counts),
      lag,
    );
    const minute = Math.floor(now / 60_000);
    this.sql.exec(
      `INSERT INTO replication_lag_window (target, minute, bucket, n) VALUES (?, ?, ?, 1)
       ON CONFLICT (target, minute, bucket) DO UPDATE SET n = n + 1`,
      target,
      minute,
      Math.min(FINE_BUCKETS, fineBucket(lag)),
    );
    if (!row || counts.reduce((a, b) => a + b, 0) % 100 === 1)
      this.sql.exec("DELETE FROM replication_lag_window WHERE minute <= ?", minute - HOUR_MINUTES);
  }

  stats(target: string, now: number): LagStats {
    const row = this.sql
      .exec<{
        counts: string;
        sum_ms: number;
      }>("SELECT counts, sum_ms FROM replication_lag WHERE target = ?", target)
      .toArray()[0];
    const counts = row ? HISTOGRAM_COUNTS.read(row.counts, countsAt(target)) : [];
    while (counts.length < LAG_BUCKETS.length + 1) counts.push(0);
    const minute = Math.floor(now / 60_000);
    // The current minute and the one before it: "the last minute" is never an empty half-minute.
    const window = (since: number) => {
      const rows = this.sql
        .exec<{ bucket: number; n: number }>(
          `SELECT bucket, SUM(n) AS n FROM replication_lag_window WHERE target = ? AND minute >= ?
           GROUP BY bucket`,
          target,
          since,
        )
        .toArray();
      return percentiles(new Map(rows.map((r) => [r.bucket, r.n])));
    };
    return {
      histogram: {
        buckets: LAG_BUCKETS,
        counts,
        sumMs: row?.sum_ms ?? 0,
        count: counts.reduce((a, b) => a + b, 0),
      },
      lastMinute: window(minute - 1),
      lastHour: window(minute - HOUR_MINUTES + 1),
    };
  }
}
