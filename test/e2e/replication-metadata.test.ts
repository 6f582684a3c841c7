/**
 * Replicated object-lock state: retention and legal hold set at write time
 * arrive with the version; a version's tags, retention and legal hold
 * changed while its bytes are still on their way to a bandwidth-limited
 * target reach the target all the same (the replication log's state
 * generation). Two real local sites, object-lock buckets on both, repeated
 * with randomized timing; every version is compared field by field with the
 * SDK and by `replicate verify`.
 */
import {
  CreateBucketCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import { patternBytes } from "./harness/data.ts";
import { addTarget, eventually, putReplication, remoteUser } from "./harness/replication.ts";
import { startSite, type Site } from "./harness/site.ts";

const MiB = 1024 * 1024;
const BUCKET = "raced";
const REPETITIONS = 20;
/** 1 MiB at 1 MiB/s: each transfer is in flight for about a second. */
const SIZE = MiB;
const BANDWIDTH = MiB;

let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;
let arn: string;

/** A seeded generator (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ReplicatedState {
  tags: Record<string, string>;
  retention: string | null;
  legalHold: string | null;
}

async function stateOf(s3: S3Client, key: string, versionId: string): Promise<ReplicatedState> {
  const target = { Bucket: BUCKET, Key: key, VersionId: versionId };
  const [tags, retention, hold] = await Promise.all([
    s3.send(new GetObjectTaggingCommand(target)),
    s3.send(new GetObjectRetentionCommand(target)).catch(() => null),
    s3.send(new GetObjectLegalHoldCommand(target)).catch(() => null),
  ]);
  return {
    tags: Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    retention: retention?.Retention
      ? `${retention.Retention.Mode} ${retention.Retention.RetainUntilDate?.toISOString()}`
      : null,
    legalHold: hold?.LegalHold?.Status ?? null,
  };
}

async function replicationStatus(key: string, versionId: string) {
  const head = await sa.send(
    new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }),
  );
  return head.ReplicationStatus;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  sa = s3Client(a);
  sb = s3Client(b);
  await remoteUser(b);
  for (const s3 of [sa, sb])
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  arn = await addTarget(a, BUCKET, b, BUCKET);
  expect((await putReplication(a, BUCKET, [{ arn }])).status).toBe(200);
}, 120_000);

afterAll(async () => {
  sa?.destroy();
  sb?.destroy();
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("object-lock buckets", () => {
  it("replicate a version's retention and legal hold set at write time", async () => {
    const until = new Date(Date.now() + 3 * 86_400_000);
    const put = await sa.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "locked/doc",
        Body: "kept",
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: until,
        ObjectLockLegalHoldStatus: "ON",
        Tagging: "class=record",
      }),
    );
    const versionId = put.VersionId ?? "";
    await eventually(
      async () => (await replicationStatus("locked/doc", versionId)) === "COMPLETED",
      20_000,
      "replicated",
    );
    const there = await stateOf(sb, "locked/doc", versionId);
    expect(there).toEqual(await stateOf(sa, "locked/doc", versionId));
    expect(there.tags).toEqual({ class: "record" });
    expect(there.retention).toMatch(/^COMPLIANCE \d{4}-/);
    expect(there.legalHold).toBe("ON");
    // Held on the target too: the replica cannot be deleted there.
    const head = await sb.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "locked/doc", VersionId: versionId }),
    );
    expect([head.ObjectLockMode, head.ObjectLockLegalHoldStatus, head.ReplicationStatus]).toEqual([
      "COMPLIANCE",
      "ON",
      "REPLICA",
    ]);
  }, 60_000);
});

describe("metadata changes racing an in-flight transfer", () => {
  it(`reach the target: ${REPETITIONS} repetitions with randomized timing`, async () => {
    const limited = await admin(
      a,
      "PATCH",
      `buckets/${BUCKET}/remote-targets?arn=${encodeURIComponent(arn)}`,
      { bandwidth: BANDWIDTH },
    );
    expect(limited.status).toBe(200);
    const seed = Number(process.env.FLOE_RACE_SEED ?? 17);
    const next = random(seed);
    const body = await patternBytes(SIZE, 5);
    const written: { key: string; versionId: string }[] = [];
    // A multipart version (5 MiB + 1 MiB: about 6 s on the wire), changed mid-transfer.
    const multipart = await new Upload({
      client: sa,
      params: { Bucket: BUCKET, Key: "race/multipart.bin", Body: await patternBytes(6 * MiB, 6) },
      partSize: 5 * MiB,
      queueSize: 1,
    }).done();
    written.push({ key: "race/multipart.bin", versionId: multipart.VersionId ?? "" });
    await sleep(1000 + Math.floor(next() * 3000));
    await sa.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: "race/multipart.bin",
        VersionId: multipart.VersionId,
        Tagging: { TagSet: [{ Key: "round", Value: "multipart" }] },
      }),
    );
    await sa.send(
      new PutObjectLegalHoldCommand({
        Bucket: BUCKET,
        Key: "race/multipart.bin",
        VersionId: multipart.VersionId,
        LegalHold: { Status: "ON" },
      }),
    );
    for (let i = 0; i < REPETITIONS; i++) {
      const key = `race/${i}.bin`;
      const put = await sa.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: SIZE }),
      );
      const versionId = put.VersionId ?? "";
      written.push({ key, versionId });
      const target = { Bucket: BUCKET, Key: key, VersionId: versionId };
      // Somewhere inside the transfer (about 1 s), one to three changes.
      await sleep(Math.floor(next() * 700));
      await sa.send(
        new PutObjectTaggingCommand({
          ...target,
          Tagging: { TagSet: [{ Key: "round", Value: `${i}-${Math.floor(next() * 1000)}` }] },
        }),
      );
      if (next() < 0.6)
        await sa.send(
          new PutObjectRetentionCommand({
            ...target,
            Retention: {
              Mode: "GOVERNANCE",
              RetainUntilDate: new Date(Date.now() + (1 + Math.floor(next() * 5)) * 86_400_000),
            },
          }),
        );
      if (next() < 0.5)
        await sa.send(new PutObjectLegalHoldCommand({ ...target, LegalHold: { Status: "ON" } }));
    }
    await eventually(
      async () => {
        const statuses = await Promise.all(
          written.map((w) => replicationStatus(w.key, w.versionId)),
        );
        return statuses.every((s) => s === "COMPLETED");
      },
      90_000,
      "every version COMPLETED",
    );
    for (const { key, versionId } of written) {
      const [here, there] = await Promise.all([
        stateOf(sa, key, versionId),
        stateOf(sb, key, versionId),
      ]);
      expect({ key, ...there }).toEqual({ key, ...here });
    }
    const report = await admin<{ equal: boolean; differences: unknown[] }>(
      a,
      "POST",
      `buckets/${BUCKET}/replication/verify`,
      { arn },
    );
    expect(report.status).toBe(200);
    expect(report.body.differences).toEqual([]);
    expect(report.body.equal).toBe(true);
  }, 180_000);
});
