/**
 * The S3 API end to end with @aws-sdk/client-s3 at default settings (flexible
 * checksums on) against one local site: listing, multipart (also through
 * lib-storage's Upload), copy, batch delete, conditional requests, metadata,
 * tagging and checksums (virtual hosts and bad input: s3-api-input.test.ts).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type StorageClass,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { presignUrl } from "../../shared/sigv4/sign.ts";
import { s3Error } from "./harness/errors.ts";
import { patternBytes } from "./harness/data.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER } from "./harness/site.ts";
import { BUCKET, useApiSite } from "./harness/s3-api.ts";

const MiB = 1024 * 1024;
const api = useApiSite();
const { text, put, raw } = api;

describe("listing", () => {
  const keys = [
    "a/1.txt",
    "a/2.txt",
    "a/deep/3.txt",
    "b/1.txt",
    "c.txt",
    "B.txt",
    "z.txt",
    "é.txt",
    "sp ace.txt",
  ];

  beforeAll(async () => {
    await api.s3.send(new CreateBucketCommand({ Bucket: "listing" }));
    for (const key of keys)
      await api.s3.send(new PutObjectCommand({ Bucket: "listing", Key: key, Body: key }));
  });

  it("lists every key in UTF-8 binary order", async () => {
    const res = await api.s3.send(new ListObjectsV2Command({ Bucket: "listing" }));
    const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(res.Contents?.map((c) => c.Key)).toEqual(expected);
    expect(res.KeyCount).toBe(keys.length);
    expect(res.Contents?.[0]).toMatchObject({ Size: expected[0].length, StorageClass: "STANDARD" });
    expect(res.Contents?.[0].ETag).toBe(`"${createHash("md5").update(expected[0]).digest("hex")}"`);
  });

  it("groups by delimiter under a prefix", async () => {
    const top = await api.s3.send(new ListObjectsV2Command({ Bucket: "listing", Delimiter: "/" }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/"]);
    expect(top.Contents?.map((c) => c.Key)).toEqual([
      "B.txt",
      "c.txt",
      "sp ace.txt",
      "z.txt",
      "é.txt",
    ]);
    const a = await api.s3.send(
      new ListObjectsV2Command({ Bucket: "listing", Prefix: "a/", Delimiter: "/" }),
    );
    expect(a.Contents?.map((c) => c.Key)).toEqual(["a/1.txt", "a/2.txt"]);
    expect(a.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/deep/"]);
  });

  it("pages with continuation tokens, start-after and max-keys, never repeating a prefix", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await api.s3.send(
        new ListObjectsV2Command({
          Bucket: "listing",
          Delimiter: "/",
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      seen.push(
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
        ...(page.Contents ?? []).map((c) => c.Key!),
      );
      expect((page.KeyCount ?? 0) <= 2).toBe(true);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(seen.sort()).toEqual(
      ["B.txt", "a/", "b/", "c.txt", "sp ace.txt", "z.txt", "é.txt"].sort(),
    );
    const after = await api.s3.send(
      new ListObjectsV2Command({ Bucket: "listing", StartAfter: "c.txt" }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual(["sp ace.txt", "z.txt", "é.txt"]);
  });

  it("URL-encodes keys with encoding-type=url and returns the owner with fetch-owner", async () => {
    const res = await raw(
      "GET",
      "/listing?list-type=2&prefix=sp&encoding-type=url&fetch-owner=true",
    );
    const xml = await res.text();
    expect(xml).toContain("<Key>sp%20ace.txt</Key>");
    expect(xml).toContain("<EncodingType>url</EncodingType>");
    expect(xml).toContain(`<Owner><ID>${ROOT_USER}</ID>`);
  });

  it("serves ListObjects v1 with markers", async () => {
    const first = await api.s3.send(
      new ListObjectsCommand({ Bucket: "listing", MaxKeys: 3, Delimiter: "/" }),
    );
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBeDefined();
    const rest = await api.s3.send(
      new ListObjectsCommand({ Bucket: "listing", Marker: first.NextMarker, Delimiter: "/" }),
    );
    const all = [
      ...(first.CommonPrefixes ?? []).map((p) => p.Prefix),
      ...(first.Contents ?? []).map((c) => c.Key),
      ...(rest.CommonPrefixes ?? []).map((p) => p.Prefix),
      ...(rest.Contents ?? []).map((c) => c.Key),
    ];
    expect(all.sort()).toEqual(
      ["B.txt", "a/", "b/", "c.txt", "sp ace.txt", "z.txt", "é.txt"].sort(),
    );
  });

  it("answers NoSuchBucket and refuses to delete a non-empty bucket", async () => {
    expect(
      (await s3Error(api.s3.send(new ListObjectsV2Command({ Bucket: "nope-nope" })))).name,
    ).toBe("NoSuchBucket");
    expect((await s3Error(api.s3.send(new DeleteBucketCommand({ Bucket: "listing" })))).name).toBe(
      "BucketNotEmpty",
    );
  });
});

describe("multipart", () => {
  it("uploads with lib-storage Upload and reads back across parts", async () => {
    const data = await patternBytes(12 * MiB + 123, 5);
    const upload = new Upload({
      client: api.s3,
      params: { Bucket: BUCKET, Key: "mp/lib", Body: data },
      partSize: 5 * MiB,
      queueSize: 2,
    });
    const result = await upload.done();
    expect(result.ETag).toMatch(/-3"$/);
    const res = await api.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "mp/lib" }));
    expect(Buffer.from(await res.Body!.transformToByteArray()).equals(data)).toBe(true);
    const range = await api.s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: "mp/lib",
        Range: `bytes=${5 * MiB - 5}-${5 * MiB + 4}`,
      }),
    );
    expect(
      Buffer.from(await range.Body!.transformToByteArray()).equals(
        data.subarray(5 * MiB - 5, 5 * MiB + 5),
      ),
    ).toBe(true);
  });

  it("lists, validates and aborts uploads", async () => {
    const { UploadId } = await api.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "mp/manual" }),
    );
    const small = await api.s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "mp/manual",
        UploadId,
        PartNumber: 1,
        Body: "too small",
      }),
    );
    const last = await api.s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "mp/manual",
        UploadId,
        PartNumber: 2,
        Body: "end",
      }),
    );
    const uploads = await api.s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "mp/" }),
    );
    expect(uploads.Uploads?.map((u) => u.UploadId)).toContain(UploadId);
    const parts = await api.s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: "mp/manual", UploadId }),
    );
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 9],
      [2, 3],
    ]);
    // The SDK sends a CRC32 with every part by default; ListParts returns it.
    expect(parts.Parts?.every((p) => typeof p.ChecksumCRC32 === "string")).toBe(true);
    const complete = (list: { PartNumber: number; ETag?: string }[]) =>
      api.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: "mp/manual",
          UploadId,
          MultipartUpload: { Parts: list },
        }),
      );
    expect(
      (
        await s3Error(
          complete([
            { PartNumber: 1, ETag: small.ETag },
            { PartNumber: 2, ETag: last.ETag },
          ]),
        )
      ).name,
    ).toBe("EntityTooSmall");
    expect(
      (
        await s3Error(
          complete([
            { PartNumber: 2, ETag: last.ETag },
            { PartNumber: 1, ETag: small.ETag },
          ]),
        )
      ).name,
    ).toBe("InvalidPartOrder");
    expect(
      (await s3Error(complete([{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }])))
        .name,
    ).toBe("InvalidPart");
    await api.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "mp/manual", UploadId }),
    );
    expect(
      (
        await s3Error(
          api.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: "mp/manual", UploadId })),
        )
      ).name,
    ).toBe("NoSuchUpload");
    expect(
      (await s3Error(api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "mp/manual" }))))
        .$metadata.httpStatusCode,
    ).toBe(404);
  });

  it("copies a source range into a part", async () => {
    const data = await patternBytes(6 * MiB, 9);
    await put("mp/source", data);
    const { UploadId } = await api.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "mp/copied" }),
    );
    const p1 = await api.s3.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: "mp/copied",
        UploadId,
        PartNumber: 1,
        CopySource: `${BUCKET}/mp/source`,
        CopySourceRange: `bytes=0-${5 * MiB - 1}`,
      }),
    );
    const p2 = await api.s3.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: "mp/copied",
        UploadId,
        PartNumber: 2,
        CopySource: `${BUCKET}/mp/source`,
        CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}`,
      }),
    );
    await api.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: "mp/copied",
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.CopyPartResult?.ETag },
            { PartNumber: 2, ETag: p2.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    const res = await api.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "mp/copied" }));
    expect(Buffer.from(await res.Body!.transformToByteArray()).equals(data)).toBe(true);
  });
});

describe("copy", () => {
  it("copies with COPY and REPLACE metadata directives", async () => {
    await put("copy/src", "payload", { ContentType: "text/plain", Metadata: { colour: "blue" } });
    await api.s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: "copy/dst", CopySource: `${BUCKET}/copy/src` }),
    );
    const copied = await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "copy/dst" }));
    expect([copied.ContentType, copied.Metadata]).toEqual(["text/plain", { colour: "blue" }]);
    await api.s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: "copy/dst2",
        CopySource: `${BUCKET}/copy/src`,
        MetadataDirective: "REPLACE",
        ContentType: "application/json",
        Metadata: { colour: "red" },
      }),
    );
    const replaced = await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "copy/dst2" }));
    expect([replaced.ContentType, replaced.Metadata]).toEqual([
      "application/json",
      { colour: "red" },
    ]);
    expect((await text("copy/dst2")).body).toBe("payload");
  });

  it("refuses to copy onto itself unless metadata is replaced", async () => {
    const refused = await s3Error(
      api.s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: "copy/src",
          CopySource: `${BUCKET}/copy/src`,
        }),
      ),
    );
    expect(refused.name).toBe("InvalidRequest");
    await api.s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: "copy/src",
        CopySource: `${BUCKET}/copy/src`,
        MetadataDirective: "REPLACE",
        Metadata: { colour: "green" },
      }),
    );
    expect(
      (await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "copy/src" }))).Metadata,
    ).toEqual({ colour: "green" });
  });

  it("honours x-amz-copy-source-if-* conditions", async () => {
    const failed = await s3Error(
      api.s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: "copy/cond",
          CopySource: `${BUCKET}/copy/src`,
          CopySourceIfMatch: '"nope"',
        }),
      ),
    );
    expect(failed.$metadata.httpStatusCode).toBe(412);
    const head = await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "copy/src" }));
    await api.s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: "copy/cond",
        CopySource: `${BUCKET}/copy/src`,
        CopySourceIfMatch: head.ETag,
      }),
    );
  });
});

describe("objects", () => {
  it("deletes in batches, quietly or not", async () => {
    for (const key of ["del/1", "del/2", "del/3"]) await put(key, key);
    const loud = await api.s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: "del/1" }, { Key: "del/missing" }] },
      }),
    );
    expect(loud.Deleted?.map((d) => d.Key).sort()).toEqual(["del/1", "del/missing"]);
    const quiet = await api.s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: "del/2" }, { Key: "del/3" }], Quiet: true },
      }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    const left = await api.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "del/" }));
    expect(left.KeyCount).toBe(0);
  });

  it("answers conditional GETs and PUTs as AWS does", async () => {
    const { ETag } = await put("cond", "v1");
    const notModified = await s3Error(
      api.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "cond", IfNoneMatch: ETag })),
    );
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const failed = await s3Error(
      api.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "cond", IfMatch: '"other"' })),
    );
    expect(failed.$metadata.httpStatusCode).toBe(412);
    const since = await s3Error(
      api.s3.send(
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: "cond",
          IfModifiedSince: new Date(Date.now() + 60_000),
        }),
      ),
    );
    expect(since.$metadata.httpStatusCode).toBe(304);
    expect((await text("cond", { IfMatch: ETag })).body).toBe("v1");
    const exists = await s3Error(put("cond", "v2", { IfNoneMatch: "*" }));
    expect(exists.$metadata.httpStatusCode).toBe(412);
    await put("cond-new", "v1", { IfNoneMatch: "*" });
    expect((await text("cond")).body).toBe("v1");
  });

  it("serves part 1 of a single-part object and refuses other part numbers", async () => {
    await put("single", "whole");
    const res = await api.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "single", PartNumber: 1 }),
    );
    expect([res.$metadata.httpStatusCode, await res.Body!.transformToString()]).toEqual([
      200,
      "whole",
    ]);
    const error = await s3Error(
      api.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "single", PartNumber: 2 })),
    );
    expect([error.$metadata.httpStatusCode, error.name]).toEqual([416, "InvalidPartNumber"]);
  });

  it("keeps metadata and content headers, and overrides them on request", async () => {
    await put("meta", "x", {
      ContentType: "text/csv",
      ContentDisposition: "attachment",
      CacheControl: "max-age=60",
      ContentLanguage: "fr",
      Metadata: { Owner: "Ana", "project-id": "7" },
    });
    const head = await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "meta" }));
    expect(head).toMatchObject({
      ContentType: "text/csv",
      ContentDisposition: "attachment",
      CacheControl: "max-age=60",
      ContentLanguage: "fr",
      Metadata: { owner: "Ana", "project-id": "7" },
    });
    const { res } = await text("meta", {
      ResponseContentType: "application/x-test",
      ResponseCacheControl: "no-store",
    });
    expect([res.ContentType, res.CacheControl]).toEqual(["application/x-test", "no-store"]);
    const tooBig = await s3Error(put("meta-big", "x", { Metadata: { big: "v".repeat(2100) } }));
    expect(tooBig.name).toBe("MetadataTooLarge");
  });

  it("keeps the storage class, and refuses unknown ones", async () => {
    await put("rrs", "reduced", { StorageClass: "REDUCED_REDUNDANCY" });
    expect(
      (await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "rrs" }))).StorageClass,
    ).toBe("REDUCED_REDUNDANCY");
    const listed = await api.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "rrs" }));
    expect(listed.Contents?.[0].StorageClass).toBe("REDUCED_REDUNDANCY");
    expect((await text("rrs")).body).toBe("reduced");
    expect(
      (await s3Error(put("frozen", "x", { StorageClass: "FROZEN" as StorageClass }))).name,
    ).toBe("InvalidStorageClass");
  });

  it("tags objects on PUT and through the tagging API", async () => {
    await put("tagged", "x", { Tagging: "team=blue&tier=1" });
    const got = await api.s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged" }));
    expect(got.TagSet).toEqual([
      { Key: "team", Value: "blue" },
      { Key: "tier", Value: "1" },
    ]);
    await api.s3.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: "tagged",
        Tagging: { TagSet: [{ Key: "only", Value: "one" }] },
      }),
    );
    expect(
      (await api.s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged" }))).TagSet,
    ).toEqual([{ Key: "only", Value: "one" }]);
    expect(
      (await api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "tagged" }))).$metadata
        .httpStatusCode,
    ).toBe(200);
    await api.s3.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged" }));
    expect(
      (await api.s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged" }))).TagSet,
    ).toEqual([]);
    const tooMany = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&");
    expect((await s3Error(put("tagged-bad", "x", { Tagging: tooMany }))).name).toBe("InvalidTag");
  });

  it("stores and returns additional checksums, and refuses a wrong one", async () => {
    for (const algorithm of ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"] as const) {
      await put(`sum/${algorithm}`, "checksummed body", { ChecksumAlgorithm: algorithm });
      const res = await api.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: `sum/${algorithm}`, ChecksumMode: "ENABLED" }),
      );
      expect(await res.Body!.transformToString()).toBe("checksummed body");
      const field = `Checksum${algorithm}` as const;
      expect(res[field], algorithm).toBeTruthy();
    }
    const sha256 = createHash("sha256").update("checksummed body").digest("base64");
    const head = await api.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "sum/SHA256", ChecksumMode: "ENABLED" }),
    );
    expect(head.ChecksumSHA256).toBe(sha256);
    const wrong = await s3Error(
      put("sum/wrong", "checksummed body", {
        ChecksumSHA256: createHash("sha256").update("other").digest("base64"),
      }),
    );
    expect(wrong.name).toBe("BadDigest");
    expect(
      (await s3Error(api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "sum/wrong" }))))
        .$metadata.httpStatusCode,
    ).toBe(404);
  });

  it("serves presigned GETs and refuses expired ones", async () => {
    await put("presigned", "shared link");
    const url = await presignUrl({
      method: "GET",
      url: `${api.site.url}/${BUCKET}/presigned`,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      expiresSeconds: 60,
    });
    const ok = await fetch(url);
    expect([ok.status, await ok.text()]).toEqual([200, "shared link"]);
    const old = await presignUrl({
      method: "GET",
      url: `${api.site.url}/${BUCKET}/presigned`,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      expiresSeconds: 60,
      now: new Date(Date.now() - 120_000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("<Code>AccessDenied</Code>");
  });
});
