/**
 * The Drive Durable Object: one erasure "disk". It stores shard-blocks with a
 * bitrot checksum verified on every read, its copy of every version record of
 * its set's objects, and reports usage. Writes go under a fresh data dir, so
 * a failed write never touches the previous version's blocks. Data dirs never
 * committed by a version copy are garbage collected after a grace period.
 * Fault injection (offline, wipe, corrupt) exists for tests and local dev; the
 * Worker only exposes it where the deployment's config allows it.
 */
import { DurableObject } from "cloudflare:workers";
import { bitrotReady, bitrotSum } from "../../shared/bitrot.ts";
import { applyMigrations } from "../migrations.ts";
import { DRIVE_MIGRATIONS, type ShardBlockRow, type VersionCopyRow } from "./schema.ts";
import {
  DRIVE_OFFLINE,
  type DriveFault,
  type DriveUsage,
  type InlineShard,
  type VersionCopyWrite,
  type InlineShardRead,
  type ShardBlockRead,
  type VersionCopyCursor,
  type VersionCopyEntry,
  type WriteShardBlocks,
} from "../../shared/types/drive-rpc.ts";

/** A page of record copies for a rebuild stops near this many bytes (the rebuild holds a page per drive). */
const LIST_COPIES_MAX_BYTES = 2 * 1024 * 1024;

