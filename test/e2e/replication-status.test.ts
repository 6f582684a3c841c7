/**
 * Replication status as clients and operators see it, with one source and
 * two targets (three real local sites, no cron: nothing runs the scanner
 * unless a test says so):
 * - a version's x-amz-replication-status over several targets: PENDING
 *   while one is unfinished, FAILED once any target failed, COMPLETED when
 *   all did;
 * - a GET of a FAILED version requeues it: it reaches the target once the
 *   target is back, without a scanner run;
 * - the purge status of replicated version deletes in the admin API's
 *   status route and in `floe replicate status`.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floe } from "./cli-helpers.ts";
import { admin, s3Client } from "./harness/clients.ts";
import {
  addTarget,
  eventually,
  putReplication,
  remoteUser,
  runCron,
  versionedBucket,
  versionList,
} from "./harness/replication.ts";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

const BUCKET = "fanout";
let a: Site;
let b: Site;
let c: Site;
let sa: S3Client;
let sb: S3Client;
let sc: S3Client;
let toB: string;
let toC: string;
const floe = new Floe();

interface PurgeStatus {
  arn: string;
  purge: { pending: number; failed: number };
}

async function replicationStatus(key: string, versionId: string) {
  const head = await sa.send(
    new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }),
  );
  return head.ReplicationStatus;
}

async function holds(s3: S3Client, key: string, versionId: string): Promise<boolean> {
  return (await versionList(s3, BUCKET)).some((v) => v.key === key && v.versionId === versionId);
}

async function purgeOf(arn: string): Promise<PurgeStatus["purge"] | undefined> {
  const res = await admin<{ targets: PurgeStatus[] }>(
    a,
    "GET",
    `buckets/${BUCKET}/replication/status`,
  );
  return res.body.targets.find((t) => t.arn === arn)?.purge;
}

beforeAll(async () => {
  [a, b, c] = await Promise.all([startSite(), startSite(), startSite()]);
  [sa, sb, sc] = [s3Client(a), s3Client(b), s3Client(c)];
  await Promise.all([remoteUser(b), remoteUser(c)]);
  await Promise.all([
    versionedBucket(a, BUCKET),
    versionedBucket(b, BUCKET),
    versionedBucket(c, BUCKET),
  ]);
  toB = await addTarget(a, BUCKET, b);
  toC = await addTarget(a, BUCKET, c);
  const rules = await putReplication(a, BUCKET, [
    { arn: toB, existing: false },
    { arn: toC, existing: false },
  ]);
  expect(rules.status).toBe(200);
  await floe.ok(["alias", "set", "a", a.url, ROOT_USER, ROOT_PASSWORD]);
}, 120_000);

afterAll(async () => {
  for (const s3 of [sa, sb, sc]) s3?.destroy();
  await Promise.all([a?.remove(), b?.remove(), c?.remove()]);
});

describe("status over two targets", () => {
  it("is PENDING, then FAILED while one target is down, and a GET requeues it to COMPLETED", async () => {
    await c.stop();
    const put = await sa.send(new PutObjectCommand({ Bucket: BUCKET, Key: "doc", Body: "one" }));
    const versionId = put.VersionId ?? "";
    await eventually(() => holds(sb, "doc", versionId), 20_000, "the version on B");
    // B has it, C does not: not all targets are done, and none has failed yet.
    expect(await replicationStatus("doc", versionId)).toBe("PENDING");
    await eventually(
      async () => (await replicationStatus("doc", versionId)) === "FAILED",
      60_000,
      "FAILED once the queue gave up on C",
    );
    await c.restart();
    // A GET requeues a FAILED version, but not one touched in the last 10 s (its failed attempt
    // included): GETs go on until one past that requeues it. The health probe, which sees C
    // answering again within seconds, may requeue it first (then it is COMPLETED already).
    // Either way it arrives, and no GET meanwhile reports anything else.
    const reported = new Set<string | undefined>();
    await eventually(
      async () => {
        const read = await sa.send(new GetObjectCommand({ Bucket: BUCKET, Key: "doc" }));
        reported.add(read.ReplicationStatus);
        await read.Body?.transformToString();
        return holds(sc, "doc", versionId);
      },
      40_000,
      "the version on C",
    );
    for (const status of reported) expect(["FAILED", "COMPLETED"]).toContain(status);
    await eventually(
      async () => (await replicationStatus("doc", versionId)) === "COMPLETED",
      10_000,
      "COMPLETED on both targets",
    );
  }, 180_000);
});

describe("purge status", () => {
  it("counts version deletes not yet confirmed, in the admin API and `replicate status`", async () => {
    const put = await sa.send(new PutObjectCommand({ Bucket: BUCKET, Key: "gone", Body: "x" }));
    const versionId = put.VersionId ?? "";
    await eventually(
      async () => (await replicationStatus("gone", versionId)) === "COMPLETED",
      20_000,
      "replicated to both",
    );
    await c.stop();
    await sa.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gone", VersionId: versionId }));
    await eventually(
      async () => !(await holds(sb, "gone", versionId)),
      20_000,
      "the version deleted on B",
    );
    const waiting = await purgeOf(toC);
    expect((waiting?.pending ?? 0) + (waiting?.failed ?? 0)).toBe(1);
    expect(await purgeOf(toB)).toEqual({ pending: 0, failed: 0 });
    const [status] = await floe.json(["replicate", "status", `a/${BUCKET}`]);
    const targets = status.targets as PurgeStatus[];
    const cli = targets.find((t) => t.arn === toC)?.purge;
    expect((cli?.pending ?? 0) + (cli?.failed ?? 0)).toBe(1);
    const human = await floe.ok(["replicate", "status", `a/${BUCKET}`]);
    expect(human.stdout).toMatch(/Purges:\s+\d version delete\(s\) pending, \d failed/);
    await c.restart();
    await eventually(
      async () => {
        await runCron(a);
        const purge = await purgeOf(toC);
        return purge?.pending === 0 && purge.failed === 0;
      },
      60_000,
      "the purge confirmed by C",
    );
    expect(await holds(sc, "gone", versionId)).toBe(false);
  }, 180_000);
});
