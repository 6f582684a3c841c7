/**
 * Rebuilding a bucket's lost coordinator from the drives. The bucket's
 * configuration comes from the newest configuration copy any drive holds
 * (config-copies.ts), or, where there is none, from the site's bucket
 * registry with versioning inferred from the version ids found. Versions
 * come from the record copies: set by set, each drive's copies are read in
 * (key, version id) pages that never split a version, merged across the
 * set's drives up to the point every drive has reported (so each version is
 * judged on all of its copies at once, rebuild-merge.ts), and restored in
 * batches. The coordinator keeps the cursor with each batch; a rebuild that
 * runs out of its time budget returns `finished: false` and the next call
 * resumes. Until the last step the bucket answers as if it did not exist.
 */
import type { FloeConfig } from "../../shared/config.ts";
import { allSets, driveName, type SetAddress } from "../../shared/layout/placement.ts";
import { bucketConfigCopySchema, type BucketConfigCopy } from "../../shared/types/bucket-config.ts";
import type { StoredVersion } from "../../shared/types/bucket-rpc.ts";
import type { VersionCopyCursor, VersionCopyEntry } from "../../shared/types/drive-rpc.ts";
import { mergeVersion, type DriveCopy } from "./rebuild-merge.ts";
import { bucketStub, deploymentStub, setDrives, type DriveStub } from "./stubs.ts";

const PAGE = 200;
const BATCH_VERSIONS = 100;
const BATCH_BYTES = 4 * 1024 * 1024;
const DEFAULT_BUDGET_MS = 20_000;

export interface RebuildReport {
  bucket: string;
  dryRun: boolean;
  /** What the coordinator held when the rebuild started. */
  coordinator: "absent" | "rebuilding" | "present";
  /** Where the configuration came from: a drive's copy, or the registry (versioning inferred). */
  config: "drive-copy" | "inferred";
  configVersion: number;
  /** Versions restored (in a dry run: that would be), delete markers included. */
  versions: number;
  deleteMarkers: number;
  /** Restored versions some drive lacks a good copy or shard of: queued for heal. */
  toHeal: number;
  /** Versions held by fewer drives than their read quorum: not restored. */
  belowQuorum: number;
  /** Inline versions with fewer good shards than their data count: not restored. */
  inlineLost: number;
  /** Versions with no readable record copy. */
  unreadable: number;
  offlineDrives: string[];
  /** Remote targets a resync was started to (the replication log is not on the drives). */
  resyncStarted: string[];
  /** False when the time budget ran out first: call again to go on. */
  finished: boolean;
}

export class RebuildError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Cursor {
  set: number;
  after: VersionCopyCursor | null;
}

interface SetDrive {
  index: number;
  name: string;
  stub: DriveStub;
}

const utf8 = new TextEncoder();

/** Compares (key, version id) pairs in UTF-8 byte order, the order drives list them in. */
function compareGroups(a: VersionCopyCursor, b: VersionCopyCursor): number {
  return compareUtf8(a[0], b[0]) || compareUtf8(a[1], b[1]);
}

function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * Rebuilds (or with `dryRun`, reports what would be rebuilt of) one bucket's
 * coordinator. With `onlyWithCopy`, a bucket no drive holds a configuration
 * copy of is left alone (null): the scanner's automatic rebuild must not
 * mistake a create that died midway for a lost coordinator.
 */
