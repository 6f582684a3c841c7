/**
 * Bulk replication: `count` PUTs of one body on the source, `concurrency`
 * at a time, timed from the first PUT's send until the target holds them
 * all. Arrival is read from the source's admin status route (the
 * replicatedCount of the bucket's one target, which counts a version once
 * the target has acknowledged it; bench/lib/replication-status.ts), polled
 * every `pollMs` from the start, and confirmed at the end by listing the
 * target bucket's versions, so the bucket must hold nothing else.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { versionList } from "../../test/e2e/harness/replication.ts";
import type { Site } from "../../test/e2e/harness/site.ts";
import { pool } from "./load.ts";
import { treeCpuSeconds } from "./processes.ts";
import { meanTransferMs, targetCounts } from "./replication-status.ts";

export interface BulkOptions {
  source: Site;
  target: Site;
  sourceS3: S3Client;
  targetS3: S3Client;
  bucket: string;
  count: number;
  body: Uint8Array;
  concurrency: number;
  pollMs: number;
  /** Give up when the replicated count has not moved for this long. */
  stallMs: number;
}

export interface PutPhase {
  seconds: number;
  /** CPU seconds the source site's processes used meanwhile. */
  sourceCpu: number;
}

export interface BulkResult {
  put: PutPhase;
  /** From the first PUT's send until the target held every version (NaN if it never did). */
  replicatedSeconds: number;
  replicated: number;
  /** Versions the source marked FAILED after the queue's last attempt (left to the cron scanner). */
  failed: number;
  /** Mean time A took to send one version to B (and get B's answer), in ms. */
  transferMs: number;
  /** Versions listed on the target at the end. */
  onTarget: number;
  /** CPU seconds of each site's processes from the first PUT until all had arrived. */
  sourceCpu: number;
  targetCpu: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PUTs `count` copies of `body` as `prefix`NNNNNN, `concurrency` at a time. */
export async function putObjects(
  s3: S3Client,
  site: Site,
  bucket: string,
  prefix: string,
  count: number,
  body: Uint8Array,
  concurrency: number,
): Promise<PutPhase> {
  const pid = site.process.pid ?? 0;
  const cpu = treeCpuSeconds(pid);
  const start = performance.now();
  await pool(count, concurrency, async (i) => {
    const key = `${prefix}${String(i).padStart(6, "0")}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  });
  return {
    seconds: (performance.now() - start) / 1000,
    sourceCpu: treeCpuSeconds(pid) - cpu,
  };
}

/** PUTs the objects and waits until the target holds them all (or progress stalls). */
export async function measureBulk(options: BulkOptions): Promise<BulkResult> {
  const { source, target, bucket, count } = options;
  const pids = [source.process.pid ?? 0, target.process.pid ?? 0];
  const cpuBefore = pids.map(treeCpuSeconds);
  const before = await targetCounts(source, bucket);
  const start = performance.now();
  const putting = putObjects(
    options.sourceS3,
    source,
    bucket,
    "bulk/",
    count,
    options.body,
    options.concurrency,
  );
  let latest = before;
  let movedAt = performance.now();
  let allAt = Number.NaN;
  let putFailure: unknown = null;
  let putDone = false;
  putting.then(
    () => (putDone = true),
    (error: unknown) => (putFailure = error),
  );
  while (putFailure === null) {
    const now = await targetCounts(source, bucket);
    if (now.replicatedCount !== latest.replicatedCount) movedAt = performance.now();
    latest = now;
    if (latest.replicatedCount - before.replicatedCount >= count) {
      allAt = performance.now();
      break;
    }
    if (putDone && performance.now() - movedAt > options.stallMs) break;
    await sleep(options.pollMs);
  }
  if (putFailure !== null)
    throw putFailure instanceof Error ? putFailure : new Error("PUT failed", { cause: putFailure });
  const put = await putting;
  const cpuAfter = pids.map(treeCpuSeconds);
  const onTarget = (await versionList(options.targetS3, bucket)).length;
  return {
    put,
    replicatedSeconds: (allAt - start) / 1000,
    replicated: latest.replicatedCount - before.replicatedCount,
    failed: latest.failedCount - before.failedCount,
    transferMs: meanTransferMs(before, latest),
    onTarget,
    sourceCpu: cpuAfter[0] - cpuBefore[0],
    targetCpu: cpuAfter[1] - cpuBefore[1],
  };
}
