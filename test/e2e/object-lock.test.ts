/**
 * Object lock with @aws-sdk/client-s3: buckets created with object lock,
 * default retention, GOVERNANCE (bypassable) and COMPLIANCE retention,
 * legal holds, retention that expires, and the refusals around them.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Client } from "./harness/clients.ts";
import { s3Error } from "./harness/errors.ts";
import { startSite, type Site } from "./harness/site.ts";

let site: Site;
let s3: S3Client;
const BUCKET = "locked";
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
});

afterAll(async () => {
  s3?.destroy();
  await site?.remove();
});

describe("object lock", () => {
  it("turns versioning on for good", async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe(
      "Enabled",
    );
    const suspend = await s3Error(
      s3.send(
        new PutBucketVersioningCommand({
          Bucket: BUCKET,
          VersioningConfiguration: { Status: "Suspended" },
        }),
      ),
    );
    expect([suspend.$metadata.httpStatusCode, suspend.name]).toEqual([409, "InvalidBucketState"]);
    const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: BUCKET }));
    expect(config.ObjectLockConfiguration?.ObjectLockEnabled).toBe("Enabled");
  });

  it("applies default GOVERNANCE retention, which only a bypass gets past", async () => {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: BUCKET,
        ObjectLockConfiguration: {
          ObjectLockEnabled: "Enabled",
          Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } },
        },
      }),
    );
    const { VersionId } = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "gov", Body: "x" }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "gov" }));
    expect(head.ObjectLockMode).toBe("GOVERNANCE");
    expect(head.ObjectLockRetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + DAY - 60_000);
    const refused = await s3Error(
      s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gov", VersionId })),
    );
    expect([refused.$metadata.httpStatusCode, refused.name]).toEqual([403, "AccessDenied"]);
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gov" }));
    expect(marker.DeleteMarker).toBe(true);
    await s3.send(
      new DeleteObjectCommand({
        Bucket: BUCKET,
        Key: "gov",
        VersionId,
        BypassGovernanceRetention: true,
      }),
    );
  });

  it("never lets COMPLIANCE retention be shortened or bypassed, but lets it be extended", async () => {
    const until = new Date(Date.now() + DAY);
    const { VersionId } = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "comp",
        Body: "x",
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: until,
      }),
    );
    const retention = await s3.send(
      new GetObjectRetentionCommand({ Bucket: BUCKET, Key: "comp", VersionId }),
    );
    expect(retention.Retention?.Mode).toBe("COMPLIANCE");
    const bypassed = await s3Error(
      s3.send(
        new DeleteObjectCommand({
          Bucket: BUCKET,
          Key: "comp",
          VersionId,
          BypassGovernanceRetention: true,
        }),
      ),
    );
    expect(bypassed.name).toBe("AccessDenied");
    const shorter = await s3Error(
      s3.send(
        new PutObjectRetentionCommand({
          Bucket: BUCKET,
          Key: "comp",
          VersionId,
          Retention: { Mode: "COMPLIANCE", RetainUntilDate: new Date(Date.now() + 3_600_000) },
          BypassGovernanceRetention: true,
        }),
      ),
    );
    expect(shorter.name).toBe("AccessDenied");
    await s3.send(
      new PutObjectRetentionCommand({
        Bucket: BUCKET,
        Key: "comp",
        VersionId,
        Retention: { Mode: "COMPLIANCE", RetainUntilDate: new Date(Date.now() + 2 * DAY) },
      }),
    );
  });

  it("blocks deletion under a legal hold until it is lifted", async () => {
    const { VersionId } = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "held",
        Body: "x",
        ObjectLockLegalHoldStatus: "ON",
      }),
    );
    expect(
      (await s3.send(new GetObjectLegalHoldCommand({ Bucket: BUCKET, Key: "held", VersionId })))
        .LegalHold?.Status,
    ).toBe("ON");
    const refused = await s3Error(
      s3.send(
        new DeleteObjectCommand({
          Bucket: BUCKET,
          Key: "held",
          VersionId,
          BypassGovernanceRetention: true,
        }),
      ),
    );
    expect(refused.name).toBe("AccessDenied");
    await s3.send(
      new PutObjectLegalHoldCommand({
        Bucket: BUCKET,
        Key: "held",
        VersionId,
        LegalHold: { Status: "OFF" },
      }),
    );
    await s3.send(
      new DeleteObjectCommand({
        Bucket: BUCKET,
        Key: "held",
        VersionId,
        BypassGovernanceRetention: true,
      }),
    );
  });

  it("lets a version go once its retention expires", async () => {
    const { VersionId } = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "short",
        Body: "x",
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: new Date(Date.now() + 2_000),
      }),
    );
    expect(
      (await s3Error(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "short", VersionId }))))
        .name,
    ).toBe("AccessDenied");
    await new Promise((r) => setTimeout(r, 2_500));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "short", VersionId }));
  });

  it("refuses lock settings on a bucket without object lock", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "plain" }));
    const error = await s3Error(
      s3.send(
        new PutObjectCommand({
          Bucket: "plain",
          Key: "k",
          Body: "x",
          ObjectLockMode: "GOVERNANCE",
          ObjectLockRetainUntilDate: new Date(Date.now() + DAY),
        }),
      ),
    );
    expect(error.name).toBe("InvalidRequest");
    expect(
      (await s3Error(s3.send(new GetObjectLockConfigurationCommand({ Bucket: "plain" })))).name,
    ).toBe("ObjectLockConfigurationNotFoundError");
  });
});
