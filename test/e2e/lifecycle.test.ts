/**
 * Lifecycle with a clock the test controls (the admin lifecycle run takes
 * `now` on local sites): current-version expiry in unversioned and
 * versioned buckets, filters, noncurrent expiry with NewerNoncurrentVersions,
 * expired delete markers, aborting stale uploads, and object lock winning.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type LifecycleRule,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import { s3Error } from "./harness/errors.ts";
import { startSite, type Site } from "./harness/site.ts";

let site: Site;
let s3: S3Client;
const DAY = 24 * 60 * 60 * 1000;

async function lifecycle(bucket: string, rules: LifecycleRule[]) {
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: rules },
    }),
  );
}

async function runAt(bucket: string, daysFromNow: number) {
  const res = await admin<{
    expired: number;
    noncurrentRemoved: number;
    markersRemoved: number;
    uploadsAborted: number;
  }>(site, "POST", "lifecycle/run", { bucket, now: Date.now() + daysFromNow * DAY });
  expect(res.status).toBe(200);
  return res.body;
}

async function exists(bucket: string, key: string) {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
});

afterAll(async () => {
  s3?.destroy();
  await site?.remove();
});

describe("lifecycle", () => {
  it("stores, returns and deletes the configuration", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lc-config" }));
    expect(
      (await s3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-config" }))))
        .name,
    ).toBe("NoSuchLifecycleConfiguration");
    await lifecycle("lc-config", [
      {
        ID: "logs",
        Status: "Enabled",
        Filter: { And: { Prefix: "logs/", Tags: [{ Key: "keep", Value: "no" }] } },
        Expiration: { Days: 7 },
      },
      {
        ID: "uploads",
        Status: "Enabled",
        Filter: { Prefix: "" },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
      },
    ]);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-config" }));
    expect(got.Rules?.map((r) => [r.ID, r.Status, r.Expiration?.Days])).toEqual([
      ["logs", "Enabled", 7],
      ["uploads", "Enabled", undefined],
    ]);
    expect(got.Rules?.[0].Filter?.And?.Prefix).toBe("logs/");
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: "lc-config" }));
    expect(
      (await s3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-config" }))))
        .name,
    ).toBe("NoSuchLifecycleConfiguration");
    const noAction = await s3Error(
      lifecycle("lc-config", [{ ID: "x", Status: "Enabled", Filter: { Prefix: "" } }]),
    );
    expect(noAction.$metadata.httpStatusCode).toBe(400);
  });

  it("expires current versions that match the filter once their days have passed", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lc-plain" }));
    await s3.send(new PutObjectCommand({ Bucket: "lc-plain", Key: "tmp/a", Body: "a" }));
    await s3.send(
      new PutObjectCommand({ Bucket: "lc-plain", Key: "tmp/big", Body: "x".repeat(2000) }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "lc-plain", Key: "keep/b", Body: "b" }));
    await lifecycle("lc-plain", [
      {
        ID: "tmp",
        Status: "Enabled",
        Filter: { And: { Prefix: "tmp/", ObjectSizeLessThan: 1000 } },
        Expiration: { Days: 3 },
      },
    ]);
    expect((await runAt("lc-plain", 2)).expired).toBe(0);
    expect(await exists("lc-plain", "tmp/a")).toBe(true);
    expect((await runAt("lc-plain", 4)).expired).toBe(1);
    expect(await exists("lc-plain", "tmp/a")).toBe(false);
    expect(await exists("lc-plain", "tmp/big")).toBe(true);
    expect(await exists("lc-plain", "keep/b")).toBe(true);
  });

  it("hides expired objects behind markers in versioned buckets and prunes noncurrent versions", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lc-versioned" }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: "lc-versioned",
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    for (let i = 0; i < 4; i++)
      await s3.send(new PutObjectCommand({ Bucket: "lc-versioned", Key: "doc", Body: `v${i}` }));
    await lifecycle("lc-versioned", [
      {
        ID: "noncurrent",
        Status: "Enabled",
        Filter: { Prefix: "" },
        NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 },
      },
      { ID: "current", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 30 } },
    ]);
    const pruned = await runAt("lc-versioned", 2);
    expect(pruned.noncurrentRemoved).toBe(2);
    let versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "lc-versioned" }));
    expect(versions.Versions).toHaveLength(2);
    const expired = await runAt("lc-versioned", 31);
    expect(expired.expired).toBe(1);
    versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "lc-versioned" }));
    expect(versions.DeleteMarkers?.[0].IsLatest).toBe(true);
    expect(await exists("lc-versioned", "doc")).toBe(false);
  });

  it("removes delete markers left alone, and aborts stale uploads", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lc-markers" }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: "lc-markers",
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const { VersionId } = await s3.send(
      new PutObjectCommand({ Bucket: "lc-markers", Key: "gone", Body: "x" }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: "lc-markers", Key: "gone" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "lc-markers", Key: "gone", VersionId }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: "lc-markers", Key: "upload" }));
    await lifecycle("lc-markers", [
      {
        ID: "markers",
        Status: "Enabled",
        Filter: { Prefix: "" },
        Expiration: { ExpiredObjectDeleteMarker: true },
      },
      {
        ID: "uploads",
        Status: "Enabled",
        Filter: { Prefix: "" },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    const summary = await runAt("lc-markers", 2);
    expect([summary.markersRemoved, summary.uploadsAborted]).toEqual([1, 1]);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "lc-markers" }));
    expect(versions.DeleteMarkers ?? []).toEqual([]);
    expect(
      (await s3.send(new ListMultipartUploadsCommand({ Bucket: "lc-markers" }))).Uploads ?? [],
    ).toEqual([]);
  });

  it("never removes a version under object lock", async () => {
    await s3.send(
      new CreateBucketCommand({ Bucket: "lc-locked", ObjectLockEnabledForBucket: true }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: "lc-locked",
        Key: "held",
        Body: "x",
        ObjectLockLegalHoldStatus: "ON",
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "lc-locked", Key: "held", Body: "y" }));
    await lifecycle("lc-locked", [
      {
        ID: "all",
        Status: "Enabled",
        Filter: { Prefix: "" },
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
    ]);
    expect((await runAt("lc-locked", 5)).noncurrentRemoved).toBe(0);
    expect(
      (await s3.send(new ListObjectVersionsCommand({ Bucket: "lc-locked" }))).Versions,
    ).toHaveLength(2);
  });
});
