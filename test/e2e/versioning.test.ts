/**
 * Bucket versioning with @aws-sdk/client-s3: version ids, the null version,
 * delete markers, GET by version, permanent version deletes, suspension,
 * MinIO's excluded prefixes, and ListObjectVersions.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { s3Client } from "./harness/clients.ts";
import { s3Error } from "./harness/errors.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

let site: Site;
let s3: S3Client;
const BUCKET = "versioned";

async function body(key: string, versionId?: string) {
  const res = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }),
  );
  return res.Body!.transformToString();
}

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await site?.remove();
});

describe("versioning", () => {
  it("keeps the pre-versioning object as the null version and versions new writes", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "doc", Body: "before" }));
    expect(
      (await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status,
    ).toBeUndefined();
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe(
      "Enabled",
    );
    const v1 = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "doc", Body: "one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "doc", Body: "two" }));
    expect(v1.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    expect(await body("doc")).toBe("two");
    expect(await body("doc", v1.VersionId)).toBe("one");
    expect(await body("doc", "null")).toBe("before");
    const nullHead = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "doc", VersionId: "null" }),
    );
    expect(nullHead.VersionId).toBe("null");
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "doc" }),
    );
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [v2.VersionId, true],
      [v1.VersionId, false],
      ["null", false],
    ]);
  });

  it("hides a key behind a delete marker and brings it back when the marker goes", async () => {
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "doc" }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await s3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "doc" })));
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.name).toBe("NoSuchKey");
    const raw = await fetch(`${site.url}/${BUCKET}/doc`, {
      headers: await signRequest({
        method: "GET",
        url: `${site.url}/${BUCKET}/doc`,
        accessKeyId: ROOT_USER,
        secretKey: ROOT_PASSWORD,
        region: REGION,
      }),
    });
    expect([raw.status, raw.headers.get("x-amz-delete-marker")]).toEqual([404, "true"]);
    const byVersion = await s3Error(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "doc", VersionId: deleted.VersionId })),
    );
    expect(byVersion.$metadata.httpStatusCode).toBe(405);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "doc" }));
    expect(listed.KeyCount).toBe(0);
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "doc" }),
    );
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([
      [deleted.VersionId, true],
    ]);
    expect(versions.Versions).toHaveLength(3);
    const removed = await s3.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "doc", VersionId: deleted.VersionId }),
    );
    expect(removed.DeleteMarker).toBe(true);
    expect(await body("doc")).toBe("two");
  });

  it("refuses tagging a delete marker, latest or named by version id, with 405", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "tagged", Body: "x" }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "tagged" }));
    const tagging = { TagSet: [{ Key: "k", Value: "v" }] };
    for (const versionId of [undefined, marker.VersionId]) {
      const put = await s3Error(
        s3.send(
          new PutObjectTaggingCommand({
            Bucket: BUCKET,
            Key: "tagged",
            VersionId: versionId,
            Tagging: tagging,
          }),
        ),
      );
      expect([put.$metadata.httpStatusCode, put.name]).toEqual([405, "MethodNotAllowed"]);
      const del = await s3Error(
        s3.send(
          new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged", VersionId: versionId }),
        ),
      );
      expect([del.$metadata.httpStatusCode, del.name]).toEqual([405, "MethodNotAllowed"]);
    }
    const url = `${site.url}/${BUCKET}/tagged?tagging`;
    const body = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>";
    const raw = await fetch(url, {
      method: "PUT",
      body,
      headers: await signRequest({
        method: "PUT",
        url,
        headers: { "content-md5": createHash("md5").update(body).digest("base64") },
        accessKeyId: ROOT_USER,
        secretKey: ROOT_PASSWORD,
        region: REGION,
      }),
    });
    expect(await raw.text()).toContain("<Code>MethodNotAllowed</Code>");
    expect([raw.status, raw.headers.get("x-amz-delete-marker")]).toEqual([405, "true"]);
    expect(raw.headers.get("x-amz-version-id")).toBe(marker.VersionId);
    // The version below the marker keeps no tag from the refused calls.
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "tagged" }),
    );
    const below = versions.Versions?.[0]?.VersionId;
    const tags = await s3.send(
      new GetObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged", VersionId: below }),
    );
    expect(tags.TagSet).toEqual([]);
  });

  it("stacks a marker on a marker, newest first", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "twice", Body: "x" }));
    const first = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "twice" }));
    const second = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "twice" }));
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "twice" }),
    );
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([
      [second.VersionId, true],
      [first.VersionId, false],
    ]);
    expect(versions.Versions?.map((v) => v.IsLatest)).toEqual([false]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "doc" }));
    expect(head.VersionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("removes one version permanently with its version id", async () => {
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "doc" }),
    );
    const oldest = versions.Versions!.find((v) => v.VersionId !== "null" && !v.IsLatest)!;
    await s3.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "doc", VersionId: oldest.VersionId }),
    );
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "doc" }));
    expect(after.Versions?.map((v) => v.VersionId)).not.toContain(oldest.VersionId);
    expect(
      (
        await s3Error(
          s3.send(
            new GetObjectCommand({ Bucket: BUCKET, Key: "doc", VersionId: oldest.VersionId }),
          ),
        )
      ).name,
    ).toBe("NoSuchVersion");
  });

  it("pages through versions with key and version-id markers", async () => {
    for (let i = 0; i < 3; i++)
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "page/a", Body: `a${i}` }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "page/b", Body: "b" }));
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: BUCKET,
          Prefix: "page/",
          MaxKeys: 2,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      seen.push(...(page.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(seen.map((s) => s.split("@")[0])).toEqual(["page/a", "page/a", "page/a", "page/b"]);
  });

  it("writes null versions while suspended, replacing the previous null version", async () => {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: BUCKET,
        VersioningConfiguration: { Status: "Suspended" },
      }),
    );
    const a = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "susp", Body: "first" }));
    const b = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "susp", Body: "second" }));
    expect([a.VersionId, b.VersionId]).toEqual(["null", "null"]);
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "susp" }),
    );
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(["null"]);
    expect(await body("susp")).toBe("second");
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "susp" }));
    expect([marker.DeleteMarker, marker.VersionId]).toEqual([true, "null"]);
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "susp" }));
    expect(after.Versions ?? []).toEqual([]);
    expect(after.DeleteMarkers?.map((m) => m.VersionId)).toEqual(["null"]);
  });

  it("leaves MinIO's excluded prefixes unversioned", async () => {
    const res = await fetch(`${site.url}/excluded?versioning`, {
      method: "PUT",
      body: "",
      headers: await signRequest({
        method: "PUT",
        url: `${site.url}/excluded?versioning`,
        accessKeyId: ROOT_USER,
        secretKey: ROOT_PASSWORD,
        region: REGION,
      }),
    });
    expect(res.status).toBe(404);
    await s3.send(new CreateBucketCommand({ Bucket: "excluded" }));
    const xml =
      "<VersioningConfiguration><Status>Enabled</Status><ExcludeFolders>true</ExcludeFolders><ExcludedPrefixes><Prefix>tmp/</Prefix></ExcludedPrefixes></VersioningConfiguration>";
    const url = `${site.url}/excluded?versioning`;
    const put = await fetch(url, {
      method: "PUT",
      body: xml,
      headers: await signRequest({
        method: "PUT",
        url,
        accessKeyId: ROOT_USER,
        secretKey: ROOT_PASSWORD,
        region: REGION,
        headers: { "content-length": String(xml.length) },
      }),
    });
    expect(put.status).toBe(200);
    const kept = await s3.send(
      new PutObjectCommand({ Bucket: "excluded", Key: "data/x", Body: "x" }),
    );
    const scratch = await s3.send(
      new PutObjectCommand({ Bucket: "excluded", Key: "tmp/x", Body: "x" }),
    );
    const folder = await s3.send(
      new PutObjectCommand({ Bucket: "excluded", Key: "data/", Body: "" }),
    );
    expect(kept.VersionId).not.toBe("null");
    expect([scratch.VersionId, folder.VersionId]).toEqual(["null", "null"]);
  });

  it("refuses a malformed versioning document", async () => {
    const bad = await s3Error(
      s3.send(
        new PutBucketVersioningCommand({
          Bucket: BUCKET,
          VersioningConfiguration: { Status: "Sometimes" as "Enabled" },
        }),
      ),
    );
    expect(bad.name).toBe("MalformedXML");
  });
});
