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
    ["POST /bucket?floe-replica-batch", "ReplicateObjects"],
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

  it("keeps keys exactly, including encoded characters", () => {
    expect(locate("h", rawPath("http://h/b/a/..c/c%20d/%E2%82%AC/.x"), "")).toEqual({
      bucket: "b",
      key: "a/..c/c d/€/.x",
    });
    expect(locate("h", "/b/dir/", "")).toEqual({ bucket: "b", key: "dir/" });
    expect(locate("h", "/b/a%2Bb+c%25", "")).toEqual({ bucket: "b", key: "a+b+c%" });
  });

  it("refuses dot segments and invalid percent-encoding as InvalidURI", () => {
    const paths = [
      "/b/.",
      "/b/..",
      "/b/a/../c",
      "/b/a/./c",
      "/b/dir/.",
      "/b/%2E%2E",
      "/b/a%2F..%2Fc",
      "/../b",
      "/b/%zz",
      "/b/%",
      "/b/a%2",
      "/b/%C3",
      "/b/%FF%FE",
      "/b%zz/k",
    ];
    for (const path of paths) {
      expect(() => locate("h", rawPath(`http://h${path}`), ""), path).toThrow(
        expect.objectContaining({ code: "InvalidURI", status: 400 }),
      );
    }
  });

  it("refuses control characters and text beyond Latin-1 in header-bound query values, and non-ASCII ids", () => {
    const h = new Headers({ host: "h" });
    const bad = [
      "versionId=a%0Db",
      "versionId=%E2%82%AC",
      "uploadId=x%00",
      "partNumber=1%0A&uploadId=u",
      "response-content-type=text/plain%0D%0AX-Evil:%201",
      "response-content-disposition=a%00",
      "response-cache-control=%7F",
      "response-content-disposition=attachment%3B%20filename%3D%22%E6%97%A5%22",
    ];
    for (const query of bad) {
      expect(() => classifyS3Request("GET", `http://h/b/k?${query}`, h, ""), query).toThrow(
        expect.objectContaining({ code: "InvalidArgument", status: 400 }),
      );
    }
    const good = "response-content-disposition=attachment%3B%20filename%3D%22caf%C3%A9%09%22";
    expect(classifyS3Request("GET", `http://h/b/k?${good}&versionId=abc`, h, "")?.action).toBe(
      "GetObject",
    );
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
