/**
 * The coordinator's durable background work: garbage collection of what
 * commits replaced or deletes removed (record copies and blocks on drives),
 * and heals of versions found damaged on read. Both are rows in SQLite
 * worked off by the alarm in small batches; a failed step is retried with
 * exponential backoff (1 s · 2^attempts, at most an hour), 20 attempts at
 * most.
 */
import {
  dataDirsOf,
  type ErasureInfo,
  type VersionRecord,
} from "../../shared/types/version-record.ts";
import type {
  CoordinatorBackground,
  GarbageItem,
} from "../../shared/types/coordinator-background.ts";
import type { GcRow } from "./schema.ts";
import { DATA_DIRS, ERASURE } from "./stored-formats.ts";
import type { VersionLookup } from "../../shared/types/bucket-rpc.ts";

function garbageItemOf(row: GcRow): GarbageItem {
  const at = (column: string) => ({ table: "gc_queue", key: String(row.id), column });
  return {
    key: row.key,
    versionId: row.version_id,
    dataDir: row.data_dir,
    partDirs: DATA_DIRS.read(row.part_dirs, at("part_dirs")),
    erasure: ERASURE.read(row.erasure, at("erasure")),
  };
}

const GC_BATCH = 50;
const HEAL_BATCH = 5;
const MAX_BACKGROUND_ATTEMPTS = 20;

function backoff(attempts: number): number {
  return Math.min(60 * 60 * 1000, 1000 * 2 ** attempts);
}

export class BackgroundQueues {
  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
    private readonly work: CoordinatorBackground,
  ) {}

  /** Queues removal of a version's record copies and blocks. */
  queueGarbage(record: VersionRecord): void {
    this.sql.exec(
      `INSERT INTO gc_queue (key, version_id, data_dir, part_dirs, erasure, due) VALUES (?, ?, ?, ?, ?, ?)`,
      record.key,
      record.versionId,
      record.dataDir,
      JSON.stringify(dataDirsOf(record).filter((dir) => dir !== record.dataDir)),
      JSON.stringify(record.erasure),
      Date.now(),
    );
    void this.ensureAlarm(Date.now() + 50);
  }

  /** Queues removal of bare data dirs (replaced or unused parts), no record copy involved. */
  queueDirs(dirs: string[], erasure: ErasureInfo): void {
    this.sql.exec(
      `INSERT INTO gc_queue (key, version_id, data_dir, part_dirs, erasure, due) VALUES ('', '', ?, ?, ?, ?)`,
      dirs[0],
      JSON.stringify(dirs.slice(1)),
      JSON.stringify(erasure),
      Date.now(),
    );
    void this.ensureAlarm(Date.now() + 50);
  }

  async ensureAlarm(at: number): Promise<void> {
    const current = await this.storage.getAlarm();
    if (current === null || current > at) await this.storage.setAlarm(at);
  }

  /** When the next queued step is due; null when nothing is queued. */
  nextDue(): number | null {
    return this.sql
      .exec<{ due: number | null }>(
        "SELECT min(due) AS due FROM (SELECT due FROM gc_queue UNION ALL SELECT due FROM heal_queue)",
      )
      .one().due;
  }

  async runGarbageCollection(bucket: string): Promise<void> {
    if (!bucket) return;
    const rows = this.sql
      .exec<GcRow>(
        "SELECT * FROM gc_queue WHERE due <= ? ORDER BY id LIMIT ?",
        Date.now(),
        GC_BATCH,
      )
      .toArray();
    for (const row of rows) {
      const done = await this.work.collectGarbage(bucket, garbageItemOf(row));
      if (done || row.attempts + 1 >= MAX_BACKGROUND_ATTEMPTS) {
        this.sql.exec("DELETE FROM gc_queue WHERE id = ?", row.id);
      } else {
        this.sql.exec(
          "UPDATE gc_queue SET attempts = attempts + 1, due = ? WHERE id = ?",
          Date.now() + backoff(row.attempts),
          row.id,
        );
      }
    }
  }

  async runHeals(
    getVersion: (key: string, versionId: string) => Promise<VersionLookup>,
  ): Promise<void> {
    const rows = this.sql
      .exec<{ key: string; version_id: string; attempts: number }>(
        "SELECT key, version_id, attempts FROM heal_queue WHERE due <= ? LIMIT ?",
        Date.now(),
        HEAL_BATCH,
      )
      .toArray();
    for (const row of rows) {
      const lookup = await getVersion(row.key, row.version_id);
      const done = !lookup.ok || (await this.work.healVersion(lookup.version));
      if (done || row.attempts + 1 >= MAX_BACKGROUND_ATTEMPTS) {
        this.sql.exec(
          "DELETE FROM heal_queue WHERE key = ? AND version_id = ?",
          row.key,
          row.version_id,
        );
      } else {
        this.sql.exec(
          "UPDATE heal_queue SET attempts = attempts + 1, due = ? WHERE key = ? AND version_id = ?",
          Date.now() + backoff(row.attempts),
          row.key,
          row.version_id,
        );
      }
    }
  }
}
