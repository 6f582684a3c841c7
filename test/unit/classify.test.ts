import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { S3_ACTIONS } from "../../workers/s3/actions.ts";
import { classifyS3Request, locate, rawPath } from "../../workers/s3/classify.ts";

function classify(line: string, headers: Record<string, string> = {}, domain = "") {
  const [method, target] = line.split(" ");
  const h = new Headers({ host: "127.0.0.1:8787", ...headers });
  return classifyS3Request(method, `http://${h.get("host")}${target}`, h, domain)?.action ?? null;
}

describe("classifyS3Request", () => {
  // Request lines as the AWS S3 API reference shows them.
  const cases: [string, string, Record<string, string>?][] = [
    ["GET /", "ListBuckets"],
    ["PUT /bucket", "CreateBucket"],
    ["DELETE /bucket", "DeleteBucket"],
    ["HEAD /bucket", "HeadBucket"],
    ["GET /bucket?location", "GetBucketLocation"],
    ["GET /bucket", "ListObjects"],
    ["GET /bucket?list-type=2&prefix=a", "ListObjectsV2"],
    ["GET /bucket?versions", "ListObjectVersions"],
    ["GET /bucket?uploads", "ListMultipartUploads"],
    ["PUT /bucket?versioning", "PutBucketVersioning"],
    ["GET /bucket?policyStatus", "GetBucketPolicyStatus"],
    ["GET /bucket?policy", "GetBucketPolicy"],
    ["PUT /bucket?replication", "PutBucketReplication"],
    ["DELETE /bucket?lifecycle", "DeleteBucketLifecycle"],
    ["PUT /bucket?object-lock", "PutObjectLockConfiguration"],
    ["POST /bucket?delete", "DeleteObjects"],
    ["PUT /bucket/key", "PutObject"],
    ["PUT /bucket/key", "CopyObject", { "x-amz-copy-source": "/b/k" }],
    ["GET /bucket/key", "GetObject"],
    ["GET /bucket/key?versionId=abc", "GetObject"],
    ["HEAD /bucket/key", "HeadObject"],
    ["DELETE /bucket/key", "DeleteObject"],
    ["PUT /bucket/key?tagging", "PutObjectTagging"],
    ["GET /bucket/key?retention", "GetObjectRetention"],
    ["PUT /bucket/key?legal-hold", "PutObjectLegalHold"],
    ["POST /bucket/key?uploads", "CreateMultipartUpload"],
    ["PUT /bucket/key?partNumber=1&uploadId=u", "UploadPart"],
    ["PUT /bucket/key?partNumber=1&uploadId=u", "UploadPartCopy", { "x-amz-copy-source": "/b/k" }],
    ["POST /bucket/key?uploadId=u", "CompleteMultipartUpload"],
    ["DELETE /bucket/key?uploadId=u", "AbortMultipartUpload"],
    ["GET /bucket/key?uploadId=u", "ListParts"],
    ["GET /bucket?analytics&id=a", "GetBucketAnalyticsConfiguration"],
    ["PUT /bucket?inventory&id=i", "PutBucketInventoryConfiguration"],
    ["GET /bucket/key?torrent", "GetObjectTorrent"],
    ["GET /bucket?unknown-parameter=1", "ListObjects"],
  ];
  for (const [line, action, headers] of cases) {
    it(`${line} → ${action}`, () => expect(classify(line, headers)).toBe(action));
  }

  it("answers null for methods S3 does not have", () => {
    expect(classify("PATCH /bucket/key")).toBeNull();
    expect(classify("POST /")).toBeNull();
  });

  it("reads virtual-hosted-style requests when a domain is configured", () => {
    const h = new Headers({ host: "photos.s3.example.com" });
    const req = classifyS3Request(
      "GET",
      "http://photos.s3.example.com/a/b.jpg",
      h,
      "s3.example.com",
    );
    expect(req).toMatchObject({ action: "GetObject", bucket: "photos", key: "a/b.jpg" });
    expect(
      classifyS3Request("GET", "http://photos.s3.example.com/", h, "s3.example.com")?.action,
    ).toBe("ListObjects");
  });

  it("keeps keys exactly, including dot segments and encoded characters", () => {
    expect(locate("h", rawPath("http://h/b/a/../c%20d/%E2%82%AC"), "")).toEqual({
      bucket: "b",
      key: "a/../c d/€",
    });
    expect(locate("h", "/b/dir/", "")).toEqual({ bucket: "b", key: "dir/" });
  });
});

describe("docs/s3-compatibility.md", () => {
  it("has one row per action, in step with the dispatch table", async () => {
    const { S3_HANDLERS } = await import("../../workers/s3/dispatch.ts");
    const doc = readFileSync(new URL("../../docs/s3-compatibility.md", import.meta.url), "utf8");
    const rows = new Map(
      doc
        .split("\n")
        .filter((line) => line.startsWith("|"))
        .map((line) => line.split("|").map((cell) => cell.trim()))
        .map((cells) => [cells[1], cells[2]] as const),
    );
    for (const action of S3_ACTIONS) {
      expect(rows.get(action), action).toBe(
        S3_HANDLERS[action] !== null ? "supported" : "not implemented",
      );
    }
  });
});
