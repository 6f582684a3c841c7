/**
 * The Deployment Durable Object: deployment-wide state of one site, a single
 * instance. It holds the site identity (the deployment id that keys object
 * placement, generated once) and the bucket registry (names are global to a
 * site; each bucket's own state lives in its coordinator), and the remote
 * targets replication sends to (targets.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { applyMigrations } from "../migrations.ts";
import type { NewTarget, RemoteTarget, TargetCredentials, TargetUpdate } from "./target-types.ts";
import { TARGETS_MIGRATION, TargetStore } from "./targets.ts";

const DEPLOYMENT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE site (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE buckets (
     name TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     owner TEXT NOT NULL
   );`,
  TARGETS_MIGRATION,
  `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
];

export interface BucketEntry {
  name: string;
  createdAt: number;
  owner: string;
}

export class Deployment extends DurableObject<Env> {
  private sql: SqlStorage;
  private deploymentId = "";
  private targets: TargetStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.targets = new TargetStore(this.sql, env.FLOE_MASTER_KEY);
    ctx.blockConcurrencyWhile(async () => {
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
    });
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
    return this.targets.add(target);
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
    return this.targets.update(arn, update);
  }

  async removeTarget(arn: string): Promise<boolean> {
    return this.targets.remove(arn);
  }

  /** Records whether a target answered (probe or transfer). */
  async recordTargetHealth(arn: string, online: boolean, latencyMs: number | null): Promise<void> {
    this.targets.recordHealth(arn, online, latencyMs, Date.now());
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
