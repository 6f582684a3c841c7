/**
 * Replica batches between two real local sites, B reached through a
 * recording proxy that counts what it receives: existing-object replication
 * and a resync send small whole versions in batches (a large version and a
 * delete marker still go alone), and a target that refuses batches (an
 * older site, played by the proxy answering 501 NotImplemented) still gets
 * every version, one by one.
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin } from "./harness/clients.ts";
import { recordingProxy, type RecordingProxy } from "./harness/proxy.ts";
import {
  addTarget,
  eventually,
  putReplication,
  remoteUser,
  sameVersionLists,
  versionedBucket,
} from "./harness/replication.ts";
import { startSite, type Site } from "./harness/site.ts";

const BATCH = "floe-replica-batch";
let a: Site;
let b: Site;
const proxies: RecordingProxy[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  await remoteUser(b);
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await Promise.all([a?.remove(), b?.remove()]);
});

/** Writes `count` small objects, one of 300 KiB (too large for a batch) and a delete marker. */
async function fill(s3: S3Client, bucket: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: `small/${i + j}`, Body: `v${i + j}` })),
      ),
    );
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "large", Body: Buffer.alloc(300 * 1024, 7) }),
  );
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "small/0" }));
}

/** Two buckets, B behind a recording proxy; returns both clients, the proxy and the target ARN. */
async function pair(bucket: string, refuseBatches: boolean) {
  const [sa, sb] = await Promise.all([versionedBucket(a, bucket), versionedBucket(b, bucket)]);
  const proxy = await recordingProxy(b.port, {
    refuse: (method, url) =>
      refuseBatches && method === "POST" && url.includes(BATCH)
        ? { status: 501, code: "NotImplemented" }
        : null,
  });
  proxies.push(proxy);
  const arn = await addTarget(a, bucket, { ...b, port: proxy.port }, bucket);
  return { sa, sb, proxy, arn };
}

const batchPosts = (proxy: RecordingProxy) =>
  proxy.requests.filter((r) => r.method === "POST" && r.url.includes(BATCH));
const smallPuts = (proxy: RecordingProxy) =>
  proxy.requests.filter((r) => r.method === "PUT" && r.url.includes("/small/"));

describe("replica batches", () => {
  it("carry the small versions of existing-object replication and of a resync", async () => {
    const { sa, sb, proxy, arn } = await pair("batches", false);
    await fill(sa, "batches", 60);
    expect((await putReplication(a, "batches", [{ arn }])).status).toBe(200);
    const versions = await sameVersionLists(sa, sb, "batches");
    expect(versions).toHaveLength(62);
    // 60 small versions in a few batches, none alone; the large one alone.
    expect(batchPosts(proxy).length).toBeGreaterThan(0);
    expect(batchPosts(proxy).length).toBeLessThanOrEqual(10);
    expect(batchPosts(proxy).every((r) => r.status === 200)).toBe(true);
    expect(smallPuts(proxy)).toHaveLength(0);
    expect(
      proxy.requests.filter((r) => r.method === "PUT" && r.url.includes("/large")),
    ).toHaveLength(1);

    // B loses the small versions; a resync restores them in batches again.
    for (const version of versions.filter((v) => v.key.startsWith("small/") && !v.deleteMarker))
      await sb.send(
        new DeleteObjectCommand({
          Bucket: "batches",
          Key: version.key,
          VersionId: version.versionId,
        }),
      );
    const posted = batchPosts(proxy).length;
    const started = await admin(a, "POST", "buckets/batches/replication/resync", { arn });
    expect(started.status).toBe(200);
    expect(await sameVersionLists(sa, sb, "batches")).toEqual(versions);
    expect(batchPosts(proxy).length).toBeGreaterThan(posted);
    expect(smallPuts(proxy)).toHaveLength(0);
  }, 120_000);

  it("fall back to one request per version when the target refuses them", async () => {
    const { sa, sb, proxy, arn } = await pair("no-batches", true);
    await fill(sa, "no-batches", 30);
    expect((await putReplication(a, "no-batches", [{ arn }])).status).toBe(200);
    const versions = await sameVersionLists(sa, sb, "no-batches");
    expect(versions).toHaveLength(32);
    expect(batchPosts(proxy).length).toBeGreaterThan(0);
    expect(batchPosts(proxy).every((r) => r.status === 501)).toBe(true);
    // Every small version that still exists went alone, and reached B once.
    const keys = smallPuts(proxy)
      .filter((r) => r.status === 200)
      .map((r) => new URL(r.url, "http://proxy").pathname)
      .sort();
    expect(keys).toEqual([...new Set(keys)]);
    expect(keys).toHaveLength(30);
    await eventually(
      async () => {
        const status = await admin<{ targets: { pendingCount: number; failedNow: number }[] }>(
          a,
          "GET",
          "buckets/no-batches/replication/status",
        );
        const [target] = status.body.targets;
        return target?.pendingCount === 0 && target.failedNow === 0;
      },
      20_000,
      "nothing pending or failed",
    );
  }, 120_000);
});
