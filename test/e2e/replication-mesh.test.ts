/**
 * Three real local sites in a full replication mesh (every site replicates
 * to both others): writes and deletes anywhere converge everywhere with no
 * loops; a site that goes down while the others keep taking writes and
 * deletes catches up once it is back, with nothing lost; one set of
 * replicas (two markers on one version, a write on top) sent in every
 * possible order leaves the same versions and latest each time; and the outage
 * drill: all three sites writing, tagging and deleting over shared keys
 * while one of them is stopped and restarted end with identical version
 * lists (every version and delete marker made, each once, the same latest
 * everywhere) and tags, equal by `replicate verify`, and nothing pending in
 * status or diff. Each drill is seeded, so a failure can be replayed.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { admin, s3Client } from "./harness/clients.ts";
import {
  addTarget,
  eventually,
  putReplication,
  REMOTE_USER,
  remoteUser,
  runCron,
  versionedBucket,
  versionList,
  type VersionEntry,
} from "./harness/replication.ts";
import { startWorkload, versionTags } from "./harness/mesh-drill.ts";
import { REGION, startSite, type Site } from "./harness/site.ts";

const BUCKET = "mesh";
let sites: Site[];
let clients: S3Client[];

/** Versions one site holds and the first does not, and the other way round, for a failure message. */
function differences(lists: VersionEntry[][]): string {
  const lines = lists.map((list) => new Set(list.map((v) => JSON.stringify(v))));
  return lines
    .slice(1)
    .map((set, i) => {
      const extra = [...set].filter((line) => !lines[0].has(line));
      const missing = [...lines[0]].filter((line) => !set.has(line));
      return `site ${i + 1} has ${extra.length} entries site 0 lacks: ${extra.slice(0, 5).join(" ")}; lacks ${missing.length}: ${missing.slice(0, 5).join(" ")}`;
    })
    .join("\n");
}

