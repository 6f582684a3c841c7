/**
 * Object lock across two real local sites replicating with the built-in
 * ReplicationRemoteUser: retention and legal hold replicate, so does an
 * extension, but a legal hold released at the source stays on the target
 * (the replication user may not release holds there).
 */
import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Client } from "../harness/clients.ts";
import { eventually, remoteUser, replicate } from "../harness/replication.ts";
import { startSite, type Site } from "../harness/site.ts";

const BUCKET = "records";
const DAY = 24 * 60 * 60 * 1000;
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;

async function head(s3: S3Client, key: string, versionId: string) {
  return s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }));
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  sa = s3Client(a);
  sb = s3Client(b);
  for (const s3 of [sa, sb])
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  await remoteUser(b);
  await replicate(a, b, BUCKET);
}, 120_000);

afterAll(async () => {
  sa?.destroy();
  sb?.destroy();
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("object lock under replication", () => {
  it("replicates retention, holds and extensions; a hold released at the source stays on the target", async () => {
    const until = new Date(Date.now() + DAY);
    const put = await sa.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "contract.pdf",
        Body: "signed",
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: until,
        ObjectLockLegalHoldStatus: "ON",
      }),
    );
    const versionId = put.VersionId!;
    await eventually(
      async () => (await head(sa, "contract.pdf", versionId)).ReplicationStatus === "COMPLETED",
      30_000,
      "version replicated",
    );
    const replica = await head(sb, "contract.pdf", versionId);
    expect([
      replica.ObjectLockMode,
      replica.ObjectLockRetainUntilDate?.getTime(),
      replica.ObjectLockLegalHoldStatus,
    ]).toEqual(["COMPLIANCE", until.getTime(), "ON"]);

    const later = new Date(until.getTime() + DAY);
    await sa.send(
      new PutObjectRetentionCommand({
        Bucket: BUCKET,
        Key: "contract.pdf",
        VersionId: versionId,
        Retention: { Mode: "COMPLIANCE", RetainUntilDate: later },
      }),
    );
    await eventually(
      async () =>
        (await head(sb, "contract.pdf", versionId)).ObjectLockRetainUntilDate?.getTime() ===
        later.getTime(),
      30_000,
      "extension replicated",
    );

    await sa.send(
      new PutObjectLegalHoldCommand({
        Bucket: BUCKET,
        Key: "contract.pdf",
        VersionId: versionId,
        LegalHold: { Status: "OFF" },
      }),
    );
    expect((await head(sa, "contract.pdf", versionId)).ObjectLockLegalHoldStatus).toBe("OFF");
    // The release is tried and refused: the source never counts it as replicated.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await head(sa, "contract.pdf", versionId)).ReplicationStatus).not.toBe("COMPLETED");
    expect((await head(sb, "contract.pdf", versionId)).ObjectLockLegalHoldStatus).toBe("ON");
  }, 90_000);
});
