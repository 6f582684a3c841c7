/**
 * What every concern of the bucket coordinator works on: its SQLite, the
 * bucket row, the replication log and service, the durable background
 * queues and the configuration copies on the drives. The Bucket class
 * builds one at construction and its RPC methods hand it to the concern
 * modules (namespace, versions, uploads, lifecycle, replication/). Every
 * method of the class runs alone (a Durable Object serialises its calls),
 * and a change that must be atomic runs inside one `transaction`.
 */
import type { CoordinatorBackground } from "../../shared/types/coordinator-background.ts";
import { applyMigrations } from "../migrations.ts";
import { BackgroundQueues } from "./background-queues.ts";
import { ConfigCopies } from "./config-copies.ts";
import { ReplicationLog } from "./replication/log.ts";
import { ReplicationService } from "./replication/service.ts";
import { BUCKET_MIGRATIONS, type BucketRow } from "./schema.ts";

export class CoordinatorState {
  readonly sql: SqlStorage;
  readonly log: ReplicationLog;
  readonly background: BackgroundQueues;
  readonly copies: ConfigCopies;
  readonly replication: ReplicationService;

  constructor(
    readonly storage: DurableObjectStorage,
    readonly work: CoordinatorBackground,
  ) {
    this.sql = storage.sql;
    this.log = new ReplicationLog(this.sql);
    this.background = new BackgroundQueues(this.sql, storage, work);
    this.copies = new ConfigCopies(this.sql, work, (at) => this.background.ensureAlarm(at));
    this.replication = new ReplicationService(
      this.sql,
      work,
      this.log,
      this.background,
      this.copies,
      () => this.bucketRow(),
    );
  }

  /** The bucket, or null when there is none or it is being restored (restore.ts). */
  bucketRow(): BucketRow | null {
    return (
      this.sql.exec<BucketRow>("SELECT * FROM bucket WHERE rebuilding = 0").toArray()[0] ?? null
    );
  }

  /** Runs `fn` as one SQLite transaction. */
  transaction<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }

  /** Re-arms the alarm while background work is queued. */
  async wake(): Promise<void> {
    if (this.copies.due()) await this.background.ensureAlarm(Date.now() + 50);
    const next = this.background.nextDue();
    if (next !== null) await this.background.ensureAlarm(Math.max(next, Date.now() + 50));
    if (this.replication.resync.active()) await this.background.ensureAlarm(Date.now() + 50);
  }

  /** Drops everything the coordinator holds and starts over with an empty schema. */
  async reset(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    applyMigrations(this.storage, BUCKET_MIGRATIONS);
  }
}
