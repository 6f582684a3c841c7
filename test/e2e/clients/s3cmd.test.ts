/**
 * s3cmd (Debian's `s3cmd`) against a local site, from a temporary config
 * that holds only the endpoint (host_base and host_bucket = 127.0.0.1:port,
 * so path style), credentials and region, run with --no-ssl. s3cmd 2.3 has
 * no tagging or versioning commands; it reads a range only to continue a
 * partial download (--continue); `signurl` presigns with SigV2.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../../shared/sigv4/sign.ts";
import { fetchBytes, randomBytes, runOk, skipWithout, tempDir } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const S3CMD = "/usr/bin/s3cmd";
const MiB = 1024 * 1024;
const BUCKET = "s3cmd";

let site: Site;
let dir: ReturnType<typeof tempDir>;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);
const file = (name: string) => join(dir.path, name);
const object = (key: string) => `s3://${BUCKET}/${key}`;

function s3cmd(...args: string[]): Promise<string> {
  return runOk(S3CMD, ["-c", file("s3cfg"), "--no-ssl", ...args], {
    env: { HOME: dir.path, NO_PROXY: "127.0.0.1,localhost" },
    unset: ["AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PYTHONPATH"],
  });
}

describe.skipIf(skipWithout("s3cmd", [S3CMD]))("s3cmd", () => {
  beforeAll(async () => {
    site = await startSite();
    dir = tempDir("s3cmd");
    const host = `127.0.0.1:${site.port}`;
    writeFileSync(
      file("s3cfg"),
      [
        "[default]",
        `access_key = ${ROOT_USER}`,
        `secret_key = ${ROOT_PASSWORD}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        `bucket_location = ${REGION}`,
        "use_https = False",
        "",
      ].join("\n"),
    );
    writeFileSync(file("small"), small);
    writeFileSync(file("large"), large);
  });

  afterAll(async () => {
    dir?.remove();
    await site?.remove();
  });

  it("makes a bucket and puts a small and a 20 MiB multipart object", async () => {
    await s3cmd("mb", `s3://${BUCKET}`);
    await s3cmd("put", file("small"), object("dir/small.bin"));
    await s3cmd("put", "--multipart-chunk-size-mb=5", file("large"), object("dir/sub/large.bin"));
    const info = await s3cmd("info", object("dir/sub/large.bin"));
    expect(info).toMatch(new RegExp(`File size:\\s+${large.length}`));
    // s3cmd shows the MD5 it stored in metadata; the ETag tells the object went up in 4 parts.
    const url = `${site.url}/${BUCKET}/dir/sub/large.bin`;
    const headers = await signRequest({
      method: "HEAD",
      url,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
    });
    const head = await fetch(url, { method: "HEAD", headers });
    expect(head.headers.get("etag")).toMatch(/-4"$/);
  });

  it("lists with a prefix and a delimiter", async () => {
    const listing = await s3cmd("ls", object("dir/"));
    expect(listing).toMatch(new RegExp(`DIR\\s+${object("dir/sub/")}`));
    expect(listing).toContain(object("dir/small.bin"));
    expect(listing).not.toContain("large.bin");
  });

  it("gets whole objects, and a range by continuing a partial download", async () => {
    await s3cmd("get", object("dir/sub/large.bin"), file("large.out"));
    expect(readFileSync(file("large.out")).equals(large)).toBe(true);
    await s3cmd("get", object("dir/small.bin"), file("small.out"));
    expect(readFileSync(file("small.out")).equals(small)).toBe(true);
    writeFileSync(file("partial.out"), large.subarray(0, 1000));
    await s3cmd("get", "--continue", object("dir/sub/large.bin"), file("partial.out"));
    expect(readFileSync(file("partial.out")).equals(large)).toBe(true);
  });

  it("copies an object", async () => {
    await s3cmd("cp", object("dir/small.bin"), object("copy.bin"));
    await s3cmd("get", object("copy.bin"), file("copy.out"));
    expect(readFileSync(file("copy.out")).equals(small)).toBe(true);
  });

  it("presigns a GET that node can fetch", async () => {
    const url = (await s3cmd("signurl", object("dir/small.bin"), "+300")).trim();
    const got = await fetchBytes(url);
    expect(got.status, `${url}\n${got.body.toString()}`).toBe(200);
    expect(got.body.equals(small)).toBe(true);
  });

  it("deletes one object, then many", async () => {
    await s3cmd("del", object("copy.bin"));
    await s3cmd("del", "--recursive", "--force", object("dir/"));
    expect((await s3cmd("ls", "--recursive", `s3://${BUCKET}`)).trim()).toBe("");
  });
});
