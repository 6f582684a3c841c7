/**
 * @aws-sdk/client-s3 v3 against a local site, at its default settings
 * (flexible checksums: CRC32 on every upload; lib-storage's Upload for
 * multipart): only the endpoint, credentials, region and path style point
 * it at the site. The presigned GET is signed by @smithy/signature-v4, the
 * signer @aws-sdk/s3-request-presigner wraps.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchBytes, randomBytes } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const MiB = 1024 * 1024;
const BUCKET = "js-sdk";
const credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD };

let site: Site;
let s3: S3Client;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);

async function bytesOf(key: string, extra: { Range?: string; VersionId?: string } = {}) {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
  return Buffer.from((await got.Body?.transformToByteArray()) ?? []);
}

describe("@aws-sdk/client-s3 v3", () => {
  beforeAll(async () => {
    site = await startSite();
    s3 = new S3Client({ endpoint: site.url, region: REGION, forcePathStyle: true, credentials });
  });

  afterAll(async () => {
    s3?.destroy();
    await site?.remove();
  });

  it("makes a bucket and puts a small and a 20 MiB multipart object", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "dir/small.bin", Body: small }));
    await new Upload({
      client: s3,
      params: { Bucket: BUCKET, Key: "dir/sub/large.bin", Body: large },
    }).done();
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "dir/sub/large.bin", ChecksumMode: "ENABLED" }),
    );
    expect(head.ContentLength).toBe(large.length);
    expect(head.ETag).toMatch(/-4"$/);
    expect(head.ChecksumCRC32).toMatch(/-4$/);
  });

  it("lists with a prefix and a delimiter", async () => {
    const listing = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "dir/", Delimiter: "/" }),
    );
    expect(listing.Contents?.map((o) => o.Key)).toEqual(["dir/small.bin"]);
    expect(listing.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dir/sub/"]);
  });

  it("gets whole objects and a range", async () => {
    expect((await bytesOf("dir/sub/large.bin")).equals(large)).toBe(true);
    expect((await bytesOf("dir/small.bin")).equals(small)).toBe(true);
    const range = await bytesOf("dir/sub/large.bin", { Range: "bytes=1000-1999" });
    expect(range.equals(large.subarray(1000, 2000))).toBe(true);
  });

  it("copies an object", async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: "copy.bin",
        CopySource: `${BUCKET}/dir/small.bin`,
      }),
    );
    expect((await bytesOf("copy.bin")).equals(small)).toBe(true);
  });

  it("tags an object", async () => {
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: "copy.bin",
        Tagging: { TagSet: [{ Key: "colour", Value: "blue" }] },
      }),
    );
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "copy.bin" }));
    expect(tags.TagSet).toEqual([{ Key: "colour", Value: "blue" }]);
  });

  it("presigns a GET that node can fetch", async () => {
    const signer = new SignatureV4({
      credentials,
      region: REGION,
      service: "s3",
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: false,
    });
    const url = new URL(`${site.url}/${BUCKET}/dir/small.bin`);
    const signed = await signer.presign(
      {
        method: "GET",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        // As @aws-sdk/s3-request-presigner does: presigned S3 URLs leave the payload unsigned.
        headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      },
      { expiresIn: 300, unsignableHeaders: new Set() },
    );
    const query = new URLSearchParams(signed.query as Record<string, string>);
    const got = await fetchBytes(`${site.url}${signed.path}?${query}`);
    expect(got.status, got.body.toString()).toBe(200);
    expect(got.body.equals(small)).toBe(true);
  });

  it("deletes one object, then many", async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "copy.bin" }));
    const deleted = await s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: "dir/small.bin" }, { Key: "dir/sub/large.bin" }] },
      }),
    );
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual([
      "dir/small.bin",
      "dir/sub/large.bin",
    ]);
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listing.KeyCount).toBe(0);
  });

  it("enables versioning, lists versions and gets one by id", async () => {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const first = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "v.txt", Body: "first" }),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "v.txt", Body: "second" }));
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "v.txt" }),
    );
    expect(versions.Versions).toHaveLength(2);
    expect(versions.Versions?.find((v) => !v.IsLatest)?.VersionId).toBe(first.VersionId);
    expect((await bytesOf("v.txt", { VersionId: first.VersionId })).toString()).toBe("first");
    const attributes = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: "v.txt",
        VersionId: first.VersionId,
        ObjectAttributes: ["ObjectSize", "ETag"],
      }),
    );
    expect([attributes.VersionId, attributes.ObjectSize]).toEqual([first.VersionId, 5]);
    expect(`"${attributes.ETag}"`).toBe(first.ETag);
  });
});
