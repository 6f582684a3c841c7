/**
 * The coordinator keeps a copy of its bucket's configuration on every drive
 * of the deployment, so a lost coordinator can be rebuilt with its settings.
 * Each change bumps `config_version` and is pushed at once; a push that did
 * not reach every drive (one offline) is retried by the alarm until it does
 * (`config_pushed` catches up). Drives keep the highest version they saw.
 */
import type { BucketConfigCopy } from "../../shared/types/bucket-config.ts";
import type { CoordinatorBackground } from "../../shared/types/coordinator-background.ts";
import type { BucketRow } from "./schema.ts";

/** How long a failed push waits before the alarm tries again. */
export const CONFIG_PUSH_RETRY_MS = 30_000;

export function configCopyOf(row: BucketRow): BucketConfigCopy {
  return {
    format: 1,
    name: row.name,
    createdAt: row.created_at,
    owner: row.owner,
    versioning:
      row.versioning === "Enabled" || row.versioning === "Suspended" ? row.versioning : "",
    versioningExcludes: row.versioning_excludes,
    objectLock: row.object_lock,
    lifecycle: row.lifecycle,
    policy: row.policy,
    tags: row.tags,
    replication: row.replication,
    replicationTargets: row.replication_targets,
  };
}

export class ConfigCopies {
  constructor(
    private readonly sql: SqlStorage,
    private readonly work: CoordinatorBackground,
    private readonly retryAt: (at: number) => Promise<void>,
  ) {}

  private row(): BucketRow | null {
    return this.sql.exec<BucketRow>("SELECT * FROM bucket").toArray()[0] ?? null;
  }

  /** Records a configuration change and pushes it; false when a drive missed it (the alarm retries). */
  async changed(): Promise<boolean> {
    this.sql.exec("UPDATE bucket SET config_version = config_version + 1");
    return this.push();
  }

  /** True while some drive may hold an older configuration than the coordinator. */
  due(): boolean {
    const row = this.row();
    return row !== null && row.config_pushed < row.config_version;
  }

  /** Sends the current configuration to every drive; true when all of them took it. */
  async push(): Promise<boolean> {
    const row = this.row();
    if (!row || row.config_pushed >= row.config_version) return true;
    const version = row.config_version;
    const copy = JSON.stringify(configCopyOf(row));
    if (!(await this.work.pushConfigCopy(row.name, version, copy))) {
      await this.retryAt(Date.now() + CONFIG_PUSH_RETRY_MS);
      return false;
    }
    this.sql.exec("UPDATE bucket SET config_pushed = ? WHERE config_pushed < ?", version, version);
    return true;
  }
}
