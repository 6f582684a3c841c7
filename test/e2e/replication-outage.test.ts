/**
 * A target that goes away for two minutes under writes, deletes and tag
 * changes: while it is down the retry backoff grows far past 30 s, the
 * failure counters count versions (not retry rounds), the link reports
 * offline with no stale latency and the lag objective reads breached;
 * once it is back its health probe sees it within seconds and the whole
 * backlog is requeued at once, so the sites converge within 30 s and
 * verify finds them equal. Also: `healthCheckSeconds` sets the probe
 * interval.
 */
import {
  DeleteObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import {
  addTarget,
  eventually,
  putReplication,
  remoteUser,
  runCron,
  versionedBucket,
} from "./harness/replication.ts";
import { startSite, type Site } from "./harness/site.ts";

const METRICS_TOKEN = "metrics-token-for-tests";
const BUCKET = "outage";
const KEYS = 200;
const OUTAGE_MS = Number(process.env.FLOE_OUTAGE_SECONDS ?? 120) * 1000;
const CRON_EVERY_MS = 31_000;

let a: Site;
let b: Site;
let sa: S3Client;

interface Window {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

interface TargetStatus {
  arn: string;
  pendingCount: number;
  failedCount: number;
  failedNow: number;
  failedLastHour: { count: number };
  health: { online: boolean; latencyMs: number | null; lastCheck: string | null };
  lag: { lastMinute: Window; lastHour: Window; histogram: { count: number } };
  lagSloSeconds: number | null;
  overSloCount: number;
  sloBreached: boolean;
}

async function status(): Promise<TargetStatus> {
  const res = await admin<{ targets: TargetStatus[] }>(
    a,
    "GET",
    `buckets/${BUCKET}/replication/status`,
  );
  expect(res.status).toBe(200);
  return res.body.targets[0];
}

async function metrics(): Promise<string> {
  const res = await fetch(`${a.url}/floe/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return res.text();
}

async function maxAttempts(): Promise<number> {
  const res = await admin<{ entries: { attempts: number }[] }>(
    a,
    "GET",
    `buckets/${BUCKET}/replication/diff`,
  );
  return Math.max(0, ...res.body.entries.map((e) => e.attempts));
}

/** A small deterministic PRNG so a failing run can be replayed. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

beforeAll(async () => {
  [a, b] = await Promise.all([
    startSite({ vars: { FLOE_METRICS_TOKEN: METRICS_TOKEN } }),
    startSite(),
  ]);
  sa = s3Client(a);
  await Promise.all([remoteUser(a), remoteUser(b)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("a target back from an outage", () => {
  it("gets its backlog at once: converged within 30 s of its return, verify clean", async () => {
    await versionedBucket(a, BUCKET);
    await versionedBucket(b, BUCKET);
    const arn = await addTarget(a, BUCKET, b);
    const slo = await admin(a, "PATCH", `buckets/${BUCKET}/remote-targets?arn=${arn}`, {
      lagSloSeconds: 30,
    });
    expect(slo.status).toBe(200);
    expect((await putReplication(a, BUCKET, [{ arn }])).status).toBe(200);
    for (let i = 0; i < 20; i++)
      await sa.send(new PutObjectCommand({ Bucket: BUCKET, Key: `seed-${i}`, Body: `${i}` }));
    await eventually(async () => (await status()).pendingCount === 0, 30_000, "seed replicated");

    await b.stop();
    const random = prng(17);
    const started = Date.now();
    let nextCron = started + CRON_EVERY_MS;
    let changes = 0;
    const tagged = new Set<number>();
    while (Date.now() - started < OUTAGE_MS) {
      // Two changes at a time, to two different keys: a tag never races a delete of its key.
      const first = Math.floor(random() * KEYS);
      const picks = [first, (first + 1 + Math.floor(random() * (KEYS - 1))) % KEYS];
      await Promise.all(
        picks.map(async (i) => {
          const key = `k-${i}`;
          const roll = random();
          if (roll < 0.1) {
            // A key whose latest version is a delete marker takes no tags (MethodNotAllowed).
            tagged.delete(i);
            await sa.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
          } else if (roll < 0.2 && tagged.has(i)) {
            await sa.send(
              new PutObjectTaggingCommand({
                Bucket: BUCKET,
                Key: key,
                Tagging: { TagSet: [{ Key: "round", Value: String(Math.floor(random() * 100)) }] },
              }),
            );
          } else {
            await sa.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `v ${roll}` }));
            tagged.add(i);
          }
          changes++;
        }),
      );
      // A tag change only goes to a key whose latest version is an object.
      for (const i of [...tagged]) if (random() < 0.02) tagged.delete(i);
      if (Date.now() >= nextCron) {
        await runCron(a);
        nextCron = Date.now() + CRON_EVERY_MS;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await runCron(a);

    const down = await status();
    expect(down.health.online).toBe(false);
    expect(down.health.latencyMs).toBeNull();
    expect(down.pendingCount).toBeGreaterThan(0);
    // Failures count versions, not rounds: never more than the changes made.
    expect(down.failedCount).toBeLessThanOrEqual(changes);
    expect(down.failedLastHour.count).toBeLessThanOrEqual(changes);
    // The backoff grew past 30 s: without the requeue on return, nothing would go for minutes.
    expect(await maxAttempts()).toBeGreaterThanOrEqual(7);
    expect(down).toMatchObject({ lagSloSeconds: 30, sloBreached: true });
    expect(down.overSloCount).toBeGreaterThan(0);
    const offlineMetrics = await metrics();
    const labels = `bucket="${BUCKET}",targetArn="${arn}"`;
    expect(offlineMetrics).toContain(`floe_replication_lag_slo_breached{${labels}} 1`);
    expect(offlineMetrics).toContain(`floe_bucket_replication_link_online{${labels}} 0`);
    expect(offlineMetrics).not.toContain(`floe_bucket_replication_link_latency_seconds{${labels}}`);

    await b.restart();
    const back = Date.now();
    let cron = Date.now();
    const seen: string[] = [];
    let firstProgressMs: number | null = null;
    await eventually(
      async () => {
        // The per-minute cron as a site would run it (the test's sites run without one).
        if (Date.now() - cron > 10_000) {
          cron = Date.now();
          await runCron(a);
        }
        const now = await status();
        seen.push(
          `${Date.now() - back}ms: ${now.pendingCount} pending, online ${now.health.online}`,
        );
        if (firstProgressMs === null && now.pendingCount < down.pendingCount)
          firstProgressMs = Date.now() - back;
        return now.pendingCount === 0;
      },
      30_000,
      "convergence after the target's return",
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${seen.filter((_, i) => i % 10 === 0).join("\n")}`);
    });
    const convergedMs = Date.now() - back;
    expect(convergedMs).toBeLessThanOrEqual(30_000);
    // The backlog moved within seconds of the return, not after a backoff or the next cron.
    expect(firstProgressMs).not.toBeNull();
    expect(firstProgressMs).toBeLessThanOrEqual(10_000);

    const verify = await admin<{ equal: boolean; differences: unknown[] }>(
      a,
      "POST",
      `buckets/${BUCKET}/replication/verify`,
      { arn },
    );
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ equal: true, differences: [] });

    const after = await status();
    expect(after.health.online).toBe(true);
    expect(after.failedNow).toBe(0);
    expect(after.failedCount).toBeLessThanOrEqual(changes);
    expect(after.lag.lastMinute.count).toBeGreaterThan(0);
    // Lag runs from each change's commit: the outage shows in the last hour's p99.
    expect(after.lag.lastHour.p99Ms).toBeGreaterThanOrEqual(30_000);
    expect(after.overSloCount).toBe(0);
    const text = await metrics();
    expect(text).toMatch(new RegExp(`floe_replication_lag_seconds_count\\{${labels}\\} [1-9]`));
    expect(text).toContain(`floe_bucket_replication_link_online{${labels}} 1`);
    console.log(
      `outage: ${changes} changes in ${OUTAGE_MS / 1000} s (${down.pendingCount} pending), first progress ${firstProgressMs} ms and converged ${convergedMs} ms after the return`,
    );
  }, 300_000);

  it("counts each version of an existing-object job once: progress never past 100 %", async () => {
    await versionedBucket(a, "progress");
    await versionedBucket(b, "progress");
    const arn = await addTarget(a, "progress", b);
    await sa.send(new PutObjectCommand({ Bucket: "progress", Key: "before.txt", Body: "1" }));
    expect((await putReplication(a, "progress", [{ arn, existing: false }])).status).toBe(200);
    await sa.send(new PutObjectCommand({ Bucket: "progress", Key: "during.txt", Body: "2" }));
    await eventually(
      async () =>
        (
          await admin<{ targets: { replicatedCount: number }[] }>(
            a,
            "GET",
            "buckets/progress/replication/status",
          )
        ).body.targets[0]?.replicatedCount === 1,
      30_000,
      "during.txt replicated",
    );
    // Existing-object replication turned on: a job over both versions, one already replicated.
    expect((await putReplication(a, "progress", [{ arn, existing: true }])).status).toBe(200);
    let job: Record<string, number | string | null> = {};
    await eventually(
      async () => {
        const res = await admin<{ jobs: Record<string, number | string | null>[] }>(
          a,
          "GET",
          `buckets/progress/replication/resync?arn=${encodeURIComponent(arn)}`,
        );
        job = res.body.jobs[0] ?? {};
        return job.status === "Completed";
      },
      30_000,
      "the existing-object job",
    );
    expect(job).toMatchObject({
      mode: "existing",
      total: 2,
      replicatedCount: 1,
      skippedCount: 1,
      failedCount: 0,
      etaSeconds: null,
    });
  }, 90_000);

  it("probes at the target's healthCheckSeconds, with no cron and no traffic", async () => {
    await versionedBucket(a, "probe");
    await versionedBucket(b, "probe");
    const arn = await addTarget(a, "probe", b);
    const target = async () =>
      (
        await admin<{ targets: { arn: string; health: { lastCheck: string | null } }[] }>(
          a,
          "GET",
          "buckets/probe/remote-targets",
        )
      ).body.targets.find((t) => t.arn === arn)!;
    const edit = await admin(a, "PATCH", `buckets/probe/remote-targets?arn=${arn}`, {
      healthCheckSeconds: 1,
    });
    expect(edit.status).toBe(200);
    const first = (await target()).health.lastCheck;
    await eventually(
      async () => (await target()).health.lastCheck !== first,
      10_000,
      "a probe at the 1 s interval",
    );
  }, 60_000);
});
