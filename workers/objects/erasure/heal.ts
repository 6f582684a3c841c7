/**
 * Healing: bring every drive of a version's set back to holding its record
 * copy and its shards. For each batch of blocks all n shards are read; where
 * some are missing or fail their bitrot check and at least k are good, the
 * missing ones are reconstructed and written back to their drives. Inline
 * objects are re-encoded from the coordinator's data. Offline drives cannot
 * be healed now: the report says so and the caller retries later.
 */
import { sealShard } from "../../../shared/bitrot.ts";
import { createReedSolomon } from "../../../shared/erasure/index.ts";
import {
  dataDirsOf,
  serializeRecord,
  type PartInfo,
} from "../../../shared/types/version-record.ts";
import type { StoredVersion } from "../../../shared/types/bucket-rpc.ts";
import { drivesOf, shardOfDrive } from "./erasure-set.ts";
import { deploymentStub } from "../stubs.ts";

const BLOCKS_PER_HEAL_BATCH = 4;

export interface HealReport {
  bucket: string;
  key: string;
  versionId: string;
  /** Shard-blocks (or inline shards) rebuilt on drives. */
  shardsRebuilt: number;
  /** Record copies rewritten on drives. */
  copiesRebuilt: number;
  offlineDrives: number;
  /** Blocks that had fewer than k good shards (data lost beyond repair). */
  unrecoverableBlocks: number;
  /** True when every drive now holds a good copy and every shard. */
  healthy: boolean;
}

/** Heals one version across its set; with `dryRun`, only reports what it would rebuild. */
export async function healVersion(
  env: Env,
  stored: StoredVersion,
  options: { dryRun?: boolean } = {},
): Promise<HealReport> {
  const { record } = stored;
  const { erasure } = record;
  const drives = drivesOf(env, erasure);
  const shardOf = shardOfDrive(erasure);
  const codec = createReedSolomon(erasure.dataShards, erasure.parityShards);
  const n = drives.length;
  const offline = new Set<number>();
  const report: HealReport = {
    bucket: record.bucket,
    key: record.key,
    versionId: record.versionId,
    shardsRebuilt: 0,
    copiesRebuilt: 0,
    offlineDrives: 0,
    unrecoverableBlocks: 0,
    healthy: false,
  };

  for (const part of record.inline ? [] : record.parts) {
    await healPart(part);
  }

  async function healPart(part: PartInfo): Promise<void> {
    const blocks = Math.ceil(part.size / erasure.blockSize);
    for (let from = 0; from < blocks; from += BLOCKS_PER_HEAL_BATCH) {
      const count = Math.min(BLOCKS_PER_HEAL_BATCH, blocks - from);
      // columns[d][i]: drive d's shard of block from+i
      const columns = await Promise.all(
        drives.map(async (drive, d) => {
          if (offline.has(d)) return null;
          try {
            const reads = await drive.readShardBlocks(part.dataDir, part.number, from, count);
            return reads.map((read) => (read.ok ? read.data : null));
          } catch {
            offline.add(d);
            return null;
          }
        }),
      );
      const rebuilt: Map<number, { block: number; data: Uint8Array; checksum: string }[]> =
        new Map();
      for (let i = 0; i < count; i++) {
        const byShard = new Array<Uint8Array | null>(n).fill(null);
        columns.forEach((column, d) => (byShard[shardOf[d]] = column?.[i] ?? null));
        const missing = columns
          .map((column, d) => (column !== null && column[i] === null ? d : -1))
          .filter((d) => d >= 0);
        if (missing.length === 0) continue;
        if (byShard.filter((shard) => shard !== null).length < erasure.dataShards) {
          report.unrecoverableBlocks++;
          continue;
        }
        const full = codec.reconstruct(byShard);
        for (const d of missing) {
          const data = full[shardOf[d]];
          const list = rebuilt.get(d) ?? [];
          list.push({ block: from + i, ...sealShard(data) });
          rebuilt.set(d, list);
        }
      }
      await Promise.all(
        [...rebuilt].map(async ([d, list]) => {
          if (options.dryRun) {
            report.shardsRebuilt += list.length;
            return;
          }
          try {
            await drives[d].writeShardBlocks({
              dataDir: part.dataDir,
              bucket: record.bucket,
              key: record.key,
              part: part.number,
              blocks: list,
            });
            report.shardsRebuilt += list.length;
          } catch {
            offline.add(d);
          }
        }),
      );
    }
  }

  const inlineShards = record.inline
    ? codec.encodeBlock(stored.inlineData ?? new Uint8Array(0))
    : null;
  const recordJson = serializeRecord(record);
  await Promise.all(
    drives.map(async (drive, d) => {
      if (offline.has(d)) return;
      try {
        const copy = await drive.readVersionCopy(
          record.bucket,
          record.key,
          record.versionId,
          record.dataDir,
        );
        if (copy.ok && copy.record === recordJson) return;
        const shard = inlineShards?.[shardOf[d]];
        if (options.dryRun) {
          report.copiesRebuilt++;
          if (shard && !copy.ok) report.shardsRebuilt++;
          return;
        }
        await drive.putVersionCopy(
          record.bucket,
          record.key,
          record.versionId,
          record.dataDir,
          recordJson,
          shard ? sealShard(shard) : null,
          dataDirsOf(record).filter((dir) => dir !== record.dataDir),
        );
        report.copiesRebuilt++;
        if (shard && !copy.ok) report.shardsRebuilt++;
      } catch {
        offline.add(d);
      }
    }),
  );
  report.offlineDrives = offline.size;
  report.healthy = offline.size === 0 && report.unrecoverableBlocks === 0;
  if (!options.dryRun && (report.shardsRebuilt > 0 || report.copiesRebuilt > 0)) {
    await deploymentStub(env)
      .count({
        healed_versions: 1,
        healed_shards: report.shardsRebuilt,
        healed_copies: report.copiesRebuilt,
      })
      .catch(() => undefined);
  }
  return report;
}