export async function rebuildBucket(
  env: Env,
  config: FloeConfig,
  bucket: string,
  options: { dryRun?: boolean; budgetMs?: number; onlyWithCopy?: boolean } = {},
): Promise<RebuildReport | null> {
  const dryRun = options.dryRun ?? false;
  const deadline = Date.now() + (options.budgetMs ?? DEFAULT_BUDGET_MS);
  const coordinator = bucketStub(env, bucket);
  const state = await coordinator.restoreState();
  if (state === "present" && !dryRun) {
    throw new RebuildError(
      409,
      "BucketNotLost",
      `The coordinator of ${bucket} holds its namespace; there is nothing to rebuild.`,
    );
  }
  const sets = allSets(config.pools).map((address) => drivesOfSet(env, config, address));
  const offline = new Set<string>();
  const found = await newestConfigCopy(sets.flat(), bucket, offline);
  const registered = (await deploymentStub(env).listBuckets()).find((b) => b.name === bucket);
  if (!found && !registered) {
    throw new RebuildError(404, "NoSuchBucket", `No drive holds a copy of bucket ${bucket}.`);
  }
  if (!found && options.onlyWithCopy) return null;
  const copy: BucketConfigCopy = found?.copy ?? inferredCopy(bucket, registered!);
  const report: RebuildReport = {
    bucket,
    dryRun,
    coordinator: state,
    config: found ? "drive-copy" : "inferred",
    configVersion: found?.version ?? 0,
    versions: 0,
    deleteMarkers: 0,
    toHeal: 0,
    belowQuorum: 0,
    inlineLost: 0,
    unreadable: 0,
    offlineDrives: [],
    resyncStarted: [],
    finished: false,
  };
  let cursor: Cursor = { set: 0, after: null };
  if (!dryRun) {
    if (!registered) await deploymentStub(env).registerBucket(bucket, copy.owner);
    const start = await coordinator.beginRestore(copy, found?.version ?? 0);
    if (!start.ok) {
      throw new RebuildError(409, "BucketNotLost", `The coordinator of ${bucket} is live again.`);
    }
    if (start.cursor) cursor = JSON.parse(start.cursor) as Cursor;
  }

  let versioned = false;
  let batch: StoredVersion[] = [];
  let heal: [string, string][] = [];
  let batchBytes = 0;
  // Versions judged since the last flush, restored or not: the budget is checked at each flush.
  let judged = 0;
  // False once another call (the scanner's, or an operator's) finished the restore.
  const flush = async (next: Cursor): Promise<boolean> => {
    const added = dryRun ? 0 : await coordinator.restoreVersions(batch, heal, JSON.stringify(next));
    batch = [];
    heal = [];
    batchBytes = 0;
    judged = 0;
    return added !== null;
  };

  for (let set = cursor.set; set < sets.length; set++) {
    const scan = scanSet(sets[set], bucket, set === cursor.set ? cursor.after : null, offline);
    for await (const group of scan) {
      const [key, versionId] = group.version;
      const outcome = mergeVersion(bucket, key, versionId, group.copies);
      judged++;
      if (outcome.kind === "restore") {
        report.versions++;
        if (outcome.version.record.deleteMarker) report.deleteMarkers++;
        if (versionId !== "null") versioned = true;
        batch.push(outcome.version);
        if (!outcome.complete) {
          report.toHeal++;
          heal.push(group.version);
        }
        batchBytes += (outcome.version.inlineData?.byteLength ?? 0) + 2048;
      } else if (outcome.kind === "below-quorum") report.belowQuorum++;
      else if (outcome.kind === "inline-lost") report.inlineLost++;
      else report.unreadable++;
      if (judged >= BATCH_VERSIONS || batchBytes >= BATCH_BYTES) {
        const going = await flush({ set, after: group.version });
        if (!going || Date.now() > deadline) {
          report.offlineDrives = [...offline].sort();
          report.finished = !going;
          return report;
        }
      }
    }
    if (!(await flush({ set: set + 1, after: null }))) {
      report.offlineDrives = [...offline].sort();
      report.finished = true;
      return report;
    }
  }
  if (!dryRun) {
    report.resyncStarted = await coordinator.finishRestore(
      found === null && versioned ? "Enabled" : null,
    );
  }
  report.offlineDrives = [...offline].sort();
  report.finished = true;
  return report;
}

/** True when some drive holds a configuration copy of `bucket` (the bucket existed). */
export async function hasBucketCopy(
  env: Env,
  config: FloeConfig,
  bucket: string,
): Promise<boolean> {
  const drives = allSets(config.pools).flatMap((address) => drivesOfSet(env, config, address));
  return (await newestConfigCopy(drives, bucket, new Set())) !== null;
}

function drivesOfSet(env: Env, config: FloeConfig, address: SetAddress): SetDrive[] {
  return setDrives(env, address, config.pools[address.pool].drivesPerSet).map((stub, index) => ({
    index,
    stub,
    name: driveName(address.pool, address.set, index),
  }));
}

