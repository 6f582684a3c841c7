/**
 * A bucket's coordinator loses everything it holds (fault injection), and
 * the admin rebuild brings its namespace and settings back from the drives'
 * record and configuration copies: one local site, @aws-sdk/client-s3, the
 * signed admin API.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, fault, s3Client } from "./harness/clients.ts";
import { md5OfStream, patternBytes, patternMd5 } from "./harness/data.ts";
import { s3Error } from "./harness/errors.ts";
import { eventually, runCron, versionList } from "./harness/replication.ts";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { Floe } from "./cli-helpers.ts";

const MiB = 1024 * 1024;
const drive = (n: number) => `pool-0/set-0/drive-${n}`;

interface RebuildReport {
  bucket: string;
  coordinator: string;
  config: string;
  versions: number;
  deleteMarkers: number;
  toHeal: number;
  belowQuorum: number;
  inlineLost: number;
  offlineDrives: string[];
  finished: boolean;
}

interface RebuildSummary {
  rebuilt: RebuildReport[];
  healthy: string[];
  unregistered: string[];
  finished: boolean;
}

let site: Site;
let s3: S3Client;

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
});

afterAll(async () => {
  s3?.destroy();
  if (process.env.FLOE_TEST_SITE_LOG) console.log(site?.output());
  await site?.remove();
});

async function put(bucket: string, key: string, body: Uint8Array | string) {
  const res = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return res.VersionId;
}

async function md5Of(bucket: string, key: string, versionId?: string) {
  const res = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return (await md5OfStream(res.Body as AsyncIterable<Uint8Array>)).md5;
}

async function wipeCoordinator(bucket: string) {
  const res = await admin(site, "POST", "coordinator/fault", { bucket, fault: "wipe" });
  expect(res.status).toBe(200);
}

async function rebuild(body: Record<string, unknown>) {
  return admin<RebuildSummary>(site, "POST", "rebuild", body);
}

/** Record copies held by the set's drives (admin info), to wait for garbage collection. */
async function copiesOnDrives(): Promise<number> {
  const info = await admin<{
    pools: { sets: { drives: { versions: number }[] }[] }[];
  }>(site, "GET", "info");
  return info.body.pools[0].sets[0].drives.reduce((sum, d) => sum + d.versions, 0);
}

