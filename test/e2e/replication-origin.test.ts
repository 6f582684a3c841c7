/**
 * Origin tracking on an active-active pair of real local sites: a version
 * is never sent back to the site it was first written on, so a version that
 * site deleted for good stays deleted whatever rule change the other site
 * makes; rule changes that open nothing to existing-object replication
 * (the same configuration imported again, a priority change, an edited
 * flag) start no job; an operator's resync still restores everything, and
 * the resync a coordinator rebuild starts does not.
 */
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Floe } from "./cli-helpers.ts";
import { admin } from "./harness/clients.ts";
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
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

const BUCKET = "home";
const floe = new Floe();
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;
let toB: string;
let toA: string;

interface Job {
  jobId: string;
  mode: string;
  status: string;
  replicatedCount: number;
  skippedCount: number;
  failedCount: number;
}

async function jobOf(site: Site, arn: string): Promise<Job | null> {
  const res = await admin<{ jobs: (Job & { target: string })[] }>(
    site,
    "GET",
    `buckets/${BUCKET}/replication/resync?arn=${encodeURIComponent(arn)}`,
  );
  return res.body.jobs.find((job) => job.target === arn) ?? null;
}

async function finishedJob(site: Site, arn: string, after: string | null): Promise<Job> {
  let last: Job | null = null;
  await eventually(
    async () => {
      await runCron(site);
      last = await jobOf(site, arn);
      return (
        last !== null &&
        last.jobId !== after &&
        (last.status === "Completed" || last.status === "Failed")
      );
    },
    60_000,
    "job to finish",
  );
  return last as unknown as Job;
}

/** Replica versions a site stored (admin status route). */
async function received(site: Site): Promise<number> {
  const res = await admin<{ received: { count: number } }>(
    site,
    "GET",
    `buckets/${BUCKET}/replication/status`,
  );
  return res.body.received.count;
}

async function exists(s3: S3Client, key: string, versionId: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw error;
  }
}

