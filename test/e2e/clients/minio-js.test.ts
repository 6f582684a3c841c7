/**
 * minio-js (npm `minio`) against a local site, at its default settings but
 * for a 5 MiB part size (its default is 64 MiB, which would send the
 * 20 MiB stream as one PUT): only the endpoint, credentials, region and
 * path style otherwise point it at the site.
 */
import * as Minio from "minio";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchBytes, randomBytes } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const MiB = 1024 * 1024;
const BUCKET = "minio-js";

let site: Site;
let client: Minio.Client;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function items<T>(stream: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item as T);
  return out;
}

describe("minio-js", () => {
  beforeAll(async () => {
    site = await startSite();
    client = new Minio.Client({
      endPoint: "127.0.0.1",
      port: site.port,
      useSSL: false,
      accessKey: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      pathStyle: true,
      partSize: 5 * MiB,
    });
  });

  afterAll(async () => {
    await site?.remove();
  });

  it("makes a bucket and puts a small and a 20 MiB multipart stream", async () => {
    await client.makeBucket(BUCKET, REGION);
    await client.putObject(BUCKET, "dir/small.bin", small, small.length);
    // Pieces of 1 MiB, as a file or socket would give them.
    const pieces = Array.from({ length: 20 }, (_, i) => large.subarray(i * MiB, (i + 1) * MiB));
    await client.putObject(BUCKET, "dir/sub/large.bin", Readable.from(pieces), large.length);
    const stat = await client.statObject(BUCKET, "dir/sub/large.bin");
    expect(stat.size).toBe(large.length);
    expect(stat.etag).toMatch(/-4$/);
  });

  it("lists with a prefix and a delimiter", async () => {
    const listed = await items<{ name?: string; prefix?: string }>(
      client.listObjectsV2(BUCKET, "dir/", false),
    );
    expect(listed.filter((i) => i.name).map((i) => i.name)).toEqual(["dir/small.bin"]);
    expect(listed.filter((i) => i.prefix).map((i) => i.prefix)).toEqual(["dir/sub/"]);
  });

  it("gets whole objects and a range", async () => {
    expect((await collect(await client.getObject(BUCKET, "dir/sub/large.bin"))).equals(large)).toBe(
      true,
    );
    expect((await collect(await client.getObject(BUCKET, "dir/small.bin"))).equals(small)).toBe(
      true,
    );
    const range = await collect(
      await client.getPartialObject(BUCKET, "dir/sub/large.bin", 1000, 1000),
    );
    expect(range.equals(large.subarray(1000, 2000))).toBe(true);
  });

  it("copies an object", async () => {
    await client.copyObject(BUCKET, "copy.bin", `/${BUCKET}/dir/small.bin`);
    expect((await collect(await client.getObject(BUCKET, "copy.bin"))).equals(small)).toBe(true);
  });

  it("tags an object", async () => {
    await client.setObjectTagging(BUCKET, "copy.bin", { colour: "blue" });
    expect(await client.getObjectTagging(BUCKET, "copy.bin")).toEqual([
      { Key: "colour", Value: "blue" },
    ]);
  });

  it("presigns a GET that node can fetch", async () => {
    const url = await client.presignedGetObject(BUCKET, "dir/small.bin", 300);
    const got = await fetchBytes(url);
    expect(got.status, `${url}\n${got.body.toString()}`).toBe(200);
    expect(got.body.equals(small)).toBe(true);
  });

  it("deletes one object, then many", async () => {
    await client.removeObject(BUCKET, "copy.bin");
    await client.removeObjects(BUCKET, ["dir/small.bin", "dir/sub/large.bin"]);
    expect(await items(client.listObjectsV2(BUCKET, "", true))).toEqual([]);
  });

  it("enables versioning, lists versions and gets one by id", async () => {
    await client.setBucketVersioning(BUCKET, { Status: "Enabled" });
    const first = await client.putObject(BUCKET, "v.txt", Buffer.from("first"));
    await client.putObject(BUCKET, "v.txt", Buffer.from("second"));
    const versions = await items<{ name: string; versionId: string; isLatest: boolean }>(
      client.listObjects(BUCKET, "v.txt", true, { IncludeVersion: true }),
    );
    expect(versions).toHaveLength(2);
    expect(versions.find((v) => !v.isLatest)?.versionId).toBe(first.versionId);
    const old = await collect(
      await client.getObject(BUCKET, "v.txt", { versionId: first.versionId ?? "" }),
    );
    expect(old.toString()).toBe("first");
  });
});
