/**
 * Server-side replication between two real local sites (one process each):
 * one-way with objects of every size and storage class, delete markers and version deletes,
 * prefix and tag filters with priorities, metrics, lifecycle, and replica
 * writes refused to a user without replication permission (bandwidth
 * limits, sync targets and two-way replication: replication-modes.test.ts).
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import { md5OfStream, patternMd5, patternStream } from "./harness/data.ts";
import { s3Error } from "./harness/errors.ts";
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
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { signRequest } from "../../shared/sigv4/sign.ts";

const MiB = 1024 * 1024;
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;

async function md5Of(s3: S3Client, bucket: string, key: string, versionId?: string) {
  const res = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return md5OfStream(res.Body as AsyncIterable<Uint8Array>);
}

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

describe("one-way replication", () => {
  beforeAll(async () => {
    await versionedBucket(a, "oneway");
    await versionedBucket(b, "oneway");
    await replicate(a, b, "oneway");
  }, 60_000);

  it("replicates objects of 0 B, inline size, 64 MiB and multipart 100 MiB byte for byte", async () => {
    const small = await sa.send(
      new PutObjectCommand({
        Bucket: "oneway",
        Key: "docs/small.txt",
        Body: "x".repeat(1000),
        ContentType: "text/plain",
        Metadata: { owner: "alice" },
        Tagging: "project=floe&tier=gold",
        CacheControl: "max-age=60",
      }),
    );
    const empty = await sa.send(new PutObjectCommand({ Bucket: "oneway", Key: "empty", Body: "" }));
    const big = await sa.send(
      new PutObjectCommand({
        Bucket: "oneway",
        Key: "big.bin",
        Body: patternStream(64 * MiB, 7),
        ContentLength: 64 * MiB,
      }),
    );
    const upload = new Upload({
      client: sa,
      params: { Bucket: "oneway", Key: "multi.bin", Body: patternStream(100 * MiB, 9) },
      partSize: 16 * MiB,
      queueSize: 2,
    });
    const multi = await upload.done();

    await eventually(
      async () => (await status(sa, "oneway", "multi.bin")) === "COMPLETED",
      60_000,
      "multipart replicated",
    );
    for (const key of ["docs/small.txt", "empty", "big.bin"])
      await eventually(async () => (await status(sa, "oneway", key)) === "COMPLETED", 30_000, key);

    const replica = await sb.send(
      new GetObjectCommand({ Bucket: "oneway", Key: "docs/small.txt" }),
    );
    expect(replica.VersionId).toBe(small.VersionId);
    expect(replica.ETag).toBe(small.ETag);
    expect(replica.ContentType).toBe("text/plain");
    expect(replica.CacheControl).toBe("max-age=60");
    expect(replica.Metadata).toEqual({ owner: "alice" });
    expect(replica.ReplicationStatus).toBe("REPLICA");
    expect(await replica.Body!.transformToString()).toBe("x".repeat(1000));
    const tags = await sb.send(
      new GetObjectTaggingCommand({ Bucket: "oneway", Key: "docs/small.txt" }),
    );
    expect(tags.TagSet).toEqual([
      { Key: "project", Value: "floe" },
      { Key: "tier", Value: "gold" },
    ]);
    const source = await sa.send(
      new HeadObjectCommand({ Bucket: "oneway", Key: "docs/small.txt" }),
    );
    const copy = await sb.send(new HeadObjectCommand({ Bucket: "oneway", Key: "docs/small.txt" }));
    expect(copy.LastModified).toEqual(source.LastModified);

    expect(
      (await sb.send(new HeadObjectCommand({ Bucket: "oneway", Key: "empty" }))).VersionId,
    ).toBe(empty.VersionId);
    expect(await md5Of(sb, "oneway", "big.bin")).toEqual({
      md5: await patternMd5(64 * MiB, 7),
      size: 64 * MiB,
    });
    expect(
      (await sb.send(new HeadObjectCommand({ Bucket: "oneway", Key: "big.bin" }))).VersionId,
    ).toBe(big.VersionId);
    const multiCopy = await sb.send(new HeadObjectCommand({ Bucket: "oneway", Key: "multi.bin" }));
    expect(multiCopy.ETag).toBe(multi.ETag);
    expect(multiCopy.VersionId).toBe(multi.VersionId);
    expect(await md5Of(sb, "oneway", "multi.bin")).toEqual({
      md5: await patternMd5(100 * MiB, 9),
      size: 100 * MiB,
    });
  }, 180_000);

  it("replicates the storage class the client asked for, single-part and multipart", async () => {
    await sa.send(
      new PutObjectCommand({
        Bucket: "oneway",
        Key: "classes/glacier",
        Body: "cold",
        StorageClass: "GLACIER",
      }),
    );
    await new Upload({
      client: sa,
      params: {
        Bucket: "oneway",
        Key: "classes/deep",
        Body: patternStream(12 * MiB, 3),
        StorageClass: "DEEP_ARCHIVE",
      },
      partSize: 5 * MiB,
      queueSize: 1,
    }).done();
    for (const key of ["classes/glacier", "classes/deep"])
      await eventually(async () => (await status(sa, "oneway", key)) === "COMPLETED", 60_000, key);
    const glacier = await sb.send(
      new HeadObjectCommand({ Bucket: "oneway", Key: "classes/glacier" }),
    );
    const deep = await sb.send(new HeadObjectCommand({ Bucket: "oneway", Key: "classes/deep" }));
    expect([glacier.StorageClass, deep.StorageClass]).toEqual(["GLACIER", "DEEP_ARCHIVE"]);
    expect(await md5Of(sb, "oneway", "classes/deep")).toEqual(
      await md5Of(sa, "oneway", "classes/deep"),
    );
  });

  it("replicates delete markers after the versions they cover, and version deletes", async () => {
    const v1 = await sa.send(
      new PutObjectCommand({ Bucket: "oneway", Key: "gone.txt", Body: "one" }),
    );
    const v2 = await sa.send(
      new PutObjectCommand({ Bucket: "oneway", Key: "gone.txt", Body: "two" }),
    );
    const marker = await sa.send(new DeleteObjectCommand({ Bucket: "oneway", Key: "gone.txt" }));
    expect(marker.DeleteMarker).toBe(true);
    const versions = await sameVersions("oneway");
    const gone = versions.filter((v) => v.key === "gone.txt");
    expect(gone.map((v) => v.versionId).sort()).toEqual(
      [v1.VersionId, v2.VersionId, marker.VersionId].sort(),
    );
    expect(gone.find((v) => v.isLatest)).toMatchObject({
      versionId: marker.VersionId,
      deleteMarker: true,
    });
    expect(
      (await s3Error(sb.send(new GetObjectCommand({ Bucket: "oneway", Key: "gone.txt" })))).name,
    ).toBe("NoSuchKey");

    await sa.send(
      new DeleteObjectCommand({ Bucket: "oneway", Key: "gone.txt", VersionId: v1.VersionId }),
    );
    await eventually(
      async () => !(await versionList(sb, "oneway")).some((v) => v.versionId === v1.VersionId),
      20_000,
      "version delete replicated",
    );
    expect(await md5Of(sb, "oneway", "gone.txt", v2.VersionId)).toEqual({
      md5: "b8a9f715dbb64fd5c56e7783c6820a61",
      size: 3,
    });
  }, 60_000);

  it("replicates tag changes, alone, to the version the target holds", async () => {
    const put = await sa.send(
      new PutObjectCommand({ Bucket: "oneway", Key: "tagged.txt", Body: "t" }),
    );
    await eventually(
      async () => (await status(sa, "oneway", "tagged.txt")) === "COMPLETED",
      20_000,
      "replicated",
    );
    await sa.send(
      new PutObjectTaggingCommand({
        Bucket: "oneway",
        Key: "tagged.txt",
        VersionId: put.VersionId,
        Tagging: { TagSet: [{ Key: "state", Value: "reviewed" }] },
      }),
    );
    await eventually(
      async () => {
        const tags = await sb.send(
          new GetObjectTaggingCommand({ Bucket: "oneway", Key: "tagged.txt" }),
        );
        return tags.TagSet?.[0]?.Value === "reviewed";
      },
      20_000,
      "tags replicated",
    );
    await sa.send(new DeleteObjectTaggingCommand({ Bucket: "oneway", Key: "tagged.txt" }));
    await eventually(
      async () => {
        const tags = await sb.send(
          new GetObjectTaggingCommand({ Bucket: "oneway", Key: "tagged.txt" }),
        );
        return (tags.TagSet ?? []).length === 0;
      },
      20_000,
      "tag removal replicated",
    );
    expect((await versionList(sb, "oneway")).filter((v) => v.key === "tagged.txt")).toHaveLength(1);
  }, 60_000);

  it("shows replication status per target", async () => {
    const res = await admin<{
      targets: { replicatedCount: number; pendingCount: number; health: { online: boolean } }[];
    }>(a, "GET", "buckets/oneway/replication/status");
    expect(res.status).toBe(200);
    expect(res.body.targets).toHaveLength(1);
    expect(res.body.targets[0].replicatedCount).toBeGreaterThanOrEqual(7);
    expect(res.body.targets[0].pendingCount).toBe(0);
    expect(res.body.targets[0].health.online).toBe(true);
    const received = await admin<{ received: { count: number } }>(
      b,
      "GET",
      "buckets/oneway/replication/status",
    );
    expect(received.body.received.count).toBeGreaterThanOrEqual(7);
  });
});

describe("metrics", () => {
  it("exports replication, drive and heal metrics to a signed scrape", async () => {
    const url = `${a.url}/floe/metrics`;
    expect((await fetch(url)).status).toBe(403);
    const headers = await signRequest({
      method: "GET",
      url,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
    });
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const sample = (name: string, labels: string) =>
      Number(new RegExp(`^${name}\\{${labels}[^}]*\\} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    expect(
      sample(
        "floe_bucket_replication_sent_count",
        'bucket="oneway",targetArn="arn:floe:replication::',
      ),
    ).toBeGreaterThanOrEqual(7);
    expect(sample("floe_bucket_replication_link_online", 'bucket="oneway"')).toBe(1);
    expect(sample("floe_bucket_replication_pending_count", 'bucket="oneway"')).toBe(0);
    expect(text).toMatch(
      /^floe_bucket_replication_latency_seconds_bucket\{bucket="oneway",.*le="\+Inf"\} \d+$/m,
    );
    expect(sample("floe_cluster_set_drives_online", 'set="pool-0/set-0"')).toBe(8);
    expect(sample("floe_cluster_set_write_quorum", 'set="pool-0/set-0"')).toBe(5);
    expect(text).toMatch(/^# TYPE floe_heal_objects_healed_total counter$/m);
    const received = await fetch(`${b.url}/floe/metrics`, {
      headers: await signRequest({
        method: "GET",
        url: `${b.url}/floe/metrics`,
        accessKeyId: ROOT_USER,
        secretKey: ROOT_PASSWORD,
        region: REGION,
      }),
    });
    expect(await received.text()).toMatch(
      /^floe_bucket_replication_received_count\{bucket="oneway"\} ([1-9]\d*)$/m,
    );
  });
});

describe("rules", () => {
  it("applies prefix and tag filters and the highest-priority matching rule", async () => {
    await versionedBucket(a, "filtered");
    await versionedBucket(b, "filtered");
    const arn = await addTarget(a, "filtered", b);
    const res = await putReplication(a, "filtered", [
      { id: "logs", arn, prefix: "logs/", priority: 1 },
      { id: "gold-no-markers", arn, prefix: "logs/gold/", priority: 5, deleteMarkers: false },
      {
        id: "tagged",
        arn,
        prefix: "media/",
        tags: { replicate: "yes" },
        priority: 3,
        deleteMarkers: false,
      },
    ]);
    expect(res.status).toBe(200);
    await sa.send(new PutObjectCommand({ Bucket: "filtered", Key: "logs/a.log", Body: "a" }));
    await sa.send(new PutObjectCommand({ Bucket: "filtered", Key: "logs/gold/b.log", Body: "b" }));
    await sa.send(new PutObjectCommand({ Bucket: "filtered", Key: "other/c.txt", Body: "c" }));
    await sa.send(
      new PutObjectCommand({
        Bucket: "filtered",
        Key: "media/d.jpg",
        Body: "d",
        Tagging: "replicate=yes",
      }),
    );
    await sa.send(
      new PutObjectCommand({
        Bucket: "filtered",
        Key: "media/e.jpg",
        Body: "e",
        Tagging: "replicate=no",
      }),
    );
    await sa.send(new DeleteObjectCommand({ Bucket: "filtered", Key: "logs/a.log" }));
    await sa.send(new DeleteObjectCommand({ Bucket: "filtered", Key: "logs/gold/b.log" }));
    await eventually(
      async () => {
        const keys = (await versionList(sb, "filtered")).map(
          (v) => `${v.key}${v.deleteMarker ? " (marker)" : ""}`,
        );
        return (
          JSON.stringify(keys.sort()) ===
          JSON.stringify(
            ["logs/a.log", "logs/a.log (marker)", "logs/gold/b.log", "media/d.jpg"].sort(),
          )
        );
      },
      20_000,
      "filtered replication",
    );
    expect(await status(sa, "filtered", "other/c.txt")).toBeUndefined();
    expect(await status(sa, "filtered", "media/e.jpg")).toBeUndefined();
  }, 60_000);

  it("refuses configurations it cannot apply", async () => {
    await versionedBucket(a, "invalid");
    const arn = await addTarget(a, "invalid", b, "filtered");
    const duplicate = await putReplication(a, "invalid", [
      { id: "one", arn, priority: 1 },
      { id: "two", arn, priority: 1 },
    ]);
    expect([duplicate.status, /<Code>(\w+)/.exec(duplicate.body)?.[1]]).toEqual([
      400,
      "InvalidRequest",
    ]);
    const unknown = await putReplication(a, "invalid", [
      { arn: "arn:floe:replication::00000000-0000-0000-0000-000000000000:nowhere" },
    ]);
    expect(unknown.status).toBe(400);
    const inUse = await putReplication(a, "invalid", [{ arn }]);
    expect(inUse.status).toBe(200);
    const remove = await admin(
      a,
      "DELETE",
      `buckets/invalid/remote-targets?arn=${encodeURIComponent(arn)}`,
    );
    expect([remove.status, remove.body.code]).toEqual([409, "RemoteTargetInUse"]);
  });

  it("checks the remote before adding a target", async () => {
    await versionedBucket(a, "checked");
    const wrongSecret = await admin(a, "POST", "buckets/checked/remote-targets", {
      url: `http://replicator:not-the-secret@127.0.0.1:${b.port}/filtered`,
    });
    expect([wrongSecret.status, wrongSecret.body.code]).toEqual([403, "RemoteTargetAuthError"]);
    const missing = await admin(a, "POST", "buckets/checked/remote-targets", {
      url: `http://replicator:replicator-secret@127.0.0.1:${b.port}/no-such-bucket`,
    });
    expect([missing.status, missing.body.code]).toEqual([404, "RemoteBucketNotFound"]);
    await s3Client(b)
      .send(new PutObjectCommand({ Bucket: "filtered", Key: "probe", Body: "" }))
      .catch(() => undefined);
    const list = await admin<{ targets: { accessKey: string; secretKey?: string }[] }>(
      a,
      "GET",
      "buckets/oneway/remote-targets",
    );
    expect(list.body.targets[0].accessKey).toBe("replicator");
    expect(JSON.stringify(list.body)).not.toContain("replicator-secret");
  });
});

describe("existing objects", () => {
  it("a rule with existing-object replication sends what the bucket held before, null versions included", async () => {
    const s3 = s3Client(a);
    await s3.send(new CreateBucketCommand({ Bucket: "before" }));
    const nullVersion = await s3.send(
      new PutObjectCommand({ Bucket: "before", Key: "legacy.txt", Body: "from before versioning" }),
    );
    expect(nullVersion.VersionId).toBeUndefined();
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: "before",
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "before", Key: "legacy.txt", Body: "after" }));
    await s3.send(new PutObjectCommand({ Bucket: "before", Key: "other.txt", Body: "x" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "before", Key: "other.txt" }));
    await versionedBucket(b, "before");
    const arn = await replicate(a, b, "before");
    const expected = await versionList(sa, "before");
    expect(expected.some((v) => v.versionId === "null")).toBe(true);
    await eventually(
      async () => JSON.stringify(await versionList(sb, "before")) === JSON.stringify(expected),
      30_000,
      "existing versions replicated",
    );
    type Job = { mode: string; status: string; total: number; replicatedCount: number } | null;
    let job: Job = null;
    await eventually(
      async () => {
        const res = await admin<{ targets: { job: Job }[] }>(
          a,
          "GET",
          "buckets/before/replication/status",
        );
        job = res.body.targets[0].job;
        return job?.status === "Completed";
      },
      20_000,
      "the existing-object job to complete",
    );
    expect(job).toMatchObject({ mode: "existing", total: 4, replicatedCount: 4 });
    expect(arn).toMatch(/^arn:floe:replication::/);
  }, 60_000);
});

describe("lifecycle", () => {
  it("never replicates what lifecycle expires", async () => {
    await versionedBucket(a, "expiring");
    await versionedBucket(b, "expiring");
    await replicate(a, b, "expiring");
    const put = await sa.send(
      new PutObjectCommand({ Bucket: "expiring", Key: "old.log", Body: "old" }),
    );
    await eventually(
      async () => (await status(sa, "expiring", "old.log")) === "COMPLETED",
      20_000,
      "replicated",
    );
    await sa.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: "expiring",
        LifecycleConfiguration: {
          Rules: [
            {
              ID: "expire",
              Status: "Enabled",
              Filter: { Prefix: "" },
              Expiration: { Days: 1 },
              NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            },
          ],
        },
      }),
    );
    const run = await admin<{ expired: number }>(a, "POST", "lifecycle/run", {
      bucket: "expiring",
      now: Date.now() + 3 * 86_400_000,
    });
    expect(run.body.expired).toBe(1);
    expect((await versionList(sa, "expiring")).some((v) => v.deleteMarker)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await versionList(sb, "expiring")).toEqual([
      expect.objectContaining({ versionId: put.VersionId, deleteMarker: false, isLatest: true }),
    ]);
    const pending = await admin<{ entries: unknown[] }>(
      a,
      "GET",
      "buckets/expiring/replication/diff",
    );
    expect(pending.body.entries).toEqual([]);
  }, 60_000);
});

describe("replica permissions", () => {
  it("refuses replica writes from a user without s3:ReplicateObject", async () => {
    await admin(b, "POST", "users", { accessKey: "plainwriter", secretKey: "plainwriter-secret" });
    await admin(b, "POST", "policies/attach", { policies: ["readwrite"], user: "plainwriter" });
    await admin(b, "PUT", "policies/no-replicate", {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Action: ["s3:ReplicateObject", "s3:ReplicateDelete"], Resource: "*" },
      ],
    });
    await admin(b, "POST", "policies/attach", { policies: ["no-replicate"], user: "plainwriter" });
    await versionedBucket(a, "refused");
    await versionedBucket(b, "refused");
    const res = await admin(a, "POST", "buckets/refused/remote-targets", {
      url: `http://plainwriter:plainwriter-secret@127.0.0.1:${b.port}/refused`,
    });
    expect(res.status).toBe(200);
    const arn = (res.body as { arn: string }).arn;
    expect((await putReplication(a, "refused", [{ arn }])).status).toBe(200);
    await sa.send(new PutObjectCommand({ Bucket: "refused", Key: "x", Body: "x" }));
    await eventually(
      async () => (await status(sa, "refused", "x")) === "FAILED",
      30_000,
      "FAILED status",
    );
    expect(await versionList(sb, "refused")).toEqual([]);
  }, 60_000);
});
