/**
 * Object lock headers are authorized as AWS authorizes them: setting
 * retention on PutObject, CopyObject or CreateMultipartUpload needs
 * s3:PutObjectRetention, a legal hold s3:PutObjectLegalHold; COMPLIANCE
 * retention beyond FLOE_MAX_RETENTION_DAYS (100 years by default) is
 * refused wherever it can be set.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminOk, s3Client } from "../harness/clients.ts";
import { s3Error } from "../harness/errors.ts";
import { startSite, type Site } from "../harness/site.ts";

const BUCKET = "vault";
const DAY = 24 * 60 * 60 * 1000;
const WRITER = { accessKeyId: "writer", secretAccessKey: "writer-secret" };
const RW = { accessKeyId: "rw-user", secretAccessKey: "rw-user-secret" };

let site: Site;
let root: S3Client;
let source = "";

beforeAll(async () => {
  site = await startSite();
  root = s3Client(site);
  await root.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  const put = await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "src", Body: "s" }));
  source = `${BUCKET}/src?versionId=${put.VersionId}`;
  await adminOk(site, "PUT", "policies/plain-writer", {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
        Resource: ["arn:aws:s3:::*"],
      },
    ],
  });
  for (const [user, policy] of [
    [WRITER, "plain-writer"],
    [RW, "readwrite"],
  ] as const) {
    await adminOk(site, "POST", "users", {
      accessKey: user.accessKeyId,
      secretKey: user.secretAccessKey,
    });
    await adminOk(site, "POST", "policies/attach", { policies: [policy], user: user.accessKeyId });
  }
});

afterAll(async () => {
  root?.destroy();
  await site?.remove();
});

describe("object lock headers", () => {
  const until = () => new Date(Date.now() + DAY);

  it("need s3:PutObjectRetention / s3:PutObjectLegalHold on PUT, copy and multipart", async () => {
    const writer = s3Client(site, WRITER);
    const rw = s3Client(site, RW);
    try {
      const refused = [
        () =>
          writer.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: "w",
              Body: "w",
              ObjectLockMode: "GOVERNANCE",
              ObjectLockRetainUntilDate: until(),
            }),
          ),
        () =>
          writer.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: "w",
              Body: "w",
              ObjectLockLegalHoldStatus: "ON",
            }),
          ),
        () =>
          writer.send(
            new CopyObjectCommand({
              Bucket: BUCKET,
              Key: "w-copy",
              CopySource: source,
              ObjectLockMode: "COMPLIANCE",
              ObjectLockRetainUntilDate: until(),
            }),
          ),
        () =>
          writer.send(
            new CreateMultipartUploadCommand({
              Bucket: BUCKET,
              Key: "w-mpu",
              ObjectLockLegalHoldStatus: "ON",
            }),
          ),
      ];
      for (const attempt of refused) {
        const error = await s3Error(attempt());
        expect([error.$metadata.httpStatusCode, error.name]).toEqual([403, "AccessDenied"]);
      }
      await writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: "w", Body: "w" }));
      const head = await root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "w" }));
      expect([head.ObjectLockMode, head.ObjectLockLegalHoldStatus]).toEqual([undefined, undefined]);
      await rw.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: "w",
          Body: "w",
          ObjectLockMode: "GOVERNANCE",
          ObjectLockRetainUntilDate: until(),
          ObjectLockLegalHoldStatus: "ON",
        }),
      );
    } finally {
      writer.destroy();
      rw.destroy();
    }
  });

  it("refuses COMPLIANCE retention beyond the maximum (100 years by default)", async () => {
    const far = new Date(Date.now() + 200 * 365 * DAY);
    const put = await s3Error(
      root.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: "forever",
          Body: "x",
          ObjectLockMode: "COMPLIANCE",
          ObjectLockRetainUntilDate: far,
        }),
      ),
    );
    expect([put.$metadata.httpStatusCode, put.name]).toEqual([400, "InvalidArgument"]);
    const retention = await s3Error(
      root.send(
        new PutObjectRetentionCommand({
          Bucket: BUCKET,
          Key: "src",
          Retention: { Mode: "COMPLIANCE", RetainUntilDate: far },
        }),
      ),
    );
    expect([retention.$metadata.httpStatusCode, retention.name]).toEqual([400, "InvalidArgument"]);
    const rule = await s3Error(
      root.send(
        new PutObjectLockConfigurationCommand({
          Bucket: BUCKET,
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 200 } },
          },
        }),
      ),
    );
    expect([rule.$metadata.httpStatusCode, rule.name]).toEqual([400, "InvalidArgument"]);
    const head = await s3Error(
      root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "forever" })),
    );
    expect(head.$metadata.httpStatusCode).toBe(404);
    const src = await root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "src" }));
    expect(src.ObjectLockMode).toBeUndefined();
    // GOVERNANCE retention, which the bypass can shorten, has no maximum.
    await root.send(
      new PutObjectRetentionCommand({
        Bucket: BUCKET,
        Key: "src",
        Retention: { Mode: "GOVERNANCE", RetainUntilDate: far },
      }),
    );
  });
});
