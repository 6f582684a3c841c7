/**
 * Remote targets in the Deployment Durable Object's SQLite: one row per
 * target, its secret key sealed with the master key (purpose "targets"),
 * its health as the last probes and replication attempts left it. Rules:
 * - one target per (source bucket, endpoint, target bucket): adding the same
 *   again returns the same ARN (with the new credentials and options), also
 *   on a site rebuilt from scratch (shared/replication/arn.ts);
 * - health: a failed probe or transfer marks the target offline from then
 *   (downtime accrues until it answers again, and no latency is reported);
 *   a success marks it online, and the switch from offline to online is
 *   reported so the target's pending work is requeued at once;
 * - probes: a target online is probed every `health_check_seconds`; one
 *   offline every OFFLINE_PROBE_SECONDS (or its interval when shorter), so
 *   its return is seen within seconds.
 */
import { secretBox } from "../../shared/crypto/secret-box.ts";
import { makeTargetArn } from "../../shared/replication/arn.ts";
import type {
  NewTarget,
  RemoteTarget,
  TargetCredentials,
  TargetHealth,
  TargetUpdate,
} from "../../shared/types/remote-target.ts";

export const TARGETS_MIGRATION = `CREATE TABLE targets (
     arn TEXT PRIMARY KEY,
     source_bucket TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     target_bucket TEXT NOT NULL,
     region TEXT NOT NULL,
     access_key TEXT NOT NULL,
     secret TEXT NOT NULL,
     sync INTEGER NOT NULL,
     bandwidth INTEGER,
     health_check_seconds INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     online INTEGER NOT NULL DEFAULT 1,
     last_online INTEGER,
     offline_since INTEGER,
     downtime_ms INTEGER NOT NULL DEFAULT 0,
     latency_ms REAL,
     last_check INTEGER
   );
   CREATE INDEX targets_by_bucket ON targets (source_bucket);`;

export const TARGETS_LAG_SLO_MIGRATION = `ALTER TABLE targets ADD COLUMN lag_slo_seconds INTEGER;`;

const OFFLINE_PROBE_SECONDS = 5;

interface TargetRow extends Record<string, SqlStorageValue> {
  arn: string;
  source_bucket: string;
  endpoint: string;
  target_bucket: string;
  region: string;
  access_key: string;
  secret: string;
  sync: number;
  bandwidth: number | null;
  health_check_seconds: number;
  created_at: number;
  online: number;
  last_online: number | null;
  offline_since: number | null;
  downtime_ms: number;
  latency_ms: number | null;
  last_check: number | null;
  lag_slo_seconds: number | null;
}

/** A target due for a probe: where to send it. */
export interface ProbeTarget {
  arn: string;
  endpoint: string;
}

