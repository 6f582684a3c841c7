/** Schema of resync jobs (resync.ts), kept apart so schema.ts imports no logic. */
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