describe("a versioned bucket whose coordinator is lost", () => {
  const BUCKET = "rebuilt";
  const big = 3 * MiB + 1;
  const versions: Record<string, string | undefined> = {};
  let before: Awaited<ReturnType<typeof versionList>>;
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: ["*"] },
        Action: ["s3:GetObject"],
        Resource: [`arn:aws:s3:::${BUCKET}/public/*`],
      },
    ],
  });

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: BUCKET,
        Tagging: { TagSet: [{ Key: "team", Value: "storage" }] },
      }),
    );
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [
            { ID: "old", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 30 } },
          ],
        },
      }),
    );

    versions.small1 = await put(BUCKET, "small", "first");
    versions.small2 = await put(BUCKET, "small", "second");
    versions.small3 = await put(BUCKET, "small", "third");
    versions.big = await put(BUCKET, "big", await patternBytes(big, 7));
    versions.empty = await put(BUCKET, "empty", "");
    versions.unicode = await put(BUCKET, "ünï/☃ 𝄞.txt", "snow");
    versions.public = await put(BUCKET, "public/page.html", "<p>hi</p>");
    versions.gone = await put(BUCKET, "gone", "soon hidden");
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gone" }));
    versions.tagged = await put(BUCKET, "tagged", "with tags");
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: "tagged",
        Tagging: { TagSet: [{ Key: "state", Value: "final" }] },
      }),
    );

    const upload = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "multi" }),
    );
    const parts = [];
    for (const [number, size] of [
      [1, 5 * MiB],
      [2, MiB + 3],
    ]) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: "multi",
          UploadId: upload.UploadId,
          PartNumber: number,
          Body: await patternBytes(size, number),
        }),
      );
      parts.push({ PartNumber: number, ETag: part.ETag });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: "multi",
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    versions.multi = done.VersionId;

    // A version deleted for good before the loss must stay deleted.
    const copies = await copiesOnDrives();
    await s3.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "small", VersionId: versions.small2 }),
    );
    await eventually(
      async () => (await copiesOnDrives()) === copies - 8,
      10_000,
      "garbage collection",
    );
    before = await versionList(s3, BUCKET);
  });

  it("answers NoSuchBucket once its coordinator lost its state", async () => {
    await wipeCoordinator(BUCKET);
    const head = await s3Error(s3.send(new HeadBucketCommand({ Bucket: BUCKET })));
    expect(head.$metadata.httpStatusCode).toBe(404);
    const get = await s3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "small" })));
    expect(get.name).toBe("NoSuchBucket");
  });

  it("reports in a dry run what it would restore, changing nothing", async () => {
    const res = await rebuild({ bucket: BUCKET, dryRun: true });
    expect(res.status).toBe(200);
    const [report] = res.body.rebuilt;
    expect(report).toMatchObject({
      coordinator: "absent",
      config: "drive-copy",
      versions: before.length,
      deleteMarkers: 1,
      belowQuorum: 0,
      finished: true,
    });
    const head = await s3Error(s3.send(new HeadBucketCommand({ Bucket: BUCKET })));
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  it("rebuilds every version, delete marker and the latest of each key", async () => {
    const res = await rebuild({ bucket: BUCKET });
    expect(res.status).toBe(200);
    expect(res.body.rebuilt[0]).toMatchObject({
      bucket: BUCKET,
      coordinator: "absent",
      versions: before.length,
      deleteMarkers: 1,
      toHeal: 0,
      belowQuorum: 0,
      inlineLost: 0,
      offlineDrives: [],
      finished: true,
    });
    expect(await versionList(s3, BUCKET)).toEqual(before);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([
      "big",
      "empty",
      "multi",
      "public/page.html",
      "small",
      "tagged",
      "ünï/☃ 𝄞.txt",
    ]);
    expect(before.some((v) => v.versionId === versions.small2)).toBe(false);
  });

  it("serves every version's bytes as before", async () => {
    const text = async (key: string, versionId?: string) => {
      const res = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }),
      );
      return res.Body!.transformToString();
    };
    expect(await text("small")).toBe("third");
    expect(await text("small", versions.small1)).toBe("first");
    expect(await text("empty")).toBe("");
    expect(await text("ünï/☃ 𝄞.txt")).toBe("snow");
    expect(await text("gone", versions.gone)).toBe("soon hidden");
    expect(await md5Of(BUCKET, "big")).toBe(await patternMd5(big, 7));
    const multi = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "multi" }));
    expect(multi.ETag).toMatch(/-2"$/);
    expect(multi.ContentLength).toBe(6 * MiB + 3);
    const gone = await s3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "gone" })));
    expect(gone.name).toBe("NoSuchKey");
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged" }));
    expect(tags.TagSet).toEqual([{ Key: "state", Value: "final" }]);
  });

  it("restores the bucket's settings", async () => {
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    expect(versioning.Status).toBe("Enabled");
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
    expect(tagging.TagSet).toEqual([{ Key: "team", Value: "storage" }]);
    const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
    expect(JSON.parse(stored.Policy!)).toEqual(JSON.parse(policy));
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(lifecycle.Rules?.[0]).toMatchObject({ ID: "old", Expiration: { Days: 30 } });
    const anonymous = await fetch(`${site.url}/${BUCKET}/public/page.html`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toBe("<p>hi</p>");
  });

  it("takes new writes after the rebuild, newest last", async () => {
    const id = await put(BUCKET, "small", "fourth");
    expect(id).toBeTruthy();
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "small" }));
    expect(await res.Body!.transformToString()).toBe("fourth");
    expect((await versionList(s3, BUCKET)).filter((v) => v.key === "small")).toHaveLength(3);
  });

  it("refuses to rebuild a coordinator that holds its namespace", async () => {
    const res = await rebuild({ bucket: BUCKET });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "BucketNotLost" });
  });
});

