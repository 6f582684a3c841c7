/**
 * Three real local sites in a full replication mesh (every site replicates
 * to both others): writes and deletes anywhere converge everywhere with no
 * loops; and a site that goes down while the others keep taking writes and
 * deletes catches up once it is back, with nothing lost.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { startSite, type Site } from "./harness/site.ts";

const BUCKET = "mesh";
let sites: Site[];
let clients: S3Client[];

async function converged(timeoutMs: number, whileWaiting?: () => Promise<void>) {
  await eventually(
    async () => {
      await whileWaiting?.();
      const lists = await Promise.all(clients.map((s3) => versionList(s3, BUCKET)));
      const first = JSON.stringify(lists[0]);
      return lists.every((list) => JSON.stringify(list) === first);
    },
    timeoutMs,
    "all three sites to hold the same versions",
  );
  return versionList(clients[0], BUCKET);
}

beforeAll(async () => {
  sites = await Promise.all([startSite(), startSite(), startSite()]);
  clients = sites.map((site) => s3Client(site));
  for (const site of sites) {
    await remoteUser(site);
    await versionedBucket(site, BUCKET);
  }
  for (const source of sites) {
    const arns: string[] = [];
    for (const target of sites)
      if (target !== source) arns.push(await addTarget(source, BUCKET, target));
    const res = await putReplication(
      source,
      BUCKET,
      arns.map((arn, i) => ({ id: `to-${i}`, arn, priority: i + 1 })),
    );
    if (res.status !== 200) throw new Error(res.body);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all((sites ?? []).map((site) => site.remove()));
});

describe("three-site mesh", () => {
  it("converges writes and deletes made on every site, without loops", async () => {
    for (let i = 0; i < 6; i++) {
      await Promise.all(
        clients.map((s3, s) =>
          s3.send(
            new PutObjectCommand({ Bucket: BUCKET, Key: `key-${i}`, Body: `site ${s} write ${i}` }),
          ),
        ),
      );
    }
    await clients[1].send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "key-0" }));
    const versions = await converged(60_000);
    expect(versions.filter((v) => !v.deleteMarker)).toHaveLength(18);
    expect(versions.filter((v) => v.deleteMarker)).toHaveLength(1);
    for (let i = 1; i < 6; i++) {
      const bodies = await Promise.all(
        clients.map(async (s3) =>
          (
            await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `key-${i}` }))
          ).Body!.transformToString(),
        ),
      );
      expect(new Set(bodies).size).toBe(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const s3 of clients) expect(await versionList(s3, BUCKET)).toHaveLength(19);
  }, 120_000);

  it("catches a stopped site up on everything written and deleted while it was down", async () => {
    const [a, b, c] = sites;
    await c.stop();
    const started = Date.now();
    const written: string[] = [];
    for (let i = 0; i < 10; i++) {
      const put = await clients[i % 2].send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `outage/${i}`,
          Body: `written while c was down ${i}`,
        }),
      );
      written.push(put.VersionId!);
    }
    await clients[0].send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "outage/3" }));
    await clients[1].send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "key-1" }));
    // The source answered every write although one target was down.
    expect(written).toHaveLength(10);
    expect(Date.now() - started).toBeLessThan(30_000);
    await eventually(
      async () => {
        const res = await admin<{
          targets: { pendingCount: number; targetBucket: string; endpoint: string }[];
        }>(a, "GET", `buckets/${BUCKET}/replication/status`);
        const toC = res.body.targets.find((t) => t.endpoint === c.url);
        return (toC?.pendingCount ?? 0) > 0;
      },
      20_000,
      "changes pending for the stopped site",
    );
    await c.restart();
    const versions = await converged(90_000, async () => {
      await Promise.all([runCron(a), runCron(b)]);
    });
    expect(versions.filter((v) => v.key.startsWith("outage/") && !v.deleteMarker)).toHaveLength(10);
    expect(
      versions.filter((v) => v.key === "outage/3" && v.deleteMarker && v.isLatest),
    ).toHaveLength(1);
    expect(versions.filter((v) => v.key === "key-1" && v.deleteMarker && v.isLatest)).toHaveLength(
      1,
    );
    const health = await admin<{
      targets: { endpoint: string; health: { online: boolean; downtimeMs: number } }[];
    }>(a, "GET", `buckets/${BUCKET}/replication/status`);
    const toC = health.body.targets.find((t) => t.endpoint === c.url);
    expect(toC?.health.online).toBe(true);
    expect(toC?.health.downtimeMs).toBeGreaterThan(0);
  }, 180_000);
});
