/**
 * The aws CLI v2 (Debian's `awscli`, /usr/bin/aws) against a local site, at
 * its default settings: only the endpoint, credentials and region point it
 * at the site. `aws s3` does multipart itself above 8 MiB.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchBytes, randomBytes, runOk, skipWithout, tempDir } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const AWS = "/usr/bin/aws";
const MiB = 1024 * 1024;
const BUCKET = "aws-cli";

let site: Site;
let dir: ReturnType<typeof tempDir>;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);

function aws(...args: string[]): Promise<string> {
  return runOk(AWS, ["--endpoint-url", site.url, "--output", "json", ...args], {
    env: {
      AWS_ACCESS_KEY_ID: ROOT_USER,
      AWS_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: join(dir.path, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir.path, "credentials"),
      AWS_PAGER: "",
      NO_PROXY: "127.0.0.1,localhost",
    },
    unset: ["AWS_CA_BUNDLE", "AWS_PROFILE"],
  });
}

/** Parsed JSON output; the CLI prints nothing for an empty paginated result. */
async function awsJson<T>(...args: string[]): Promise<T> {
  const out = (await aws(...args)).trim();
  return JSON.parse(out === "" ? "{}" : out) as T;
}

const file = (name: string) => join(dir.path, name);

describe.skipIf(skipWithout("aws CLI", [AWS]))("aws CLI v2", () => {
  beforeAll(async () => {
    site = await startSite();
    dir = tempDir("aws-cli");
    writeFileSync(file("config"), "");
    writeFileSync(file("credentials"), "");
    writeFileSync(file("small"), small);
    writeFileSync(file("large"), large);
  });

  afterAll(async () => {
    dir?.remove();
    await site?.remove();
  });

  it("makes a bucket and puts a small and a 20 MiB multipart object", async () => {
    await aws("s3", "mb", `s3://${BUCKET}`);
    await aws("s3", "cp", file("small"), `s3://${BUCKET}/dir/small.bin`);
    await aws("s3", "cp", file("large"), `s3://${BUCKET}/dir/sub/large.bin`);
    const head = await awsJson<{ ETag: string; ContentLength: number }>(
      "s3api",
      "head-object",
      "--bucket",
      BUCKET,
      "--key",
      "dir/sub/large.bin",
    );
    expect(head.ContentLength).toBe(large.length);
    expect(head.ETag).toMatch(/-\d+"$/);
  });

  it("lists with a prefix and a delimiter", async () => {
    const listing = await awsJson<{
      Contents?: { Key: string }[];
      CommonPrefixes?: { Prefix: string }[];
    }>("s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "dir/", "--delimiter", "/");
    expect(listing.Contents?.map((o) => o.Key)).toEqual(["dir/small.bin"]);
    expect(listing.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dir/sub/"]);
    expect(await aws("s3", "ls", `s3://${BUCKET}/dir/`)).toMatch(/PRE sub\/[\s\S]*small\.bin/);
  });

  it("gets whole objects and a range", async () => {
    await aws("s3", "cp", `s3://${BUCKET}/dir/sub/large.bin`, file("large.out"));
    expect(readFileSync(file("large.out")).equals(large)).toBe(true);
    await aws("s3", "cp", `s3://${BUCKET}/dir/small.bin`, file("small.out"));
    expect(readFileSync(file("small.out")).equals(small)).toBe(true);
    await aws(
      "s3api",
      "get-object",
      "--bucket",
      BUCKET,
      "--key",
      "dir/sub/large.bin",
      "--range",
      "bytes=1000-1999",
      file("range.out"),
    );
    expect(readFileSync(file("range.out")).equals(large.subarray(1000, 2000))).toBe(true);
  });

  it("copies an object", async () => {
    await aws("s3", "cp", `s3://${BUCKET}/dir/small.bin`, `s3://${BUCKET}/copy.bin`);
    await aws("s3", "cp", `s3://${BUCKET}/copy.bin`, file("copy.out"));
    expect(readFileSync(file("copy.out")).equals(small)).toBe(true);
  });

  it("tags an object", async () => {
    await aws(
      "s3api",
      "put-object-tagging",
      "--bucket",
      BUCKET,
      "--key",
      "copy.bin",
      "--tagging",
      "TagSet=[{Key=colour,Value=blue}]",
    );
    const tags = await awsJson<{ TagSet: { Key: string; Value: string }[] }>(
      "s3api",
      "get-object-tagging",
      "--bucket",
      BUCKET,
      "--key",
      "copy.bin",
    );
    expect(tags.TagSet).toEqual([{ Key: "colour", Value: "blue" }]);
  });

  it("presigns a GET that node can fetch", async () => {
    const url = (await aws("s3", "presign", `s3://${BUCKET}/dir/small.bin`)).trim();
    const got = await fetchBytes(url);
    expect(got.status, `${url}\n${got.body.toString()}`).toBe(200);
    expect(got.body.equals(small)).toBe(true);
  });

  it("deletes one object, then many", async () => {
    await aws("s3", "rm", `s3://${BUCKET}/copy.bin`);
    const deleted = await awsJson<{ Deleted: { Key: string }[] }>(
      "s3api",
      "delete-objects",
      "--bucket",
      BUCKET,
      "--delete",
      JSON.stringify({ Objects: [{ Key: "dir/small.bin" }, { Key: "dir/sub/large.bin" }] }),
    );
    expect(deleted.Deleted.map((d) => d.Key).sort()).toEqual([
      "dir/small.bin",
      "dir/sub/large.bin",
    ]);
    const listing = await awsJson<{ Contents?: unknown[] }>(
      "s3api",
      "list-objects-v2",
      "--bucket",
      BUCKET,
    );
    expect(listing.Contents).toBeUndefined();
  });

  it("enables versioning, lists versions and gets one by id", async () => {
    await aws(
      "s3api",
      "put-bucket-versioning",
      "--bucket",
      BUCKET,
      "--versioning-configuration",
      "Status=Enabled",
    );
    writeFileSync(file("v1"), "first");
    writeFileSync(file("v2"), "second");
    const first = await awsJson<{ VersionId: string }>(
      "s3api",
      "put-object",
      "--bucket",
      BUCKET,
      "--key",
      "v.txt",
      "--body",
      file("v1"),
    );
    await awsJson(
      "s3api",
      "put-object",
      "--bucket",
      BUCKET,
      "--key",
      "v.txt",
      "--body",
      file("v2"),
    );
    const versions = await awsJson<{ Versions: { VersionId: string; IsLatest: boolean }[] }>(
      "s3api",
      "list-object-versions",
      "--bucket",
      BUCKET,
      "--prefix",
      "v.txt",
    );
    expect(versions.Versions).toHaveLength(2);
    expect(versions.Versions.find((v) => !v.IsLatest)?.VersionId).toBe(first.VersionId);
    await aws(
      "s3api",
      "get-object",
      "--bucket",
      BUCKET,
      "--key",
      "v.txt",
      "--version-id",
      first.VersionId,
      file("v.out"),
    );
    expect(readFileSync(file("v.out"), "utf8")).toBe("first");
  });
});