async function newestConfigCopy(
  drives: SetDrive[],
  bucket: string,
  offline: Set<string>,
): Promise<{ copy: BucketConfigCopy; version: number } | null> {
  const copies = await Promise.all(
    drives.map(async (drive) => {
      try {
        return await drive.stub.readBucketCopy(bucket);
      } catch {
        offline.add(drive.name);
        return null;
      }
    }),
  );
  let best: { copy: BucketConfigCopy; version: number } | null = null;
  for (const found of copies) {
    if (!found || (best && best.version >= found.version)) continue;
    try {
      const parsed = bucketConfigCopySchema.safeParse(JSON.parse(found.config));
      if (parsed.success && parsed.data.name === bucket)
        best = { copy: parsed.data, version: found.version };
    } catch {
      // an unreadable copy is no evidence
    }
  }
  return best;
}

function inferredCopy(
  bucket: string,
  entry: { createdAt: number; owner: string },
): BucketConfigCopy {
  return {
    format: 1,
    name: bucket,
    createdAt: entry.createdAt,
    owner: entry.owner,
    versioning: "",
    versioningExcludes: null,
    objectLock: null,
    lifecycle: null,
    policy: null,
    tags: null,
    replication: null,
    replicationTargets: null,
  };
}

interface VersionGroup {
  version: VersionCopyCursor;
  copies: DriveCopy[];
}

/**
 * Every version of `bucket` the set's drives hold copies of, after `after`,
 * in order, each with all of its copies. A drive that fails mid-scan is
 * dropped (and reported offline); its copies seen so far still count.
 */
async function* scanSet(
  drives: SetDrive[],
  bucket: string,
  after: VersionCopyCursor | null,
  offline: Set<string>,
): AsyncGenerator<VersionGroup> {
  const live = drives.filter((drive) => !offline.has(drive.name));
  const buffers = new Map<number, VersionCopyEntry[]>(live.map((d) => [d.index, []]));
  const cursors = new Map<number, VersionCopyCursor | null>(live.map((d) => [d.index, after]));
  const done = new Set<number>();
  for (;;) {
    await Promise.all(
      live.map(async (drive) => {
        if (done.has(drive.index) || buffers.get(drive.index)!.length > 0) return;
        try {
          const page = await drive.stub.listVersionCopies(
            bucket,
            cursors.get(drive.index) ?? null,
            PAGE,
          );
          buffers.set(drive.index, page.entries);
          const last = page.entries[page.entries.length - 1];
          if (last) cursors.set(drive.index, [last.key, last.versionId]);
          if (page.done) done.add(drive.index);
        } catch {
          offline.add(drive.name);
          done.add(drive.index);
          buffers.set(drive.index, []);
        }
      }),
    );
    // Every drive still listing has reported all its copies up to its last listed version.
    let bound: VersionCopyCursor | null = null;
    for (const drive of live) {
      if (done.has(drive.index)) continue;
      const buffer = buffers.get(drive.index)!;
      const last = buffer[buffer.length - 1];
      const group: VersionCopyCursor = [last.key, last.versionId];
      if (!bound || compareGroups(group, bound) < 0) bound = group;
    }
    const groups = new Map<string, VersionGroup>();
    for (const drive of live) {
      const buffer = buffers.get(drive.index)!;
      let taken = 0;
      for (const entry of buffer) {
        const version: VersionCopyCursor = [entry.key, entry.versionId];
        if (bound && compareGroups(version, bound) > 0) break;
        taken++;
        const id = JSON.stringify(version);
        const group = groups.get(id) ?? { version, copies: [] };
        group.copies.push({
          drive: drive.index,
          dataDir: entry.dataDir,
          record: entry.record,
          inlineShard: entry.inlineShard,
        });
        groups.set(id, group);
      }
      buffers.set(drive.index, buffer.slice(taken));
    }
    yield* [...groups.values()].sort((a, b) => compareGroups(a.version, b.version));
    if (!bound && live.every((drive) => buffers.get(drive.index)!.length === 0)) return;
  }
}
