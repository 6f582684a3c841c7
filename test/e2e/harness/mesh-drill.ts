/**
 * A disaster-recovery drill's workload for a replication mesh: every site
 * writes, tags and deletes over one shared set of keys at a steady rate,
 * each from its own seeded random sequence, and remembers the version id of
 * every version and delete marker it made, so a test can tell afterwards
 * that every site holds exactly those (nothing dropped, nothing doubled).
 * A site's workload can be paused (and its last request awaited) while the
 * site is stopped.
 */
import {
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

/** A small deterministic generator (mulberry32), so a failing drill can be replayed by seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DrillOptions {
  bucket: string;
  keys: number;
  opsPerSecond: number;
  durationMs: number;
  seed: number;
}

/** What one site's workload did. */
export interface SiteWorkload {
  /** Version ids of the versions this site wrote. */
  readonly versions: Set<string>;
  /** Version ids of the delete markers this site made. */
  readonly markers: Set<string>;
  /** Tag changes this site made. */
  readonly tagged: number;
  /** Requests that failed while the site was up (a drill expects none). */
  readonly errors: string[];
  /** Stops issuing requests once the one in flight (if any) has answered. */
  pause(): Promise<void>;
  resume(): void;
  /** Settles when the workload's time is up. */
  readonly done: Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts one site's workload; site `index` draws from its own sequence of the seed. */
export function startWorkload(s3: S3Client, index: number, options: DrillOptions): SiteWorkload {
  const random = seededRandom(options.seed * 31 + index);
  const pick = (n: number) => Math.floor(random() * n);
  const keyName = (k: number) => `k${String(k).padStart(3, "0")}`;
  // Object versions this site knows of, per key: its own, and others' from a listing.
  const known = new Map<string, string[]>();
  const remember = (key: string, versionId: string) => {
    const list = known.get(key) ?? [];
    if (!list.includes(versionId)) list.push(versionId);
    known.set(key, list);
  };
  let paused = false;
  let current: Promise<void> = Promise.resolve();
  let resumed: () => void = () => undefined;
  let resumption = Promise.resolve();
  const end = Date.now() + options.durationMs;
  const interval = 1000 / options.opsPerSecond;

  const made = { versions: new Set<string>(), markers: new Set<string>(), errors: [] as string[] };
  let tagged = 0;

  const refreshKnown = async () => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: options.bucket }));
    for (const version of page.Versions ?? []) remember(version.Key!, version.VersionId!);
  };

  const operation = async (step: number) => {
    const key = keyName(pick(options.keys));
    const roll = random();
    if (step % 12 === 11) await refreshKnown();
    if (roll < 0.5) {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: `seed ${options.seed} site ${index} step ${step}`,
        }),
      );
      made.versions.add(put.VersionId!);
      remember(key, put.VersionId!);
    } else if (roll < 0.75) {
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
      made.markers.add(deleted.VersionId!);
    } else {
      const candidates = known.get(key) ?? [];
      if (candidates.length === 0) return;
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: options.bucket,
          Key: key,
          VersionId: candidates[pick(candidates.length)],
          Tagging: { TagSet: [{ Key: "drill", Value: `s${index}-${step}` }] },
        }),
      );
      tagged++;
    }
  };

  const run = async () => {
    for (let step = 0; Date.now() < end; step++) {
      if (paused) {
        await resumption;
        continue;
      }
      const started = Date.now();
      current = operation(step).catch((error: unknown) => {
        made.errors.push(`site ${index} step ${step}: ${String(error)}`);
      });
      await current;
      await sleep(Math.max(0, interval * (0.5 + random()) - (Date.now() - started)));
    }
  };
  const done = run();
  return {
    ...made,
    get tagged() {
      return tagged;
    },
    async pause() {
      paused = true;
      resumption = new Promise((resolve) => (resumed = resolve));
      await current;
    },
    resume() {
      paused = false;
      resumed();
    },
    done,
  };
}

/** The tags of each of `versions` on one site, as "key=value&..." by version id. */
export async function versionTags(
  s3: S3Client,
  bucket: string,
  versions: { key: string; versionId: string }[],
): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const { key, versionId } of versions) {
    const answer = await s3.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    tags[versionId] = (answer.TagSet ?? [])
      .map((tag) => `${tag.Key}=${tag.Value}`)
      .sort()
      .join("&");
  }
  return tags;
}
