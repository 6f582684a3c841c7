/**
 * Replication modes between two real local sites (one process each): a
 * target's bandwidth limit, sync targets that replicate before the write
 * answers, and two-way replication whose concurrent writes and deletes
 * converge without loops to identical version lists.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Client } from "./harness/clients.ts";
import { patternStream } from "./harness/data.ts";
import {
  addTarget,
  eventually,
  putReplication,
  remoteUser,
  replicate,
  replicationStatus,
  sameVersionLists,
  versionedBucket,
  versionList,
} from "./harness/replication.ts";
import { startSite, type Site } from "./harness/site.ts";

const MiB = 1024 * 1024;
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;
const status = replicationStatus;
const sameVersions = (bucket: string, timeoutMs?: number) =>
  sameVersionLists(sa, sb, bucket, timeoutMs);

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  sa = s3Client(a);
  sb = s3Client(b);
  await Promise.all([remoteUser(a), remoteUser(b)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("bandwidth", () => {
  it("keeps a target under its bandwidth limit", async () => {
    await versionedBucket(a, "throttled");
    await versionedBucket(b, "throttled");
    const arn = await addTarget(a, "throttled", b, "throttled", { bandwidth: 1024 * 1024 });
    expect((await putReplication(a, "throttled", [{ arn }])).status).toBe(200);
    const started = Date.now();
    await sa.send(
      new PutObjectCommand({
        Bucket: "throttled",
        Key: "three.bin",
        Body: patternStream(3 * MiB, 4),
        ContentLength: 3 * MiB,
      }),
    );
    await eventually(
      async () => (await status(sa, "throttled", "three.bin")) === "COMPLETED",
      30_000,
      "replicated",
    );
    // 3 MiB at 1 MiB/s cannot arrive in less than about 2 s (the first chunk goes at once).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  }, 60_000);
});

describe("sync targets", () => {
  it("replicate before the write answers", async () => {
    await versionedBucket(a, "syncb");
    await versionedBucket(b, "syncb");
    await replicate(a, b, "syncb", {}, { sync: true });
    const put = await sa.send(
      new PutObjectCommand({ Bucket: "syncb", Key: "now.txt", Body: "right now" }),
    );
    const copy = await sb.send(new HeadObjectCommand({ Bucket: "syncb", Key: "now.txt" }));
    expect(copy.VersionId).toBe(put.VersionId);
    expect(await status(sa, "syncb", "now.txt")).toBe("COMPLETED");
  });
});

describe("two-way replication", () => {
  beforeAll(async () => {
    await versionedBucket(a, "twoway");
    await versionedBucket(b, "twoway");
    await replicate(a, b, "twoway");
    await replicate(b, a, "twoway");
  }, 60_000);

  it("converges concurrent writes on both sides to identical version lists, without loops", async () => {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      writes.push(
        sa.send(new PutObjectCommand({ Bucket: "twoway", Key: `k${i % 4}`, Body: `a${i}` })),
      );
      writes.push(
        sb.send(new PutObjectCommand({ Bucket: "twoway", Key: `k${i % 4}`, Body: `b${i}` })),
      );
    }
    await Promise.all(writes);
    const versions = await sameVersions("twoway");
    expect(versions).toHaveLength(20);
    for (let k = 0; k < 4; k++) {
      const latestA = await sa.send(new GetObjectCommand({ Bucket: "twoway", Key: `k${k}` }));
      const latestB = await sb.send(new GetObjectCommand({ Bucket: "twoway", Key: `k${k}` }));
      expect(latestA.VersionId).toBe(latestB.VersionId);
      expect(await latestA.Body!.transformToString()).toBe(await latestB.Body!.transformToString());
    }
    // No loop: nothing more arrives once both sides settled.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await versionList(sa, "twoway")).toHaveLength(20);
    expect(await versionList(sb, "twoway")).toHaveLength(20);
  }, 60_000);

  it("sends metadata changes made on a replica back, the last change winning", async () => {
    const put = await sa.send(new PutObjectCommand({ Bucket: "twoway", Key: "meta", Body: "m" }));
    await sameVersions("twoway");
    await sb.send(
      new PutObjectTaggingCommand({
        Bucket: "twoway",
        Key: "meta",
        VersionId: put.VersionId,
        Tagging: { TagSet: [{ Key: "from", Value: "b" }] },
      }),
    );
    const tagsOn = async (s3: S3Client) =>
      (await s3.send(new GetObjectTaggingCommand({ Bucket: "twoway", Key: "meta" }))).TagSet ?? [];
    await eventually(async () => (await tagsOn(sa))[0]?.Value === "b", 20_000, "tags flowed back");
    await sa.send(
      new PutObjectTaggingCommand({
        Bucket: "twoway",
        Key: "meta",
        Tagging: { TagSet: [{ Key: "from", Value: "a-later" }] },
      }),
    );
    await eventually(
      async () => (await tagsOn(sb))[0]?.Value === "a-later",
      20_000,
      "later tags won",
    );
    expect((await tagsOn(sa))[0]?.Value).toBe("a-later");
  }, 60_000);

  it("keeps both delete markers, in the same order on both sides, when both delete at once", async () => {
    await sa.send(new PutObjectCommand({ Bucket: "twoway", Key: "both", Body: "shared" }));
    await sameVersions("twoway");
    const deletes = await Promise.all([
      sa.send(new DeleteObjectCommand({ Bucket: "twoway", Key: "both" })),
      sb.send(new DeleteObjectCommand({ Bucket: "twoway", Key: "both" })),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const versions = (await sameVersions("twoway")).filter((v) => v.key === "both");
    // As in S3, each DeleteObject made its own marker; both sites hold both.
    expect(versions.filter((v) => v.deleteMarker).map((v) => v.versionId)).toEqual(
      deletes.map((d) => d.VersionId!).sort(),
    );
    const latest = versions.filter((v) => v.isLatest);
    expect(latest).toHaveLength(1);
    expect(latest[0].deleteMarker).toBe(true);
  }, 60_000);

  it("keeps two delete markers when the second deletes on top of the first", async () => {
    await sa.send(new PutObjectCommand({ Bucket: "twoway", Key: "twice", Body: "x" }));
    await sa.send(new DeleteObjectCommand({ Bucket: "twoway", Key: "twice" }));
    await sameVersions("twoway");
    await sb.send(new DeleteObjectCommand({ Bucket: "twoway", Key: "twice" }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const versions = (await sameVersions("twoway")).filter((v) => v.key === "twice");
    expect(versions.filter((v) => v.deleteMarker)).toHaveLength(2);
  }, 60_000);
});
