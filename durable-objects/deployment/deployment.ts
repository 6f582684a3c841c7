/**
 * The Deployment Durable Object: deployment-wide state of one site, a single
 * instance. It holds the site identity (the deployment id that keys object
 * placement, generated once) and the bucket registry (names are global to a
 * site; each bucket's own state lives in its coordinator), and the remote
 * targets replication sends to (targets.ts). Its alarm probes the targets,
 * each at its own interval (targets.ts); when a target comes back online,
 * a wake-up on the replication queue has its bucket requeue the target's
 * pending and failed work at once.
 */
import { DurableObject } from "cloudflare:workers";
import type { ReplicationMessage } from "../../shared/replication/queue.ts";
import { loadConfig } from "../../shared/config.ts";
import { applyMigrations } from "../migrations.ts";
import { probeSite } from "../../shared/peer/dial.ts";
import type {
  NewTarget,
  RemoteTarget,
  TargetCredentials,
  TargetUpdate,
} from "../../shared/types/remote-target.ts";
import { TARGETS_LAG_SLO_MIGRATION, TARGETS_MIGRATION, TargetStore } from "./targets.ts";
import type { BucketEntry } from "../../shared/types/deployment-rpc.ts";

/** A target that does not answer its health probe within this long is offline. */
const PROBE_TIMEOUT_MS = 3_000;

const DEPLOYMENT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE site (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE buckets (
     name TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     owner TEXT NOT NULL
   );`,
  TARGETS_MIGRATION,
  `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
  TARGETS_LAG_SLO_MIGRATION,
];

export class Deployment extends DurableObject<Env> {
  private sql: SqlStorage;
  private deploymentId = "";
  private targets: TargetStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.targets = new TargetStore(this.sql, env.FLOE_MASTER_KEY);
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, DEPLOYMENT_MIGRATIONS);
      const row = this.sql
        .exec<{ value: string }>("SELECT value FROM site WHERE name = 'deployment_id'")
        .toArray()[0];
      if (row) this.deploymentId = row.value;
      else {
        this.deploymentId = crypto.randomUUID();
        this.sql.exec(
          "INSERT INTO site (name, value) VALUES ('deployment_id', ?)",
          this.deploymentId,
        );
      }
      await this.scheduleProbes();
    });
  }

  /** Probes the targets that are due, then sets the alarm for the next. */
  override async alarm(): Promise<void> {
    await this.probeDueTargets();
  }

  /** Probes every target whose interval has passed (the alarm, and the scanner as a backstop). */
  async probeDueTargets(): Promise<void> {
    const due = this.targets.dueProbes(Date.now());
    await Promise.allSettled(
      due.map(async (target) => {
        const allowlist = loadConfig(this.env).targetAllowlist;
        const latency = await probeSite(target.endpoint, allowlist, PROBE_TIMEOUT_MS);
        await this.recordTargetHealth(target.arn, latency !== null, latency);
      }),
    );
    await this.scheduleProbes();
  }

  private async scheduleProbes(): Promise<void> {
    const next = this.targets.nextProbeAt();
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next)
      await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 100));
  }

  /** The site's deployment id (a UUID fixed at first start). */
  async getDeploymentId(): Promise<string> {
    return this.deploymentId;
  }

  /** Registers a bucket name; false when it is already registered. */
  async registerBucket(name: string, owner: string): Promise<{ created: boolean; owner: string }> {
    const existing = this.sql
      .exec<{ owner: string }>("SELECT owner FROM buckets WHERE name = ?", name)
      .toArray()[0];
    if (existing) return { created: false, owner: existing.owner };
    this.sql.exec(
      "INSERT INTO buckets (name, created_at, owner) VALUES (?, ?, ?)",
      name,
      Date.now(),
      owner,
    );
    return { created: true, owner };
  }

  /** Removes a bucket name from the registry. */
  async unregisterBucket(name: string): Promise<void> {
    this.sql.exec("DELETE FROM buckets WHERE name = ?", name);
  }

  /** Every bucket, in name order. */
  async listBuckets(): Promise<BucketEntry[]> {
    return this.sql
      .exec<{ name: string; created_at: number; owner: string }>(
        "SELECT name, created_at, owner FROM buckets ORDER BY name",
      )
      .toArray()
      .map((row) => ({ name: row.name, createdAt: row.created_at, owner: row.owner }));
  }

  /** Adds a remote target (or updates the one to the same endpoint and bucket). */
  async addTarget(target: NewTarget): Promise<RemoteTarget> {
    const added = await this.targets.add(target);
    await this.scheduleProbes();
    return added;
  }

  /** Targets of one source bucket (every target when null), without secrets. */
  async listTargets(sourceBucket: string | null): Promise<RemoteTarget[]> {
    return this.targets.list(sourceBucket);
  }

  async getTarget(arn: string): Promise<RemoteTarget | null> {
    return this.targets.get(arn);
  }

  /** A target with its secret, for replication to use. */
  async targetCredentials(arn: string): Promise<TargetCredentials | null> {
    return this.targets.credentials(arn);
  }

  async updateTarget(arn: string, update: TargetUpdate): Promise<RemoteTarget | null> {
    const updated = await this.targets.update(arn, update);
    await this.scheduleProbes();
    return updated;
  }

  async removeTarget(arn: string): Promise<boolean> {
    return this.targets.remove(arn);
  }

  /**
   * Records whether a target answered (probe or transfer). A target back
   * online has its bucket requeue its pending and failed work at once; one
   * gone offline is probed sooner.
   */
  async recordTargetHealth(arn: string, online: boolean, latencyMs: number | null): Promise<void> {
    const back = this.targets.recordHealth(arn, online, latencyMs, Date.now());
    if (back) {
      const message: ReplicationMessage = {
        bucket: back.sourceBucket,
        key: "",
        versionId: "",
        target: arn,
        retryTarget: true,
      };
      try {
        await (this.env.REPLICATION_QUEUE as Queue<ReplicationMessage> | undefined)?.send(message);
      } catch (error) {
        console.warn("target-online wake-up not sent (the scanner will requeue):", error);
      }
    }
    if (!online) await this.scheduleProbes();
  }

  /** Adds to site-wide counters (healed versions, rebuilt shards and copies). */
  async count(increments: Record<string, number>): Promise<void> {
    for (const [name, value] of Object.entries(increments)) {
      if (value === 0) continue;
      this.sql.exec(
        `INSERT INTO counters (name, value) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
        name,
        value,
      );
    }
  }

  /** Every site-wide counter. */
  async counters(): Promise<Record<string, number>> {
    return Object.fromEntries(
      this.sql
        .exec<{ name: string; value: number }>("SELECT name, value FROM counters")
        .toArray()
        .map((row) => [row.name, row.value]),
    );
  }
}