/** Uncommitted data dirs older than this are interrupted writes. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

export class Drive extends DurableObject<Env> {
  private offline = false;
  private sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, DRIVE_MIGRATIONS);
      const row = this.sql
        .exec<{ value: string }>("SELECT value FROM drive_state WHERE name = 'offline'")
        .toArray()[0];
      this.offline = row?.value === "1";
      await bitrotReady();
    });
  }

  private assertOnline(): void {
    if (this.offline) throw new Error(DRIVE_OFFLINE);
  }

  /** Stores shard-blocks of one part under `dataDir` (replacing any same-numbered block). */
  async writeShardBlocks(input: WriteShardBlocks): Promise<number> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT OR IGNORE INTO data_dirs (data_dir, bucket, key, created_at) VALUES (?, ?, ?, ?)`,
        input.dataDir,
        input.bucket,
        input.key,
        Date.now(),
      );
      for (const block of input.blocks) {
        this.sql.exec(
          `INSERT OR REPLACE INTO shard_blocks (data_dir, part, block, checksum, data) VALUES (?, ?, ?, ?, ?)`,
          input.dataDir,
          input.part,
          block.block,
          block.checksum,
          block.data,
        );
      }
    });
    this.scheduleOrphanSweep();
    return input.blocks.length;
  }

  /** Reads blocks [from, from+count) of a part, verifying each block's checksum. */
  async readShardBlocks(
    dataDir: string,
    part: number,
    from: number,
    count: number,
  ): Promise<ShardBlockRead[]> {
    this.assertOnline();
    const rows = this.sql
      .exec<ShardBlockRow>(
        `SELECT block, checksum, data FROM shard_blocks
         WHERE data_dir = ? AND part = ? AND block >= ? AND block < ? ORDER BY block`,
        dataDir,
        part,
        from,
        from + count,
      )
      .toArray();
    const byBlock = new Map(rows.map((row) => [row.block, row]));
    const result: ShardBlockRead[] = [];
    for (let block = from; block < from + count; block++) {
      const row = byBlock.get(block);
      if (!row) {
        result.push({ block, ok: false, reason: "missing" });
        continue;
      }
      const data = new Uint8Array(row.data);
      result.push(
        bitrotSum(data) === row.checksum
          ? { block, ok: true, data }
          : { block, ok: false, reason: "corrupt" },
      );
    }
    return result;
  }

  /**
   * Stores this drive's copy of a version record (and its inline shard),
   * committing its data dirs (`dataDir` and any part dirs) against the sweep.
   */
  async putVersionCopy(
    bucket: string,
    key: string,
    versionId: string,
    dataDir: string,
    record: string,
    inline: InlineShard | null,
    partDirs: string[] = [],
  ): Promise<void> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() =>
      this.storeCopy({ bucket, key, versionId, dataDir, record, inline, partDirs }),
    );
  }

  /** Several versions' copies in one transaction (a replica batch): all are stored, or none. */
  async putVersionCopies(copies: VersionCopyWrite[]): Promise<void> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() => {
      for (const copy of copies) this.storeCopy(copy);
    });
  }

  private storeCopy(copy: VersionCopyWrite): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO version_copies
         (bucket, key, version_id, data_dir, record, inline_shard, inline_checksum)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      copy.bucket,
      copy.key,
      copy.versionId,
      copy.dataDir,
      copy.record,
      copy.inline?.data ?? null,
      copy.inline?.checksum ?? null,
    );
    for (const dir of [copy.dataDir, ...copy.partDirs]) {
      this.sql.exec(`UPDATE data_dirs SET committed = 1 WHERE data_dir = ?`, dir);
    }
  }

  /** Replaces the record text of an existing copy (metadata changes: tags, retention). */
  async updateVersionRecord(
    bucket: string,
    key: string,
    versionId: string,
    dataDir: string,
    record: string,
  ): Promise<boolean> {
    this.assertOnline();
    const result = this.sql.exec(
      `UPDATE version_copies SET record = ? WHERE bucket = ? AND key = ? AND version_id = ? AND data_dir = ?`,
      record,
      bucket,
      key,
      versionId,
      dataDir,
    );
    return result.rowsWritten > 0;
  }

  /** Marks data dirs as committed (uploaded multipart parts), so the orphan sweep keeps them. */
  async commitDataDirs(dataDirs: string[]): Promise<void> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() => {
      for (const dir of dataDirs)
        this.sql.exec(`UPDATE data_dirs SET committed = 1 WHERE data_dir = ?`, dir);
    });
  }

  /** Reads this drive's copy of a version record (one write of it) with its inline shard, verified. */
  async readVersionCopy(
    bucket: string,
    key: string,
    versionId: string,
    dataDir: string,
  ): Promise<InlineShardRead> {
    this.assertOnline();
    const row = this.sql
      .exec<VersionCopyRow>(
        `SELECT * FROM version_copies WHERE bucket = ? AND key = ? AND version_id = ? AND data_dir = ?`,
        bucket,
        key,
        versionId,
        dataDir,
      )
      .toArray()[0];
    if (!row) return { ok: false, reason: "missing" };
    const data = new Uint8Array(row.inline_shard ?? new ArrayBuffer(0));
    if (row.inline_checksum !== null && bitrotSum(data) !== row.inline_checksum) {
      return { ok: false, reason: "corrupt" };
    }
    return { ok: true, data, record: row.record };
  }

  /**
   * Removes one write of a version: its record copy and its data dir's
   * blocks. Copies are keyed by data dir too, so removing a replaced write
   * never touches a newer write of the same version id.
   */
  async deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    dataDir: string,
    partDirs: string[] = [],
  ): Promise<void> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `DELETE FROM version_copies WHERE bucket = ? AND key = ? AND version_id = ? AND data_dir = ?`,
        bucket,
        key,
        versionId,
        dataDir,
      );
      for (const dir of new Set([dataDir, ...partDirs])) this.removeDataDir(dir);
    });
  }

  /** Removes several data dirs (aborted uploads, replaced parts). */
  async deleteDataDirs(dataDirs: string[]): Promise<void> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() => {
      for (const dir of dataDirs) this.removeDataDir(dir);
    });
  }

  /** Drops every record copy and block of a bucket (bucket deletion). */
  async deleteBucket(bucket: string): Promise<void> {
    this.assertOnline();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `DELETE FROM shard_blocks WHERE data_dir IN (SELECT data_dir FROM data_dirs WHERE bucket = ?)`,
        bucket,
      );
      this.sql.exec(`DELETE FROM data_dirs WHERE bucket = ?`, bucket);
      this.sql.exec(`DELETE FROM version_copies WHERE bucket = ?`, bucket);
      this.sql.exec(`DELETE FROM bucket_copies WHERE bucket = ?`, bucket);
    });
  }

  /** Stores this drive's copy of a bucket's configuration unless it holds a newer one. */
  async putBucketCopy(bucket: string, version: number, config: string): Promise<void> {
    this.assertOnline();
    this.sql.exec(
      `INSERT INTO bucket_copies (bucket, version, config) VALUES (?, ?, ?)
       ON CONFLICT (bucket) DO UPDATE SET version = excluded.version, config = excluded.config
       WHERE excluded.version >= bucket_copies.version`,
      bucket,
      version,
      config,
    );
  }

  /** This drive's copy of a bucket's configuration, or null. */
  async readBucketCopy(bucket: string): Promise<{ version: number; config: string } | null> {
    this.assertOnline();
    return (
      this.sql
        .exec<{ version: number; config: string }>(
          `SELECT version, config FROM bucket_copies WHERE bucket = ?`,
          bucket,
        )
        .toArray()[0] ?? null
    );
  }

  /** Names of the buckets this drive holds a configuration copy of. */
  async listBucketCopies(): Promise<string[]> {
    this.assertOnline();
    return this.sql
      .exec<{ bucket: string }>(`SELECT bucket FROM bucket_copies ORDER BY bucket`)
      .toArray()
      .map((row) => row.bucket);
  }

  /**
   * A page of this drive's record copies of a bucket in (key, version id,
   * data dir) order, after the version `after`. A page never splits one
   * version's copies, so a caller merging drives sees each version whole.
   * Inline shards are checked here: a rebuild only ever gets good ones.
   */
  async listVersionCopies(
    bucket: string,
    after: VersionCopyCursor | null,
    limit: number,
    maxBytes = LIST_COPIES_MAX_BYTES,
  ): Promise<{ entries: VersionCopyEntry[]; done: boolean }> {
    this.assertOnline();
    const [key, versionId] = after ?? ["", ""];
    let rows = this.sql
      .exec<VersionCopyRow>(
        `SELECT * FROM version_copies
         WHERE bucket = ? AND (key > ? OR (key = ? AND version_id > ?))
         ORDER BY key, version_id, data_dir LIMIT ?`,
        bucket,
        key,
        key,
        versionId,
        limit,
      )
      .toArray();
    let full = rows.length === limit;
    // Inline shards make rows large: a page stops near maxBytes, at the end of a version.
    let bytes = 0;
    for (let i = 0; i < rows.length; i++) {
      bytes += rows[i].record.length + (rows[i].inline_shard?.byteLength ?? 0);
      if (bytes < maxBytes) continue;
      let end = i + 1;
      while (
        end < rows.length &&
        rows[end].key === rows[i].key &&
        rows[end].version_id === rows[i].version_id
      )
        end++;
      if (end < rows.length) {
        rows = rows.slice(0, end);
        full = true;
      }
      break;
    }
    const last = rows[rows.length - 1];
    if (full && last) {
      rows.push(
        ...this.sql
          .exec<VersionCopyRow>(
            `SELECT * FROM version_copies WHERE bucket = ? AND key = ? AND version_id = ? AND data_dir > ?
             ORDER BY data_dir`,
            bucket,
            last.key,
            last.version_id,
            last.data_dir,
          )
          .toArray(),
      );
    }
    return { entries: rows.map(copyEntry), done: !full };
  }

  private removeDataDir(dataDir: string): void {
    this.sql.exec(`DELETE FROM shard_blocks WHERE data_dir = ?`, dataDir);
    this.sql.exec(`DELETE FROM data_dirs WHERE data_dir = ?`, dataDir);
  }

  /** Whether the drive serves reads and writes: the health probes' cheap check. */
  async isOnline(): Promise<boolean> {
    return !this.offline;
  }

  /** Usage and state for `admin info`. Answers even when offline (state is what it reports). */
  async usage(): Promise<DriveUsage> {
    if (this.offline) return { online: false, usedBytes: 0, shardBlocks: 0, versions: 0 };
    const blocks = this.sql
      .exec<{ n: number; bytes: number | null }>(
        `SELECT count(*) AS n, sum(length(data)) AS bytes FROM shard_blocks`,
      )
      .one();
    const versions = this.sql
      .exec<{ n: number; bytes: number | null }>(
        `SELECT count(*) AS n, sum(coalesce(length(inline_shard), 0) + length(record)) AS bytes FROM version_copies`,
      )
      .one();
    return {
      online: true,
      usedBytes: (blocks.bytes ?? 0) + (versions.bytes ?? 0),
      shardBlocks: blocks.n,
      versions: versions.n,
    };
  }

  /**
   * Fault injection: `offline` refuses every call until `online`; `wipe` erases
   * everything; `corrupt` flips bytes in the first stored shard-block (or inline
   * shard) of the given object's versions. Returns how many items it damaged.
   */
  async injectFault(fault: DriveFault, bucket?: string, key?: string): Promise<number> {
    switch (fault) {
      case "offline":
      case "online":
        this.offline = fault === "offline";
        this.sql.exec(
          `INSERT OR REPLACE INTO drive_state (name, value) VALUES ('offline', ?)`,
          this.offline ? "1" : "0",
        );
        return 1;
      case "wipe":
        this.ctx.storage.transactionSync(() => {
          this.sql.exec(`DELETE FROM shard_blocks`);
          this.sql.exec(`DELETE FROM data_dirs`);
          this.sql.exec(`DELETE FROM version_copies`);
          this.sql.exec(`DELETE FROM bucket_copies`);
        });
        return 1;
      case "corrupt":
        return this.corrupt(bucket, key);
    }
  }

  private corrupt(bucket?: string, key?: string): number {
    const copies = this.sql
      .exec<VersionCopyRow>(
        `SELECT * FROM version_copies WHERE (? IS NULL OR bucket = ?) AND (? IS NULL OR key = ?)`,
        bucket ?? null,
        bucket ?? null,
        key ?? null,
        key ?? null,
      )
      .toArray();
    let damaged = 0;
    for (const copy of copies) {
      if (copy.inline_shard && copy.inline_shard.byteLength > 0) {
        const data = new Uint8Array(copy.inline_shard.slice(0));
        data[0] ^= 0xff;
        this.sql.exec(
          `UPDATE version_copies SET inline_shard = ?
           WHERE bucket = ? AND key = ? AND version_id = ? AND data_dir = ?`,
          data,
          copy.bucket,
          copy.key,
          copy.version_id,
          copy.data_dir,
        );
        damaged++;
      }
    }
    const dirs = this.sql
      .exec<{ data_dir: string }>(
        `SELECT data_dir FROM data_dirs WHERE committed = 1 AND (? IS NULL OR bucket = ?) AND (? IS NULL OR key = ?)`,
        bucket ?? null,
        bucket ?? null,
        key ?? null,
        key ?? null,
      )
      .toArray();
    for (const { data_dir } of dirs) {
      const row = this.sql
        .exec<{ id: number; data: ArrayBuffer }>(
          `SELECT rowid AS id, data FROM shard_blocks WHERE data_dir = ? ORDER BY part, block LIMIT 1`,
          data_dir,
        )
        .toArray()[0];
      if (row && row.data.byteLength > 0) {
        const data = new Uint8Array(row.data.slice(0));
        data[data.length >> 1] ^= 0xff;
        this.sql.exec(`UPDATE shard_blocks SET data = ? WHERE rowid = ?`, data, row.id);
        damaged++;
      }
    }
    return damaged;
  }

  private scheduleOrphanSweep(): void {
    void this.ctx.storage.getAlarm().then((alarm) => {
      if (alarm === null) return this.ctx.storage.setAlarm(Date.now() + ORPHAN_GRACE_MS);
    });
  }

  /** Removes data dirs of writes that never committed within the grace period. */
  override async alarm(): Promise<void> {
    const cutoff = Date.now() - ORPHAN_GRACE_MS;
    const orphans = this.sql
      .exec<{ data_dir: string }>(
        `SELECT data_dir FROM data_dirs WHERE committed = 0 AND created_at < ? LIMIT 500`,
        cutoff,
      )
      .toArray();
    this.ctx.storage.transactionSync(() => {
      for (const orphan of orphans) this.removeDataDir(orphan.data_dir);
    });
    const pending = this.sql
      .exec<{ n: number }>(`SELECT count(*) AS n FROM data_dirs WHERE committed = 0`)
      .one().n;
    if (pending > 0) await this.ctx.storage.setAlarm(Date.now() + ORPHAN_GRACE_MS);
  }
}

function copyEntry(row: VersionCopyRow): VersionCopyEntry {
  const shard = row.inline_shard ? new Uint8Array(row.inline_shard) : null;
  const good =
    shard !== null && row.inline_checksum !== null && bitrotSum(shard) === row.inline_checksum;
  return {
    key: row.key,
    versionId: row.version_id,
    dataDir: row.data_dir,
    record: row.record,
    inlineShard: good ? shard : null,
    inlineCorrupt: shard !== null && !good,
  };
}
