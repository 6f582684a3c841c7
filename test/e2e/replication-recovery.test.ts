/**
 * The disaster-recovery procedures of MinIO's resync guide between two
 * real local sites: a site that lost part of a bucket behind replication's
 * back, and one that lost everything, are rebuilt by a resync from the
 * healthy site and proven equal with `verify`; a resync survives a restart
 * of its site and ends with counters that add up.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import { md5OfStream, patternBytes, patternStream } from "./harness/data.ts";
import {
  addTarget,
  eventually,
  putReplication,
  remoteUser,
  runCron,
  versionedBucket,
  versionList,
  type RuleSpec,
} from "./harness/replication.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER } from "./harness/site.ts";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { startSite, type Site } from "./harness/site.ts";
import { recordingProxy } from "./harness/proxy.ts";

const METRICS_TOKEN = "metrics-token-for-tests";
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;

interface Job {
  jobId: string;
  status: string;
  total: number;
  replicatedCount: number;
  skippedCount: number;
  failedCount: number;
}

async function resync(
  site: Site,
  bucket: string,
  arn: string,
  extra: Record<string, unknown> = {},
) {
  const res = await admin<Job & { code?: string }>(
    site,
    "POST",
    `buckets/${bucket}/replication/resync`,
    { arn, ...extra },
  );
  if (res.status !== 200)
    throw new Error(`resync start: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function job(site: Site, bucket: string, arn: string): Promise<Job> {
  const res = await admin<{ jobs: (Job & { target: string })[] }>(
    site,
    "GET",
    `buckets/${bucket}/replication/resync?arn=${encodeURIComponent(arn)}`,
  );
  return res.body.jobs[0];
}

async function finished(site: Site, bucket: string, arn: string, timeoutMs = 60_000): Promise<Job> {
  let last: Job | null = null;
  await eventually(
    async () => {
      last = await job(site, bucket, arn);
      return last.status === "Completed" || last.status === "Failed";
    },
    timeoutMs,
    "resync to finish",
  );
  return last as unknown as Job;
}

async function verify(site: Site, bucket: string, arn: string) {
  const res = await admin<{ equal: boolean; differences: unknown[] }>(
    site,
    "POST",
    `buckets/${bucket}/replication/verify`,
    { arn },
  );
  if (res.status !== 200) throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function writeHistory(s3: S3Client, bucket: string, keys: number) {
  for (let i = 0; i < keys; i++) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `dir-${i % 3}/obj-${i}`, Body: `first ${i}` }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `dir-${i % 3}/obj-${i}`, Body: `second ${i}` }),
    );
    if (i % 4 === 0)
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `dir-${i % 3}/obj-${i}` }));
  }
}

async function sameContent(bucket: string) {
  const here = await versionList(sa, bucket);
  const there = await versionList(sb, bucket);
  expect(there).toEqual(here);
  for (const version of here.filter((v) => !v.deleteMarker)) {
    const read = async (s3: S3Client) =>
      md5OfStream(
        (
          await s3.send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: version.key,
              VersionId: version.versionId,
            }),
          )
        ).Body as AsyncIterable<Uint8Array>,
      );
    expect(await read(sb)).toEqual(await read(sa));
  }
}

beforeAll(async () => {
  [a, b] = await Promise.all([
    startSite({ vars: { FLOE_METRICS_TOKEN: METRICS_TOKEN } }),
    startSite(),
  ]);
  sa = s3Client(a);
  sb = s3Client(b);
  await Promise.all([remoteUser(a), remoteUser(b)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("partial loss", () => {
  it("restores the versions site B lost behind replication's back, then replicates both ways again", async () => {
    await versionedBucket(a, "partial");
    await versionedBucket(b, "partial");
    const toB = await addTarget(a, "partial", b);
    const toA = await addTarget(b, "partial", a);
    const rule = (arn: string, status: RuleSpec["status"] = "Enabled"): RuleSpec[] => [
      { id: "dr", arn, status },
    ];
    expect((await putReplication(a, "partial", rule(toB))).status).toBe(200);
    expect((await putReplication(b, "partial", rule(toA))).status).toBe(200);
    await writeHistory(sa, "partial", 15);
    await eventually(
      async () =>
        JSON.stringify(await versionList(sa, "partial")) ===
        JSON.stringify(await versionList(sb, "partial")),
      30_000,
      "initial replication",
    );
    const all = await versionList(sb, "partial");

    // The seed's step 3: B's rules off, a third of its versions deleted there only.
    expect((await putReplication(b, "partial", rule(toA, "Disabled"))).status).toBe(200);
    const lost = all.filter((_, i) => i % 3 === 0);
    for (const v of lost)
      await sb.send(
        new DeleteObjectCommand({ Bucket: "partial", Key: v.key, VersionId: v.versionId }),
      );
    expect(await versionList(sb, "partial")).toHaveLength(all.length - lost.length);
    expect((await verify(a, "partial", toB)).equal).toBe(false);

    const started = await resync(a, "partial", toB);
    expect(started.total).toBe(all.length);
    const done = await finished(a, "partial", toB);
    expect(done).toMatchObject({ status: "Completed", failedCount: 0, total: all.length });
    expect(done.replicatedCount).toBe(lost.length);
    expect(done.skippedCount).toBe(all.length - lost.length);
    expect(await verify(a, "partial", toB)).toMatchObject({ equal: true, differences: [] });
    await sameContent("partial");
    const metrics = await fetch(`${a.url}/floe/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain(
      `floe_bucket_replication_resync_replicated_count{bucket="partial",targetArn="${toB}",mode="resync",jobId="${done.jobId}"} ${lost.length}`,
    );
    expect(text).toContain(
      `floe_bucket_replication_resync_total{bucket="partial",targetArn="${toB}",mode="resync",jobId="${done.jobId}"} ${all.length}`,
    );
    const wrongToken = await fetch(`${a.url}/floe/metrics`, {
      headers: { authorization: "Bearer nope" },
    });
    expect(wrongToken.status).toBe(403);

    expect((await putReplication(b, "partial", rule(toA))).status).toBe(200);
    const fromB = await sb.send(
      new PutObjectCommand({ Bucket: "partial", Key: "after/b.txt", Body: "from b" }),
    );
    await eventually(
      async () => (await versionList(sa, "partial")).some((v) => v.versionId === fromB.VersionId),
      20_000,
      "B → A replication again",
    );
    expect((await verify(a, "partial", toB)).equal).toBe(true);
  }, 180_000);

  it("refuses a resync without existing-object replication, and a second one while the first runs", async () => {
    await versionedBucket(a, "norules");
    await versionedBucket(b, "norules");
    const arn = await addTarget(a, "norules", b);
    expect((await putReplication(a, "norules", [{ arn, existing: false }])).status).toBe(200);
    const refused = await admin(a, "POST", "buckets/norules/replication/resync", { arn });
    expect([refused.status, refused.body.code]).toEqual([400, "NoExistingObjectReplication"]);
  });
});

/** GetBucketReplication's XML as an operator would export it. */
async function exportReplication(site: Site, bucket: string): Promise<string> {
  const url = `${site.url}/${bucket}?replication`;
  const headers = await signRequest({
    method: "GET",
    url,
    accessKeyId: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    region: REGION,
  });
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

async function importReplication(site: Site, bucket: string, xml: string) {
  const url = `${site.url}/${bucket}?replication`;
  const headers = await signRequest({
    method: "PUT",
    url,
    accessKeyId: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    region: REGION,
  });
  const res = await fetch(url, { method: "PUT", headers, body: xml });
  return { status: res.status, body: await res.text() };
}

describe("total loss", () => {
  it("rebuilds a site that lost everything from its peer, markers included, and replicates again", async () => {
    await versionedBucket(a, "total");
    await versionedBucket(b, "total");
    const toB = await addTarget(a, "total", b);
    const toA = await addTarget(b, "total", a);
    expect((await putReplication(a, "total", [{ id: "to-b", arn: toB }])).status).toBe(200);
    expect((await putReplication(b, "total", [{ id: "to-a", arn: toA }])).status).toBe(200);
    await writeHistory(sa, "total", 9);
    await writeHistory(sb, "total", 6);
    await eventually(
      async () =>
        JSON.stringify(await versionList(sa, "total")) ===
        JSON.stringify(await versionList(sb, "total")),
      30_000,
      "initial replication",
    );
    const everything = await versionList(sa, "total");
    expect(everything.some((v) => v.deleteMarker)).toBe(true);
    const exported = await exportReplication(b, "total");

    // Site B loses its whole state and starts empty on the same address.
    await b.stop();
    rmSync(b.state, { recursive: true, force: true });
    await b.restart();
    await remoteUser(b);
    await versionedBucket(b, "total");
    expect(await versionList(sb, "total")).toEqual([]);

    const started = await resync(a, "total", toB);
    expect(started.total).toBe(everything.length);
    const done = await finished(a, "total", toB);
    expect(done).toMatchObject({
      status: "Completed",
      failedCount: 0,
      replicatedCount: everything.length,
      skippedCount: 0,
    });
    expect(await verify(a, "total", toB)).toMatchObject({ equal: true });
    await sameContent("total");

    // B is set up to replicate again: the same target (same ARN), then the exported rules.
    expect(await addTarget(b, "total", a)).toBe(toA);
    expect((await importReplication(b, "total", exported)).status).toBe(200);
    const fromB = await sb.send(
      new PutObjectCommand({ Bucket: "total", Key: "after/b.txt", Body: "from b" }),
    );
    await eventually(
      async () => (await versionList(sa, "total")).some((v) => v.versionId === fromB.VersionId),
      20_000,
      "B → A replication after the rebuild",
    );
  }, 180_000);
});

describe("interrupted resync", () => {
  it("resumes after its site restarts and ends with counters that add up", async () => {
    await versionedBucket(a, "restart");
    await versionedBucket(b, "restart");
    const arn = await addTarget(a, "restart", b);
    expect((await putReplication(a, "restart", [{ arn }])).status).toBe(200);
    const body = await patternBytes(64 * 1024, 3);
    for (let i = 0; i < 120; i++)
      await sa.send(
        new PutObjectCommand({
          Bucket: "restart",
          Key: `o/${String(i).padStart(3, "0")}`,
          Body: body,
        }),
      );
    await eventually(
      async () => (await versionList(sb, "restart")).length === 120,
      60_000,
      "initial copy",
    );
    for (const v of await versionList(sb, "restart"))
      await sb.send(
        new DeleteObjectCommand({ Bucket: "restart", Key: v.key, VersionId: v.versionId }),
      );
    // Slow the link so the resync is still running when its site restarts.
    const slow = await admin(
      a,
      "PATCH",
      `buckets/restart/remote-targets?arn=${encodeURIComponent(arn)}`,
      { bandwidth: 1024 * 1024 },
    );
    expect(slow.status).toBe(200);
    const started = await resync(a, "restart", arn);
    expect(started.total).toBe(120);
    await eventually(
      async () => (await job(a, "restart", arn)).replicatedCount > 5,
      30_000,
      "resync under way",
    );
    await a.restart();
    const resumed = await job(a, "restart", arn);
    expect(resumed.status).toBe("Ongoing");
    expect(resumed.replicatedCount).toBeLessThan(120);
    await admin(a, "PATCH", `buckets/restart/remote-targets?arn=${encodeURIComponent(arn)}`, {
      bandwidth: null,
    });
    let done: Job | null = null;
    await eventually(
      async () => {
        await runCron(a);
        done = await job(a, "restart", arn);
        return done.status === "Completed" || done.status === "Failed";
      },
      90_000,
      "resync to finish after the restart",
    );
    const final = done as unknown as Job;
    expect(final.status).toBe("Completed");
    expect(final.failedCount).toBe(0);
    expect(final.replicatedCount + final.skippedCount).toBe(120);
    expect(await versionList(sb, "restart")).toHaveLength(120);
    expect(await verify(a, "restart", arn)).toMatchObject({ equal: true });
  }, 240_000);
});

describe("resync scopes", () => {
  it("restores only under --prefix and only what is older than --older-than", async () => {
    await versionedBucket(a, "scoped");
    await versionedBucket(b, "scoped");
    const arn = await addTarget(a, "scoped", b);
    expect((await putReplication(a, "scoped", [{ arn }])).status).toBe(200);
    for (const key of ["keep/a", "keep/b", "skip/c", "skip/d"])
      await sa.send(new PutObjectCommand({ Bucket: "scoped", Key: key, Body: key }));
    await eventually(
      async () => (await versionList(sb, "scoped")).length === 4,
      20_000,
      "replicated",
    );
    for (const v of await versionList(sb, "scoped"))
      await sb.send(
        new DeleteObjectCommand({ Bucket: "scoped", Key: v.key, VersionId: v.versionId }),
      );
    const tooRecent = await resync(a, "scoped", arn, { prefix: "keep/", olderThan: "1h" });
    expect(tooRecent.total).toBe(0);
    await finished(a, "scoped", arn);
    const scoped = await resync(a, "scoped", arn, { prefix: "keep/" });
    expect(scoped.total).toBe(2);
    expect(await finished(a, "scoped", arn)).toMatchObject({
      status: "Completed",
      replicatedCount: 2,
    });
    expect((await versionList(sb, "scoped")).map((v) => v.key)).toEqual(["keep/a", "keep/b"]);
    const report = await verify(a, "scoped", arn);
    expect(report.equal).toBe(false);
    expect(report.differences).toHaveLength(2);
  }, 60_000);
});

describe("multipart transfers", () => {
  it("resume by part after the target went away mid-transfer, B acknowledging each part once", async () => {
    await versionedBucket(a, "parts");
    await versionedBucket(b, "parts");
    // B is reached through a recording proxy: it counts the parts B acknowledges.
    const proxy = await recordingProxy(b.port);
    const arn = await addTarget(a, "parts", { ...b, port: proxy.port }, "parts", {
      bandwidth: 1024 * 1024,
    });
    expect((await putReplication(a, "parts", [{ arn, existing: false }])).status).toBe(200);
    const upload = new Upload({
      client: sa,
      params: { Bucket: "parts", Key: "big.bin", Body: patternStream(15 * 1024 * 1024, 5) },
      partSize: 5 * 1024 * 1024,
      queueSize: 1,
    });
    const written = await upload.done();
    type Entry = {
      key: string;
      upload: { uploadId: string; parts: Record<string, string> } | null;
    };
    let progress: Entry["upload"] = null;
    await eventually(
      async () => {
        const diff = await admin<{ entries: Entry[] }>(a, "GET", "buckets/parts/replication/diff");
        progress = diff.body.entries.find((e) => e.key === "big.bin")?.upload ?? null;
        return progress !== null && Object.keys(progress.parts).length >= 1;
      },
      30_000,
      "a first part acknowledged",
    );
    await b.stop();
    const during = await admin<{ entries: Entry[] }>(a, "GET", "buckets/parts/replication/diff");
    const kept = during.body.entries.find((e) => e.key === "big.bin")?.upload;
    expect(kept?.uploadId).toBe((progress as unknown as { uploadId: string }).uploadId);
    expect(Object.keys(kept?.parts ?? {}).length).toBeGreaterThanOrEqual(1);
    await b.restart();
    // The resume stays slow (1 MiB/s) while reads of the PENDING version and the cron keep
    // requeuing it: each such attempt must find the transfer's lease held and skip.
    await eventually(
      async () => {
        await runCron(a);
        await sa.send(new HeadObjectCommand({ Bucket: "parts", Key: "big.bin" }));
        const versions = await versionList(sb, "parts");
        return versions.some((v) => v.versionId === written.VersionId);
      },
      120_000,
      "the multipart version on B",
    );
    const copy = await versionList(sb, "parts");
    expect(copy[0].etag).toBe(written.ETag);
    const read = async (s3: S3Client) =>
      md5OfStream(
        (await s3.send(new GetObjectCommand({ Bucket: "parts", Key: "big.bin" })))
          .Body as AsyncIterable<Uint8Array>,
      );
    expect(await read(sb)).toEqual(await read(sa));
    const parts = proxy.requests.filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
    const acknowledged = parts
      .filter((r) => r.status === 200)
      .map((r) => new URL(r.url, "http://proxy").searchParams.get("partNumber"));
    // Every part reaches B once: the resume starts after the parts B acknowledged before it went
    // away, and the retries, requeues and drains racing meanwhile skip while one attempt holds the
    // version's lease.
    expect(acknowledged.sort()).toEqual(["1", "2", "3"]);
    await proxy.close();
  }, 180_000);
});

describe("a source whose coordinator is lost", () => {
  it("is rebuilt from its drives and resyncs what the target never got", async () => {
    await versionedBucket(a, "lost-log");
    await versionedBucket(b, "lost-log");
    const toB = await addTarget(a, "lost-log", b);
    expect((await putReplication(a, "lost-log", [{ id: "dr", arn: toB }])).status).toBe(200);
    await writeHistory(sa, "lost-log", 4);
    await eventually(
      async () =>
        JSON.stringify(await versionList(sa, "lost-log")) ===
        JSON.stringify(await versionList(sb, "lost-log")),
      30_000,
      "initial replication",
    );

    // B goes away; what A takes meanwhile waits in A's replication log, which A then loses.
    await b.stop();
    for (const key of ["late/1", "late/2"])
      await sa.send(new PutObjectCommand({ Bucket: "lost-log", Key: key, Body: key }));
    const before = await versionList(sa, "lost-log");
    const wiped = await admin(a, "POST", "coordinator/fault", {
      bucket: "lost-log",
      fault: "wipe",
    });
    expect(wiped.status).toBe(200);
    await b.restart();

    const rebuilt = await admin<{ rebuilt: { versions: number; resyncStarted: string[] }[] }>(
      a,
      "POST",
      "rebuild",
      { bucket: "lost-log" },
    );
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.rebuilt[0]).toMatchObject({
      versions: before.length,
      resyncStarted: [toB],
    });
    expect(await versionList(sa, "lost-log")).toEqual(before);
    const done = await finished(a, "lost-log", toB);
    expect(done).toMatchObject({ status: "Completed", failedCount: 0, replicatedCount: 2 });
    expect(done.skippedCount).toBe(before.length - 2);
    expect(await verify(a, "lost-log", toB)).toMatchObject({ equal: true });
    await sameContent("lost-log");
  });
});
