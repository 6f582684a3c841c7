import { describe, expect, it } from "vitest";
import { isCreatableBucketName, isValidBucketName, keyBytes } from "../../shared/names.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument } from "../../shared/xml.ts";
import { parseRange } from "../../workers/s3/range.ts";
import { cronMatches } from "../../scripts/cron.mjs";

describe("bucket names", () => {
  it("accepts what S3 accepts", () => {
    for (const name of ["abc", "my-bucket", "my.bucket.1", "a".repeat(63), "0bucket9"])
      expect(isValidBucketName(name), name).toBe(true);
  });
  it("rejects what S3 rejects", () => {
    for (const name of [
      "ab",
      "a".repeat(64),
      "My-Bucket",
      "-abc",
      "abc-",
      "a..b",
      "a.-b",
      "192.168.1.1",
      "xn--abc",
      "abc-s3alias",
      "a_b",
      "sthree-x",
    ]) {
      expect(isValidBucketName(name), name).toBe(false);
    }
  });
  it("reserves the names of Floe's own top-level routes", () => {
    expect(isValidBucketName("floe")).toBe(true);
    expect(isCreatableBucketName("floe")).toBe(false);
    expect(isCreatableBucketName("floe-data")).toBe(true);
    expect(isCreatableBucketName("ab")).toBe(false);
  });
  it("measures keys in UTF-8 bytes", () => {
    expect(keyBytes("€")).toBe(3);
  });
});

describe("Range", () => {
  const size = 1000;
  it("parses the single-range forms", () => {
    expect(parseRange("bytes=0-99", size)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=900-", size)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=-10", size)).toEqual({ start: 990, end: 999 });
    expect(parseRange("bytes=-5000", size)).toEqual({ start: 0, end: 999 });
    expect(parseRange("bytes=990-5000", size)).toEqual({ start: 990, end: 999 });
  });
  it("ignores malformed and multi-range headers, as S3 does", () => {
    for (const header of ["bytes=a-b", "items=0-1", "bytes=0-1,5-6", "bytes=-", "bytes=10-5"])
      expect(parseRange(header, size), header).toBeNull();
    expect(parseRange(null, size)).toBeNull();
  });
  it("answers 416 with Content-Range for unsatisfiable ranges", () => {
    try {
      parseRange("bytes=1000-", size);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).status).toBe(416);
      expect((error as S3Error).headers["content-range"]).toBe("bytes */1000");
    }
    expect(() => parseRange("bytes=0-", 0)).toThrow(S3Error);
    expect(() => parseRange("bytes=-0", size)).toThrow(S3Error);
  });
});

describe("XML", () => {
  it("builds escaped documents", () => {
    expect(xmlDocument("R", [["Key", "a<b&c"], null, ["N", [["X", 1]]]])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Key>a&lt;b&amp;c</Key><N><X>1</X></N></R>',
    );
  });
  it("keeps values as untrimmed strings and named elements as arrays", () => {
    const doc = parseXml("<Delete><Object><Key>007</Key></Object><Quiet> true</Quiet></Delete>", [
      "Object",
    ]);
    expect(doc).toEqual({ Delete: { Object: [{ Key: "007" }], Quiet: " true" } });
  });
  it("answers MalformedXML for broken documents", () => {
    for (const text of ["", "<a>", "<a></b>", "not xml"])
      expect(() => parseXml(text), text).toThrow(S3Error);
  });
});

describe("local cron", () => {
  it("matches five-field expressions in UTC", () => {
    const at = new Date(Date.UTC(2026, 10, 22, 14, 30));
    expect(cronMatches("* * * * *", at)).toBe(true);
    expect(cronMatches("*/15 * * * *", at)).toBe(true);
    expect(cronMatches("*/7 * * * *", at)).toBe(false);
    expect(cronMatches("30 14 22 11 *", at)).toBe(true);
    expect(cronMatches("0 0 * * 0", at)).toBe(false);
    expect(cronMatches("10-40/10 * * * *", at)).toBe(true);
  });
});
