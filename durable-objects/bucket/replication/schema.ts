/**
 * Schema of the coordinator's replication state, kept apart from its logic
 * so the bucket schema imports none: the replication log and statistics
 * (log.ts), resync jobs (resync.ts) and write-to-replica lag (lag.ts).
 */

/** The replication configuration, the log and its statistics (migration 3). */
export const REPLICATION_MIGRATION = `ALTER TABLE bucket ADD COLUMN replication TEXT;
   ALTER TABLE bucket ADD COLUMN replication_targets TEXT;
   CREATE TABLE replication_log (
     key TEXT NOT NULL,
     version_id TEXT NOT NULL,
     target TEXT NOT NULL,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     size INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     due INTEGER NOT NULL,
     error TEXT,
     PRIMARY KEY (key, version_id, target)
   );
   CREATE INDEX replication_log_due ON replication_log (status, due);
   CREATE TABLE replication_stats (
     target TEXT PRIMARY KEY,
     replicated_count INTEGER NOT NULL DEFAULT 0,
     replicated_bytes INTEGER NOT NULL DEFAULT 0,
     failed_count INTEGER NOT NULL DEFAULT 0,
     failed_bytes INTEGER NOT NULL DEFAULT 0,
     latency_buckets TEXT NOT NULL DEFAULT '[]',
     latency_sum_ms REAL NOT NULL DEFAULT 0
   );
   CREATE TABLE replication_failures (
     at INTEGER NOT NULL,
     target TEXT NOT NULL,
     bytes INTEGER NOT NULL
   );
   CREATE INDEX replication_failures_at ON replication_failures (at);`;

/** Resync and existing-object jobs (migration 4). */
export const RESYNC_MIGRATION = `ALTER TABLE replication_log ADD COLUMN job TEXT;
   CREATE INDEX replication_log_job ON replication_log (job, status);
   CREATE TABLE resync_jobs (
     target TEXT PRIMARY KEY,
     job_id TEXT NOT NULL,
     mode TEXT NOT NULL,
     status TEXT NOT NULL,
     prefix TEXT NOT NULL,
     older_than INTEGER,
     max_seq INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     finished_at INTEGER,
     cursor_key TEXT,
     cursor_seq INTEGER,
     total INTEGER NOT NULL,
     replicated_count INTEGER NOT NULL DEFAULT 0,
     replicated_bytes INTEGER NOT NULL DEFAULT 0,
     skipped_count INTEGER NOT NULL DEFAULT 0
   );`;

/** Write-to-replica lag per target (migration 8). */
export const LAG_MIGRATION = `CREATE TABLE replication_lag (
     target TEXT PRIMARY KEY,
     counts TEXT NOT NULL,
     sum_ms REAL NOT NULL DEFAULT 0
   );
   CREATE TABLE replication_lag_window (
     target TEXT NOT NULL,
     minute INTEGER NOT NULL,
     bucket INTEGER NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (target, minute, bucket)
   );`;

/** Attempt leases on replication log rows (lease.ts). */
export const LEASE_MIGRATION = `ALTER TABLE replication_log ADD COLUMN lease_owner TEXT;
   ALTER TABLE replication_log ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE replication_log ADD COLUMN lease_contended INTEGER NOT NULL DEFAULT 0;`;