describe("an unversioned bucket rebuilt with drives offline and one wiped", () => {
  const BUCKET = "rebuilt-degraded";

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await put(BUCKET, "overwritten", "old contents");
    await put(BUCKET, "overwritten", "new contents");
    await put(BUCKET, "large", await patternBytes(2 * MiB, 3));
    for (let i = 0; i < 30; i++) await put(BUCKET, `many/${String(i).padStart(2, "0")}`, `n${i}`);
  });

  afterAll(async () => {
    for (const d of [1, 2]) await fault(site, drive(d), "online");
  });

  it("restores from the drives still online", async () => {
    await fault(site, drive(3), "wipe");
    for (const d of [1, 2]) await fault(site, drive(d), "offline");
    await wipeCoordinator(BUCKET);
    const res = await rebuild({});
    expect(res.status).toBe(200);
    const report = res.body.rebuilt.find((r) => r.bucket === BUCKET);
    expect(report).toMatchObject({
      versions: 32,
      toHeal: 32,
      belowQuorum: 0,
      inlineLost: 0,
      offlineDrives: [drive(1), drive(2)],
      finished: true,
    });
    expect(res.body.healthy).toContain("rebuilt");
    expect(res.body.finished).toBe(true);

    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    expect(versioning.Status).toBeUndefined();
    const text = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "overwritten" }));
    expect(await text.Body!.transformToString()).toBe("new contents");
    expect(await md5Of(BUCKET, "large")).toBe(await patternMd5(2 * MiB, 3));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "many/" }));
    expect(listed.KeyCount).toBe(30);
    const all = await versionList(s3, BUCKET);
    expect(all.every((v) => v.versionId === "null")).toBe(true);
  });

  it("heals the wiped drive afterwards", async () => {
    for (const d of [1, 2]) await fault(site, drive(d), "online");
    const res = await admin<{ versionsChecked: number; unrecoverableBlocks: number }>(
      site,
      "POST",
      "heal",
      { bucket: BUCKET },
    );
    expect(res.status).toBe(200);
    expect(res.body.versionsChecked).toBe(32);
    expect(res.body.unrecoverableBlocks).toBe(0);
  });
});

describe("the cron scanner", () => {
  it("rebuilds a lost coordinator by itself, and CreateBucket does not replace it meanwhile", async () => {
    const BUCKET = "rebuilt-by-scanner";
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await put(BUCKET, "a", "alpha");
    await put(BUCKET, "b/c", "gamma");
    await wipeCoordinator(BUCKET);
    const create = await s3Error(s3.send(new CreateBucketCommand({ Bucket: BUCKET })));
    expect(create.name).toBe("BucketAlreadyOwnedByYou");
    await runCron(site);
    await eventually(
      async () => {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
        return listed.KeyCount === 2;
      },
      10_000,
      "the scanner's rebuild",
    );
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "b/c" }));
    expect(await res.Body!.transformToString()).toBe("gamma");
  });
});

describe("a rebuild that runs out of its time budget", () => {
  it("keeps the bucket hidden until a later call finishes it", async () => {
    const BUCKET = "rebuilt-stepwise";
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    for (let i = 0; i < 250; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          put(BUCKET, `k/${String(i + j).padStart(3, "0")}`, `v${i + j}`),
        ),
      );
    }
    const before = await versionList(s3, BUCKET);
    await wipeCoordinator(BUCKET);

    const first = await rebuild({ bucket: BUCKET, budgetMs: 0 });
    expect(first.status).toBe(200);
    expect(first.body.finished).toBe(false);
    expect(first.body.rebuilt[0].versions).toBeLessThan(250);
    const head = await s3Error(s3.send(new HeadBucketCommand({ Bucket: BUCKET })));
    expect(head.$metadata.httpStatusCode).toBe(404);
    const again = await s3Error(s3.send(new CreateBucketCommand({ Bucket: BUCKET })));
    expect(again.name).toBe("BucketAlreadyOwnedByYou");

    let calls = 1;
    let last = first.body;
    while (!last.finished && calls < 20) {
      const next = await rebuild({ bucket: BUCKET, budgetMs: 0 });
      expect(next.status).toBe(200);
      expect(next.body.rebuilt[0].coordinator).toBe("rebuilding");
      last = next.body;
      calls++;
    }
    expect(last.finished).toBe(true);
    expect(calls).toBeGreaterThan(1);
    expect(await versionList(s3, BUCKET)).toEqual(before);
  });
});

