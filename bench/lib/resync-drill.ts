/**
 * Steps of the resync drill (bench/resync.ts), done as an operator does
 * them through the admin API: filling a bucket with a plain PUT loop (the
 * in-run baseline), waiting for a bucket's resync or existing-object job to
 * finish, losing a whole site (stop, delete its state, start it again on
 * the same port, recreate its buckets and remote user), cloning a site's
 * state into a second site, and timing one `replicate verify`.
 */
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { admin } from "../../test/e2e/harness/clients.ts";
import { remoteUser, versionedBucket } from "../../test/e2e/harness/replication.ts";
import { startSite, type Site } from "../../test/e2e/harness/site.ts";
import type { Cleanup } from "./cleanup.ts";
import { pool } from "./load.ts";
import { signedCall } from "./signed-call.ts";

export interface Phase {
  seconds: number;
  versions: number;
  bytes: number;
}

export interface JobState {
  status: string;
  total: number;
  replicatedCount: number;
  skippedCount: number;
  failedCount: number;
  pendingCount: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PUTs `count` objects of `body` into `bucket`, `concurrency` at a time (a plain PUT loop). */
export async function fill(
  site: Site,
  bucket: string,
  count: number,
  body: Uint8Array,
  concurrency: number,
): Promise<Phase> {
  const start = performance.now();
  await pool(count, concurrency, async (i) => {
    const key = `d${String(i % 97).padStart(2, "0")}/obj-${String(i).padStart(7, "0")}`;
    // A connection the local runtime dropped under load is retried (one extra version at worst).
    for (let attempt = 1; ; attempt++) {
      try {
        await signedCall("PUT", `${site.url}/${bucket}/${key}`, body);
        return;
      } catch (error) {
        if (attempt === 3 || !(error instanceof TypeError)) throw error;
      }
    }
  });
  return {
    seconds: (performance.now() - start) / 1000,
    versions: count,
    bytes: count * body.byteLength,
  };
}

/** The bucket's job for `arn` (resync or existing-object), or null. */
export async function job(site: Site, bucket: string, arn: string): Promise<JobState | null> {
  const res = await admin<{ jobs: JobState[] }>(
    site,
    "GET",
    `buckets/${bucket}/replication/resync?arn=${encodeURIComponent(arn)}`,
  );
  if (res.status === 404) return null;
  if (res.status !== 200)
    throw new Error(`resync status: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.jobs[0] ?? null;
}

/** Waits until the job ends (Completed / Failed / Canceled); returns its last state and the time. */
export async function awaitJob(
  site: Site,
  bucket: string,
  arn: string,
  startedAt: number,
): Promise<{ state: JobState; seconds: number }> {
  for (;;) {
    const state = await job(site, bucket, arn);
    if (state && !["Pending", "Ongoing"].includes(state.status))
      return { state, seconds: (performance.now() - startedAt) / 1000 };
    await sleep(250);
  }
}

/** Starts `replicate resync` of a bucket to `arn`; returns when it was asked. */
export async function startResync(site: Site, bucket: string, arn: string): Promise<number> {
  const startedAt = performance.now();
  const res = await admin(site, "POST", `buckets/${bucket}/replication/resync`, { arn });
  if (res.status !== 200)
    throw new Error(`resync start: ${res.status} ${JSON.stringify(res.body)}`);
  return startedAt;
}

/**
 * A second site holding exactly what `site` holds: `site` is stopped, its
 * state copied, and both run again (the copy on a new port). Two equal
 * sites for timing verify, without sending every version twice.
 */
export async function cloneSite(site: Site, cleanup: Cleanup): Promise<Site> {
  await site.stop();
  const state = cleanup.tempDir("floe-bench-resync-copy-");
  cpSync(site.state, state, { recursive: true });
  await site.restart();
  return cleanup.track(startSite({ state }));
}

/** Total loss of a site: its state is deleted; it comes back empty, with `buckets` recreated. */
export async function loseSite(site: Site, buckets: readonly string[]): Promise<void> {
  await site.stop();
  rmSync(site.state, { recursive: true, force: true });
  mkdirSync(site.state, { recursive: true });
  await site.restart();
  await remoteUser(site);
  for (const bucket of buckets) await versionedBucket(site, bucket);
}

export interface VerifyTiming {
  seconds: number;
  equal: boolean;
  versionsCompared: number;
  rangesCompared: number;
  rangesDiffering: number;
  differences: number;
}

/** Times one `replicate verify` of `bucket` against `arn`. */
export async function timeVerify(site: Site, bucket: string, arn: string): Promise<VerifyTiming> {
  const start = performance.now();
  const res = await admin<{
    equal: boolean;
    versionsCompared: number;
    rangesCompared: number;
    rangesDiffering: number;
    differences: unknown[];
  }>(site, "POST", `buckets/${bucket}/replication/verify`, { arn });
  const seconds = (performance.now() - start) / 1000;
  if (res.status !== 200) throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    seconds,
    equal: res.body.equal,
    versionsCompared: res.body.versionsCompared,
    rangesCompared: res.body.rangesCompared,
    rangesDiffering: res.body.rangesDiffering,
    differences: res.body.differences.length,
  };
}