function probeIntervalMs(row: TargetRow): number {
  const seconds =
    row.online === 1
      ? row.health_check_seconds
      : Math.min(row.health_check_seconds, OFFLINE_PROBE_SECONDS);
  return seconds * 1000;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function health(row: TargetRow, now: number): TargetHealth {
  return {
    online: row.online === 1,
    lastOnline: iso(row.last_online),
    offlineSince: iso(row.offline_since),
    downtimeMs: row.downtime_ms + (row.offline_since === null ? 0 : now - row.offline_since),
    latencyMs: row.online === 1 ? row.latency_ms : null,
    lastCheck: iso(row.last_check),
  };
}

function describe(row: TargetRow): RemoteTarget {
  return {
    arn: row.arn,
    sourceBucket: row.source_bucket,
    endpoint: row.endpoint,
    targetBucket: row.target_bucket,
    region: row.region,
    accessKey: row.access_key,
    sync: row.sync === 1,
    bandwidth: row.bandwidth,
    healthCheckSeconds: row.health_check_seconds,
    lagSloSeconds: row.lag_slo_seconds,
    createdAt: new Date(row.created_at).toISOString(),
    health: health(row, Date.now()),
  };
}

export class TargetStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly masterKey: string | undefined,
  ) {}

  private box() {
    if (!this.masterKey)
      throw new Error("FLOE_MASTER_KEY is not set; target secrets cannot be stored.");
    return secretBox(this.masterKey, "targets");
  }

  private row(arn: string): TargetRow | null {
    return (
      this.sql.exec<TargetRow>("SELECT * FROM targets WHERE arn = ?", arn).toArray()[0] ?? null
    );
  }

  async add(target: NewTarget): Promise<RemoteTarget> {
    const existing = this.sql
      .exec<TargetRow>(
        "SELECT * FROM targets WHERE source_bucket = ? AND endpoint = ? AND target_bucket = ?",
        target.sourceBucket,
        target.endpoint,
        target.targetBucket,
      )
      .toArray()[0];
    const arn =
      existing?.arn ??
      (await makeTargetArn(target.sourceBucket, target.endpoint, target.targetBucket));
    const sealed = await this.box().seal(target.secretKey, arn);
    this.sql.exec(
      `INSERT INTO targets (arn, source_bucket, endpoint, target_bucket, region, access_key, secret, sync,
         bandwidth, health_check_seconds, created_at, online, last_online, lag_slo_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET region = excluded.region, access_key = excluded.access_key,
         secret = excluded.secret, sync = excluded.sync, bandwidth = excluded.bandwidth,
         health_check_seconds = excluded.health_check_seconds,
         lag_slo_seconds = excluded.lag_slo_seconds`,
      arn,
      target.sourceBucket,
      target.endpoint,
      target.targetBucket,
      target.region,
      target.accessKey,
      sealed,
      target.sync ? 1 : 0,
      target.bandwidth,
      target.healthCheckSeconds,
      Date.now(),
      Date.now(),
      target.lagSloSeconds ?? null,
    );
    return describe(this.row(arn) as TargetRow);
  }

  list(sourceBucket: string | null): RemoteTarget[] {
    const rows =
      sourceBucket === null
        ? this.sql.exec<TargetRow>("SELECT * FROM targets ORDER BY source_bucket, arn")
        : this.sql.exec<TargetRow>(
            "SELECT * FROM targets WHERE source_bucket = ? ORDER BY arn",
            sourceBucket,
          );
    return rows.toArray().map(describe);
  }

  get(arn: string): RemoteTarget | null {
    const row = this.row(arn);
    return row ? describe(row) : null;
  }

  async credentials(arn: string): Promise<TargetCredentials | null> {
    const row = this.row(arn);
    if (!row) return null;
    return {
      arn: row.arn,
      endpoint: row.endpoint,
      targetBucket: row.target_bucket,
      region: row.region,
      accessKey: row.access_key,
      secretKey: await this.box().open(row.secret, row.arn),
      sync: row.sync === 1,
      bandwidth: row.bandwidth,
    };
  }

  async update(arn: string, update: TargetUpdate): Promise<RemoteTarget | null> {
    const row = this.row(arn);
    if (!row) return null;
    const secret =
      update.secretKey === undefined ? row.secret : await this.box().seal(update.secretKey, arn);
    this.sql.exec(
      `UPDATE targets SET access_key = ?, secret = ?, sync = ?, bandwidth = ?, health_check_seconds = ?,
         lag_slo_seconds = ? WHERE arn = ?`,
      update.accessKey ?? row.access_key,
      secret,
      update.sync === undefined ? row.sync : update.sync ? 1 : 0,
      update.bandwidth === undefined ? row.bandwidth : update.bandwidth,
      update.healthCheckSeconds ?? row.health_check_seconds,
      update.lagSloSeconds === undefined ? row.lag_slo_seconds : update.lagSloSeconds,
      arn,
    );
    return describe(this.row(arn) as TargetRow);
  }

  remove(arn: string): boolean {
    const found = this.row(arn) !== null;
    this.sql.exec("DELETE FROM targets WHERE arn = ?", arn);
    return found;
  }

  /**
   * Records a probe or transfer outcome. Returns the target when it just
   * came back online (it was offline), else null.
   */
  recordHealth(
    arn: string,
    online: boolean,
    latencyMs: number | null,
    now: number,
  ): RemoteTarget | null {
    const row = this.row(arn);
    if (!row) return null;
    if (online) {
      const downtime = row.downtime_ms + (row.offline_since === null ? 0 : now - row.offline_since);
      this.sql.exec(
        `UPDATE targets SET online = 1, last_online = ?, offline_since = NULL, downtime_ms = ?,
           latency_ms = COALESCE(?, latency_ms), last_check = ? WHERE arn = ?`,
        now,
        downtime,
        latencyMs,
        now,
        arn,
      );
      return row.online === 0 ? describe(this.row(arn) as TargetRow) : null;
    }
    this.sql.exec(
      `UPDATE targets SET online = 0, offline_since = COALESCE(offline_since, ?), last_check = ?,
         latency_ms = NULL WHERE arn = ?`,
      now,
      now,
      arn,
    );
    return null;
  }

  /** Targets whose probe interval has passed since their last check. */
  dueProbes(now: number): ProbeTarget[] {
    return this.sql
      .exec<TargetRow>("SELECT * FROM targets")
      .toArray()
      .filter((row) => (row.last_check ?? 0) + probeIntervalMs(row) <= now)
      .map((row) => ({ arn: row.arn, endpoint: row.endpoint }));
  }

  /** When the next probe falls due; null without targets. */
  nextProbeAt(): number | null {
    const times = this.sql
      .exec<TargetRow>("SELECT * FROM targets")
      .toArray()
      .map((row) => (row.last_check ?? 0) + probeIntervalMs(row));
    return times.length === 0 ? null : Math.min(...times);
  }
}