describe("floe admin rebuild", () => {
  it("reports in a dry run, then rebuilds every lost bucket of the site", async () => {
    const BUCKET = "rebuilt-by-cli";
    const floe = new Floe();
    await floe.ok(["alias", "set", "site", site.url, ROOT_USER, ROOT_PASSWORD]);
    await floe.ok(["mb", "site/" + BUCKET]);
    for (const key of ["x", "y", "z"]) await put(BUCKET, key, key);
    await wipeCoordinator(BUCKET);

    const [dry] = await floe.json(["admin", "rebuild", "--dry-run", `site/${BUCKET}`]);
    expect(dry).toMatchObject({
      type: "rebuild",
      dryRun: true,
      buckets: [{ bucket: BUCKET, versions: 3, coordinator: "absent", finished: true }],
    });
    const human = await floe.ok(["admin", "rebuild", "site"]);
    expect(human.stdout).toContain(`${BUCKET}: restored 3 version(s) (0 delete marker(s))`);
    const listed = await floe.ok(["ls", `site/${BUCKET}`]);
    expect(listed.stdout.trim().split("\n")).toHaveLength(3);
    const again = await floe.ok(["admin", "rebuild", "site"]);
    expect(again.stdout).toContain("No bucket needs a rebuild.");
    const refused = await floe.run(["admin", "rebuild", `site/${BUCKET}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/BucketNotLost/);
  });
});

describe("what a rebuild will not do", () => {
  it("does not bring back a version held by fewer drives than its read quorum", async () => {
    const BUCKET = "rebuilt-quorum";
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await put(BUCKET, "one", "one");
    await put(BUCKET, "two", "two");
    // Five of eight drives lose everything: each version survives on three, below the four it needs.
    for (const d of [0, 1, 2, 3, 4]) await fault(site, drive(d), "wipe");
    await wipeCoordinator(BUCKET);
    const res = await rebuild({ bucket: BUCKET });
    expect(res.status).toBe(200);
    expect(res.body.rebuilt[0]).toMatchObject({ versions: 0, belowQuorum: 2 });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it("answers 404 for a bucket nobody knows and 400 for a malformed request", async () => {
    const missing = await rebuild({ bucket: "never-created" });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: "NoSuchBucket" });
    const bad = await rebuild({ bucket: "Bad_Name" });
    expect(bad.status).toBe(400);
    const extra = await rebuild({ bucket: "rebuilt", force: true });
    expect(extra.status).toBe(400);
  });
});

describe("a layout of two pools", () => {
  it("rebuilds a bucket whose objects are spread over every set", async () => {
    const wide = await startSite({
      vars: { FLOE_POOLS: '[{"sets":2,"drivesPerSet":4},{"sets":1,"drivesPerSet":6}]' },
    });
    const client = s3Client(wide);
    try {
      const BUCKET = "wide";
      await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await client.send(
        new PutBucketVersioningCommand({
          Bucket: BUCKET,
          VersioningConfiguration: { Status: "Enabled" },
        }),
      );
      for (let i = 0; i < 40; i++) {
        await client.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `k${i}`,
            Body: i % 5 ? `v${i}` : await patternBytes(MiB + i, i),
          }),
        );
      }
      const info = await admin<{ pools: { sets: { drives: { versions: number }[] }[] }[] }>(
        wide,
        "GET",
        "info",
      );
      const perSet = info.body.pools.flatMap((pool) =>
        pool.sets.map((set) => set.drives[0].versions),
      );
      expect(perSet.every((n) => n > 0)).toBe(true);
      const before = await versionList(client, BUCKET);

      expect(
        (await admin(wide, "POST", "coordinator/fault", { bucket: BUCKET, fault: "wipe" })).status,
      ).toBe(200);
      const res = await admin<RebuildSummary>(wide, "POST", "rebuild", { bucket: BUCKET });
      expect(res.body.rebuilt[0]).toMatchObject({ versions: 40, belowQuorum: 0, finished: true });
      expect(await versionList(client, BUCKET)).toEqual(before);
      const big = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "k35" }));
      expect((await md5OfStream(big.Body as AsyncIterable<Uint8Array>)).md5).toBe(
        await patternMd5(MiB + 35, 35),
      );
    } finally {
      client.destroy();
      await wide.remove();
    }
  });
});
