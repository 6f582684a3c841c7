/**
 * The erasure-coded storage core, end to end: one local site (8 drives,
 * parity 4: reads need 4 drives, writes 5), driven with @aws-sdk/client-s3
 * at default settings and the signed admin API.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, fault, s3Client } from "./harness/clients.ts";
import { s3Error } from "./harness/errors.ts";
import { md5OfStream, patternBytes, patternMd5, patternStream } from "./harness/data.ts";
import { eventually } from "./harness/replication.ts";
import { startSite, type Site } from "./harness/site.ts";

const MiB = 1024 * 1024;
const INLINE = 128 * 1024;
const BUCKET = "storage";
const drive = (n: number) => `pool-0/set-0/drive-${n}`;

let site: Site;
let s3: S3Client;

async function put(key: string, size: number, seed = size) {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: patternStream(size, seed),
      ContentLength: size,
    }),
  );
}

async function getMd5(key: string, range?: string) {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
  return md5OfStream(res.Body as AsyncIterable<Uint8Array>);
}

async function setDrives(drives: number[], state: "offline" | "online") {
  for (const d of drives) await fault(site, drive(d), state);
}

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  if (process.env.FLOE_TEST_SITE_LOG) console.log(site?.output());
  await site?.remove();
});

describe("buckets", () => {
  it("creates, heads and lists a bucket", async () => {
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain(BUCKET);
    const again = await s3Error(s3.send(new CreateBucketCommand({ Bucket: BUCKET })));
    expect(again.name).toBe("BucketAlreadyOwnedByYou");
    const missing = await s3Error(s3.send(new HeadBucketCommand({ Bucket: "no-such-bucket" })));
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });
});

describe("round trips", () => {
  const sizes: [string, number][] = [
    ["0 B", 0],
    ["1 B", 1],
    ["inline threshold - 1", INLINE - 1],
    ["inline threshold", INLINE],
    ["inline threshold + 1", INLINE + 1],
    ["1 MiB - 1", MiB - 1],
    ["1 MiB", MiB],
    ["1 MiB + 1", MiB + 1],
    ["64 MiB", 64 * MiB],
  ];
  for (const [name, size] of sizes) {
    it(`stores and returns ${name} byte-identical`, async () => {
      const key = `sizes/${size}`;
      await put(key, size);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.ContentLength).toBe(size);
      const expected = await patternMd5(size, size);
      expect(head.ETag).toBe(`"${expected}"`);
      expect(await getMd5(key)).toEqual({ md5: expected, size });
    });
  }

  it("stores and returns 300 MiB byte-identical", async () => {
    const size = 300 * MiB;
    await put("sizes/300m", size, 7);
    expect(await getMd5("sizes/300m")).toEqual({ md5: await patternMd5(size, 7), size });
  }, 300_000);
});

describe("ranges", () => {
  const size = 3 * MiB + 12345;
  let data: Buffer;

  beforeAll(async () => {
    data = await patternBytes(size, 99);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "ranges", Body: data }));
  });

  const cases: [string, number, number][] = [
    ["first byte", 0, 0],
    ["last byte of block 0", MiB - 1, MiB - 1],
    ["across the first block edge", MiB - 10, MiB + 9],
    ["exactly block 1", MiB, 2 * MiB - 1],
    ["across two edges", MiB - 1, 2 * MiB],
    ["the tail", 3 * MiB, size - 1],
  ];
  for (const [name, start, end] of cases) {
    it(`serves ${name}`, async () => {
      const res = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: "ranges", Range: `bytes=${start}-${end}` }),
      );
      expect(res.$metadata.httpStatusCode).toBe(206);
      expect(res.ContentRange).toBe(`bytes ${start}-${end}/${size}`);
      const body = Buffer.from(await res.Body!.transformToByteArray());
      expect(body.equals(data.subarray(start, end + 1))).toBe(true);
    });
  }

  it("serves suffix and open ranges", async () => {
    const suffix = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "ranges", Range: "bytes=-100" }),
    );
    expect(
      Buffer.from(await suffix.Body!.transformToByteArray()).equals(data.subarray(size - 100)),
    ).toBe(true);
    const open = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "ranges", Range: `bytes=${2 * MiB}-` }),
    );
    expect(
      Buffer.from(await open.Body!.transformToByteArray()).equals(data.subarray(2 * MiB)),
    ).toBe(true);
  });

  it("answers 416 InvalidRange past the end", async () => {
    const error = await s3Error(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "ranges", Range: `bytes=${size}-` })),
    );
    expect(error.$metadata.httpStatusCode).toBe(416);
    expect(error.name).toBe("InvalidRange");
  });
});

describe("drive failures", () => {
  const size = 5 * MiB + 777;

  it("reads with 4 of 8 drives offline and fails with 503 at 5", async () => {
    await put("faults/read", size, 3);
    await put("faults/read-inline", 1000, 4);
    const expected = await patternMd5(size, 3);
    await setDrives([0, 2, 4, 6], "offline");
    try {
      expect(await getMd5("faults/read")).toEqual({ md5: expected, size });
      expect((await getMd5("faults/read-inline")).md5).toBe(await patternMd5(1000, 4));
      await setDrives([7], "offline");
      const error = await s3Error(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "faults/read" })),
      );
      expect(error.$metadata.httpStatusCode).toBe(503);
      expect(error.name).toBe("InsufficientReadQuorum");
      expect(error.message).toMatch(/insufficient/i);
    } finally {
      await setDrives([0, 2, 4, 6, 7], "online");
    }
    expect(await getMd5("faults/read")).toEqual({ md5: expected, size });
  });

  it("writes with 3 drives offline and fails with 4, leaving nothing visible", async () => {
    await setDrives([1, 3, 5], "offline");
    try {
      await put("faults/write3", size, 5);
      await put("faults/keep", 2 * MiB, 6);
      await setDrives([7], "offline");
      const error = await s3Error(put("faults/write4", size, 8));
      expect(error.$metadata.httpStatusCode).toBe(503);
      const small = await s3Error(put("faults/write4-small", 10, 8));
      expect(small.$metadata.httpStatusCode).toBe(503);
      const overwrite = await s3Error(put("faults/keep", 3 * MiB, 9));
      expect(overwrite.$metadata.httpStatusCode).toBe(503);
    } finally {
      await setDrives([1, 3, 5, 7], "online");
    }
    // The drives that were offline during the write lack its shards until healed.
    const dry = await admin<{ shardsRebuilt: number }>(site, "POST", "heal", {
      bucket: BUCKET,
      key: "faults/write3",
      dryRun: true,
    });
    expect(dry.body.shardsRebuilt).toBeGreaterThan(0);
    const heal = await admin<{ shardsRebuilt: number; incomplete: unknown[] }>(
      site,
      "POST",
      "heal",
      {
        bucket: BUCKET,
        key: "faults/write3",
      },
    );
    expect(heal.status).toBe(200);
    expect(heal.body.incomplete).toEqual([]);
    const after = await admin<{ shardsRebuilt: number }>(site, "POST", "heal", {
      bucket: BUCKET,
      key: "faults/write3",
      dryRun: true,
    });
    expect(after.body.shardsRebuilt).toBe(0);
    const missing = await s3Error(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "faults/write4" })),
    );
    expect(missing.$metadata.httpStatusCode).toBe(404);
    await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "faults/write4-small" })));
    expect(await getMd5("faults/keep")).toEqual({
      md5: await patternMd5(2 * MiB, 6),
      size: 2 * MiB,
    });
    expect(await getMd5("faults/write3")).toEqual({ md5: await patternMd5(size, 5), size });
  });
});

describe("bitrot and healing", () => {
  it("detects corrupted shards on read, still serves the object, and heals it in the background", async () => {
    const size = 2 * MiB + 5;
    await put("heal/corrupt", size, 11);
    // Data shards sit on 4 consecutive drives (mod 8), so two of these hold data shards.
    for (const d of [0, 2, 4, 6]) {
      const damaged = await fault(site, drive(d), "corrupt", {
        bucket: BUCKET,
        key: "heal/corrupt",
      });
      expect(damaged.affected).toBe(1);
    }
    const dry = await admin<{ shardsRebuilt: number }>(site, "POST", "heal", {
      bucket: BUCKET,
      key: "heal/corrupt",
      dryRun: true,
    });
    expect(dry.body.shardsRebuilt).toBe(4);
    expect(await getMd5("heal/corrupt")).toEqual({ md5: await patternMd5(size, 11), size });
    // The read scheduled a heal: the damage disappears without an admin heal.
    let remaining = 4;
    for (let i = 0; i < 100 && remaining > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const check = await admin<{ shardsRebuilt: number }>(site, "POST", "heal", {
        bucket: BUCKET,
        key: "heal/corrupt",
        dryRun: true,
      });
      remaining = check.body.shardsRebuilt;
    }
    expect(remaining).toBe(0);
    expect(await getMd5("heal/corrupt")).toEqual({ md5: await patternMd5(size, 11), size });
  });

  it("admin heal reports and rebuilds a corrupted shard it finds itself", async () => {
    await put("heal/scan", MiB + 3, 12);
    await fault(site, drive(5), "corrupt", { bucket: BUCKET, key: "heal/scan" });
    const heal = await admin<{ shardsRebuilt: number }>(site, "POST", "heal", {
      bucket: BUCKET,
      key: "heal/scan",
    });
    expect(heal.body.shardsRebuilt).toBe(1);
  });

  it("rebuilds a wiped drive completely with admin heal", async () => {
    await put("heal/wiped-a", 3 * MiB, 21);
    await put("heal/wiped-b", 500, 22);
    type Info = { pools: { sets: { drives: { id: string; versions: number }[] }[] }[] };
    let before = await admin<Info>(site, "GET", "info");
    // Background heals and garbage collection left by earlier tests (retried with backoff) must
    // be done first, or one landing after the wipe writes to the wiped drive: every drive then
    // holds the same versions.
    await eventually(
      async () => {
        before = await admin<Info>(site, "GET", "info");
        return new Set(before.body.pools[0].sets[0].drives.map((d) => d.versions)).size === 1;
      },
      60_000,
      "background heals and garbage collection to settle",
    );
    const versionsBefore = before.body.pools[0].sets[0].drives[2].versions;
    await fault(site, drive(2), "wipe");
    const wiped = await admin<{
      pools: { sets: { drives: { versions: number; usedBytes: number }[] }[] }[];
    }>(site, "GET", "info");
    // A heal an earlier test left queued (retried with backoff) may land on the wiped drive at once.
    expect(wiped.body.pools[0].sets[0].drives[2].versions).toBeLessThan(versionsBefore);
    const heal = await admin<{ versionsChecked: number; incomplete: unknown[] }>(
      site,
      "POST",
      "heal",
      {},
    );
    expect(heal.status).toBe(200);
    expect(heal.body.incomplete).toEqual([]);
    const after = await admin<{ pools: { sets: { drives: { versions: number }[] }[] }[] }>(
      site,
      "GET",
      "info",
    );
    expect(after.body.pools[0].sets[0].drives[2].versions).toBe(versionsBefore);
    // With 4 other drives offline, reads must now depend on the rebuilt drive.
    await setDrives([0, 1, 3, 4], "offline");
    try {
      expect(await getMd5("heal/wiped-a")).toEqual({
        md5: await patternMd5(3 * MiB, 21),
        size: 3 * MiB,
      });
      expect((await getMd5("heal/wiped-b")).md5).toBe(await patternMd5(500, 22));
    } finally {
      await setDrives([0, 1, 3, 4], "online");
    }
  });
});

describe("delete", () => {
  it("deletes an object", async () => {
    await put("gone", 2 * MiB, 31);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gone" }));
    const error = await s3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "gone" })));
    expect(error.name).toBe("NoSuchKey");
  });
});

describe("bucket deletion", () => {
  it("removes the parts of abandoned multipart uploads from the drives", async () => {
    type Info = { pools: { sets: { drives: { shardBlocks: number }[] }[] }[] };
    const blocks = async () =>
      (await admin<Info>(site, "GET", "info")).body.pools[0].sets[0].drives.reduce(
        (n, d) => n + d.shardBlocks,
        0,
      );
    // Let background garbage collection from earlier tests settle first.
    let before = await blocks();
    for (let settled = false; !settled;) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await blocks();
      settled = now === before;
      before = now;
    }
    await s3.send(new CreateBucketCommand({ Bucket: "abandoned" }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: "abandoned", Key: "big" }),
    );
    await s3.send(
      new UploadPartCommand({
        Bucket: "abandoned",
        Key: "big",
        UploadId,
        PartNumber: 1,
        Body: await patternBytes(3 * MiB, 2),
      }),
    );
    expect(await blocks()).toBeGreaterThan(before);
    await s3.send(new DeleteBucketCommand({ Bucket: "abandoned" }));
    expect(await blocks()).toBe(before);
    const gone = await s3Error(s3.send(new HeadBucketCommand({ Bucket: "abandoned" })));
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });
});

describe("admin info", () => {
  it("describes the layout, quorum and drive states", async () => {
    await fault(site, drive(6), "offline");
    const info = await admin<{
      deploymentId: string;
      pools: {
        sets: {
          id: string;
          dataShards: number;
          parityShards: number;
          readQuorum: number;
          writeQuorum: number;
          drives: { id: string; state: string; usedBytes: number }[];
        }[];
      }[];
    }>(site, "GET", "info");
    await fault(site, drive(6), "online");
    expect(info.body.deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    const set = info.body.pools[0].sets[0];
    expect(set).toMatchObject({
      id: "pool-0/set-0",
      dataShards: 4,
      parityShards: 4,
      readQuorum: 4,
      writeQuorum: 5,
    });
    expect(set.drives.map((d) => d.id)).toEqual(Array.from({ length: 8 }, (_, i) => drive(i)));
    expect(set.drives[6].state).toBe("offline");
    expect(set.drives[0].state).toBe("online");
    expect(set.drives[0].usedBytes).toBeGreaterThan(0);
  });

  it("refuses unsigned admin calls", async () => {
    const res = await fetch(`${site.url}/floe/admin/v1/info`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "AccessDenied" });
  });
});