const rulesOnA = (): RuleSpec[] => [{ id: "to-b", arn: toB, priority: 1 }];

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  await Promise.all([remoteUser(a), remoteUser(b)]);
  [sa, sb] = await Promise.all([versionedBucket(a, BUCKET), versionedBucket(b, BUCKET)]);
  [toB, toA] = await Promise.all([addTarget(a, BUCKET, b), addTarget(b, BUCKET, a)]);
  expect((await putReplication(a, BUCKET, rulesOnA())).status).toBe(200);
  await floe.ok(["alias", "set", "a", a.url, ROOT_USER, ROOT_PASSWORD]);
  // B's version deletes stay on B: A keeps what B deleted for good.
  expect((await putReplication(b, BUCKET, [{ id: "to-a", arn: toA, deletes: false }])).status).toBe(
    200,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("origin tracking", () => {
  it("a rule change on one site never sends home or resurrects what the other deleted", async () => {
    const fromA = await sa.send(new PutObjectCommand({ Bucket: BUCKET, Key: "from-a", Body: "a" }));
    const fromB = await sb.send(new PutObjectCommand({ Bucket: BUCKET, Key: "from-b", Body: "b" }));
    const keep = await sb.send(new PutObjectCommand({ Bucket: BUCKET, Key: "kept", Body: "k" }));
    await eventually(
      async () =>
        (await exists(sb, "from-a", fromA.VersionId!)) &&
        (await exists(sa, "from-b", fromB.VersionId!)) &&
        (await exists(sa, "kept", keep.VersionId!)),
      30_000,
      "both ways replicated",
    );
    const firstJob = await finishedJob(a, toB, null);

    // B deletes for good its own version and the replica of A's.
    for (const [key, versionId] of [
      ["from-b", fromB.VersionId!],
      ["from-a", fromA.VersionId!],
    ] as const)
      await sb.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }));
    expect(await exists(sa, "from-b", fromB.VersionId!)).toBe(true);
    const receivedOnB = await received(b);

    // Import of the same configuration, a priority change, an edited flag: no job.
    const edits: RuleSpec[][] = [
      rulesOnA(),
      [{ id: "to-b", arn: toB, priority: 7 }],
      [{ id: "to-b", arn: toB, priority: 7, replicaModifications: false }],
    ];
    for (const rules of edits) {
      expect((await putReplication(a, BUCKET, rules)).status).toBe(200);
      await runCron(a);
      expect((await jobOf(a, toB))?.jobId).toBe(firstJob.jobId);
    }
    // The same through the CLI: `replicate import` of the exported rules, `replicate edit --priority`.
    const exported = await floe.ok(["replicate", "export", `a/${BUCKET}`]);
    await floe.ok(["replicate", "import", `a/${BUCKET}`], { input: exported.stdout });
    await floe.ok(["replicate", "edit", `a/${BUCKET}`, "--id", "to-b", "--priority", "3"]);
    await runCron(a);
    expect((await jobOf(a, toB))?.jobId).toBe(firstJob.jobId);

    // Disabled and enabled again opens versions to existing-object replication: a job runs,
    // and skips the replica whose origin is B and A's version B already had.
    expect(
      (await putReplication(a, BUCKET, [{ id: "to-b", arn: toB, status: "Disabled" }])).status,
    ).toBe(200);
    expect((await putReplication(a, BUCKET, rulesOnA())).status).toBe(200);
    const job = await finishedJob(a, toB, firstJob.jobId);
    expect(job).toMatchObject({ mode: "existing", status: "Completed", replicatedCount: 0 });
    expect(job.skippedCount).toBeGreaterThanOrEqual(3);

    await new Promise((resolve) => setTimeout(resolve, 1500));
    await runCron(a);
    expect(await exists(sb, "from-b", fromB.VersionId!)).toBe(false);
    expect(await exists(sb, "from-a", fromA.VersionId!)).toBe(false);
    expect(await received(b)).toBe(receivedOnB);
    const onB = (await versionList(sb, BUCKET)).map((v) => v.versionId);
    expect(onB).toEqual([keep.VersionId]);
  }, 180_000);

  it("an operator's resync from the healthy site restores everything, replicas included", async () => {
    const res = await admin<{ jobId: string }>(a, "POST", `buckets/${BUCKET}/replication/resync`, {
      arn: toB,
    });
    expect(res.status).toBe(200);
    const job = await finishedJob(a, toB, null);
    expect(job).toMatchObject({ mode: "resync", status: "Completed" });
    await eventually(
      async () =>
        JSON.stringify(await versionList(sb, BUCKET)) ===
        JSON.stringify(await versionList(sa, BUCKET)),
      30_000,
      "resync restored B",
    );
  }, 120_000);

  it("the resync after a coordinator rebuild does not send home what the origin deleted", async () => {
    const fromB = (await versionList(sb, BUCKET)).find((v) => v.key === "from-b");
    expect(fromB).toBeDefined();
    await sb.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "from-b", VersionId: fromB!.versionId }),
    );
    const before = await versionList(sa, BUCKET);
    const previous = await jobOf(a, toB);
    const wiped = await admin(a, "POST", "coordinator/fault", { bucket: BUCKET, fault: "wipe" });
    expect(wiped.status).toBe(200);
    const rebuilt = await admin<{ rebuilt: { resyncStarted: string[] }[] }>(a, "POST", "rebuild", {
      bucket: BUCKET,
    });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.rebuilt[0].resyncStarted).toEqual([toB]);
    expect(await versionList(sa, BUCKET)).toEqual(before);
    const job = await finishedJob(a, toB, previous?.jobId ?? null);
    expect(job).toMatchObject({ mode: "restore", status: "Completed", replicatedCount: 0 });
    expect(await exists(sb, "from-b", fromB!.versionId)).toBe(false);
  }, 120_000);
});
