import { describe, expect, it } from "vitest";
import { S3_ERRORS, S3Error } from "../../shared/s3-errors.ts";
import { multipartEtag } from "../../workers/objects/complete-upload.ts";
import { fail, noSuchBucket, ok, toS3Error, unwrap } from "../../workers/objects/result.ts";
import { errorResponse } from "../../workers/s3/response.ts";
import { createHash } from "node:crypto";

describe("object layer results", () => {
  it("unwraps a value", () => {
    expect(unwrap(ok(42))).toBe(42);
  });

  it("maps a failure through the S3 error table, keeping its detail and headers", () => {
    const error = toS3Error(
      fail("NoSuchVersion", {
        detail: { Key: "k", VersionId: "v" },
        headers: { "x-amz-version-id": "v" },
      }).error,
    );
    expect(error).toBeInstanceOf(S3Error);
    expect([error.code, error.status, error.message]).toEqual([
      "NoSuchVersion",
      S3_ERRORS.NoSuchVersion[0],
      S3_ERRORS.NoSuchVersion[1],
    ]);
    expect(error.detail).toEqual({ Key: "k", VersionId: "v" });
    expect(error.headers).toEqual({ "x-amz-version-id": "v" });
  });

  it("keeps a more precise message", () => {
    const error = toS3Error(fail("InvalidBucketState", { message: "locked" }).error);
    expect([error.status, error.message]).toEqual([409, "locked"]);
  });

  it("throws the failure's S3 error from unwrap", () => {
    expect(() => unwrap(noSuchBucket("b"))).toThrowError(
      expect.objectContaining({ code: "NoSuchBucket", status: 404, detail: { BucketName: "b" } }),
    );
  });

  it("names the refused method when a delete marker refuses it", async () => {
    const refused = toS3Error(
      fail("MethodNotAllowed", { detail: { ResourceType: "DeleteMarker" } }).error,
    );
    const body = await errorResponse(refused, "PUT", "/b/k", "id").text();
    expect(body).toContain("<Method>PUT</Method><ResourceType>DeleteMarker</ResourceType>");
  });
});

describe("multipart ETag", () => {
  it("is the MD5 of the parts' binary MD5s followed by the part count", () => {
    const parts = ["a", "b"].map((s) => createHash("md5").update(s).digest());
    const expected = createHash("md5").update(Buffer.concat(parts)).digest("hex");
    expect(multipartEtag(parts.map((p) => p.toString("hex")))).toBe(`${expected}-2`);
  });
});