async function convergedBucket(
  bucket: string,
  timeoutMs: number,
  whileWaiting?: () => Promise<void>,
) {
  let lists: VersionEntry[][] = [];
  try {
    await eventually(
      async () => {
        await whileWaiting?.();
        lists = await Promise.all(clients.map((s3) => versionList(s3, bucket)));
        const first = JSON.stringify(lists[0]);
        return lists.every((list) => JSON.stringify(list) === first);
      },
      timeoutMs,
      `all three sites to hold the same versions of ${bucket}`,
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${differences(lists)}`, { cause: error });
  }
  return versionList(clients[0], bucket);
}

const converged = (timeoutMs: number, whileWaiting?: () => Promise<void>) =>
  convergedBucket(BUCKET, timeoutMs, whileWaiting);

/** A versioned bucket on every site, each replicating to both others; ARNs by [source][target]. */
async function meshBucket(bucket: string): Promise<string[][]> {
  for (const site of sites) await versionedBucket(site, bucket);
  const arns: string[][] = [];
  for (const [s, source] of sites.entries()) {
    arns[s] = [];
    const rules = [];
    for (const [t, target] of sites.entries()) {
      if (t === s) continue;
      arns[s][t] = await addTarget(source, bucket, target);
      rules.push({ id: `to-${t}`, arn: arns[s][t], priority: t + 1 });
    }
    const res = await putReplication(source, bucket, rules);
    if (res.status !== 200) throw new Error(res.body);
  }
  return arns;
}

interface TargetStatus {
  arn: string;
  pendingCount: number;
  failedNow: number;
}

/**
 * What is still pending or failed towards the targets of `bucket` on
 * `site`, by status and by diff; "" when nothing is.
 */
async function unsettled(site: Site, bucket: string): Promise<string> {
  const status = await admin<{ targets: TargetStatus[] }>(
    site,
    "GET",
    `buckets/${bucket}/replication/status`,
  );
  const diff = await admin<{ entries: unknown[] }>(
    site,
    "GET",
    `buckets/${bucket}/replication/diff`,
  );
  const busy = status.body.targets.filter((t) => t.pendingCount !== 0 || t.failedNow !== 0);
  if (status.status === 200 && status.body.targets.length === 2 && busy.length === 0)
    if (diff.status === 200 && diff.body.entries.length === 0) return "";
  return `${site.url}: status ${JSON.stringify(busy)}; diff ${JSON.stringify(diff.body.entries.slice(0, 5))}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Replica {
  versionId: string;
  mtime: number;
  /** An object version's body; none for a delete marker. */
  body?: string;
  /** What an earlier release sent with a marker: the version below it at its source. */
  covers?: string;
}

/** Sends one replica to `site` as a source site would (replication protocol headers, signed). */
async function sendReplica(site: Site, bucket: string, key: string, replica: Replica) {
  const url = `${site.url}/${bucket}/${key}`;
  const headers: Record<string, string> = {
    "x-floe-replication-request": "true",
    "x-floe-source-version-id": replica.versionId,
    "x-floe-source-mtime": String(replica.mtime),
  };
  if (replica.body === undefined) {
    headers["x-floe-source-delete-marker"] = "true";
    if (replica.covers !== undefined) headers["x-floe-source-covers"] = replica.covers;
  } else headers["x-floe-source-etag"] = createHash("md5").update(replica.body).digest("hex");
  const method = replica.body === undefined ? "DELETE" : "PUT";
  const signed = await signRequest({
    method,
    url,
    headers,
    accessKeyId: REMOTE_USER.accessKeyId,
    secretKey: REMOTE_USER.secretAccessKey,
    region: REGION,
  });
  const res = await fetch(url, { method, headers: signed, body: replica.body });
  if (!res.ok) throw new Error(`replica ${replica.versionId}: ${res.status} ${await res.text()}`);
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

beforeAll(async () => {
  sites = await Promise.all([startSite(), startSite(), startSite()]);
  clients = sites.map((site) => s3Client(site));
  for (const site of sites) await remoteUser(site);
  await meshBucket(BUCKET);
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

  it("stores the same versions, the same latest, whatever order replicas arrive in", async () => {
    const bucket = "arrival";
    await versionedBucket(sites[0], bucket);
    const base = Date.now() - 60_000;
    const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    // Two markers on the same version (two sites deleted it concurrently), then a write on top.
    const replicas: Replica[] = [
      { versionId: id(1), mtime: base, body: "first" },
      { versionId: id(2), mtime: base + 1000, covers: id(1) },
      { versionId: id(3), mtime: base + 2000, covers: id(1) },
      { versionId: id(4), mtime: base + 3000, body: "second" },
    ];
    const orders = permutations(replicas);
    for (const [n, order] of orders.entries())
      for (const replica of order) await sendReplica(sites[0], bucket, `order-${n}`, replica);
    const versions = await versionList(clients[0], bucket);
    for (const n of orders.keys()) {
      const ofKey = versions.filter((v) => v.key === `order-${n}`);
      expect(ofKey.map((v) => [v.versionId, v.deleteMarker, v.isLatest])).toEqual([
        [id(1), false, false],
        [id(2), true, false],
        [id(3), true, false],
        [id(4), false, true],
      ]);
    }
  }, 120_000);

  describe("outage drill", () => {
    for (const seed of [1, 2]) {
      it(`ends with three equal sites after one is stopped mid-run (seed ${seed})`, async () => {
        const bucket = `drill-${seed}`;
        const arns = await meshBucket(bucket);
        const options = { bucket, keys: 40, opsPerSecond: 3, durationMs: 30_000, seed };
        const workloads = clients.map((s3, i) => startWorkload(s3, i, options));
        const c = sites[2];
        await sleep(8_000);
        await workloads[2].pause();
        await c.stop();
        await sleep(15_000);
        await c.restart();
        const back = Date.now();
        workloads[2].resume();
        await Promise.all(workloads.map((w) => w.done));
        expect(workloads.flatMap((w) => w.errors)).toEqual([]);

        const versions = await convergedBucket(bucket, 90_000, async () => {
          await Promise.all(sites.map((site) => runCron(site)));
        });
        // The scanner (cron, off in tests) requeues what waits for a retry.
        let pending: string[] = [];
        await eventually(
          async () => {
            await Promise.all(sites.map((site) => runCron(site)));
            pending = (await Promise.all(sites.map((site) => unsettled(site, bucket)))).filter(
              Boolean,
            );
            return pending.length === 0;
          },
          60_000,
          "nothing pending or failed in status and diff on every site",
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${pending.join("\n")}`);
        });
        console.log(
          `drill seed ${seed}: ${versions.length} versions and markers, ` +
            `${workloads.reduce((n, w) => n + w.tagged, 0)} tag changes, ` +
            `settled ${Date.now() - back} ms after the site came back`,
        );
        // Lists may have moved while status settled: compare them again.
        const lists = await Promise.all(clients.map((s3) => versionList(s3, bucket)));
        for (const list of lists) expect(list).toEqual(lists[0]);
        // Every version and marker made anywhere, each exactly once; no other.
        const ids = lists[0].map((v) => v.versionId);
        expect(new Set(ids).size).toBe(ids.length);
        const made = (kind: "versions" | "markers") =>
          workloads.flatMap((w) => [...w[kind]]).sort();
        expect(
          lists[0]
            .filter((v) => !v.deleteMarker)
            .map((v) => v.versionId)
            .sort(),
        ).toEqual(made("versions"));
        expect(
          lists[0]
            .filter((v) => v.deleteMarker)
            .map((v) => v.versionId)
            .sort(),
        ).toEqual(made("markers"));
        // Tag changes made on any site, to any version, reached every site (the last one wins).
        const objects = lists[0].filter((v) => !v.deleteMarker);
        const tags = await Promise.all(clients.map((s3) => versionTags(s3, bucket, objects)));
        for (const onSite of tags) expect(onSite).toEqual(tags[0]);
        const keys = new Set(lists[0].map((v) => v.key));
        for (const key of keys)
          expect(lists[0].filter((v) => v.key === key && v.isLatest)).toHaveLength(1);
        // replicate verify agrees, between every pair of sites.
        for (const [s, site] of sites.entries()) {
          for (const arn of arns[s].filter(Boolean)) {
            const report = await admin<{ equal: boolean; differences: unknown[] }>(
              site,
              "POST",
              `buckets/${bucket}/replication/verify`,
              { arn },
            );
            expect(report.status).toBe(200);
            expect(report.body.differences).toEqual([]);
            expect(report.body.equal).toBe(true);
          }
        }
      }, 240_000);
    }
  });
});
