/**
 * Other real S3 clients against a local site: minio-js and the aws CLI
 * (`aws s3 cp/ls/sync`, `aws s3api`, `aws s3 presign`). The aws CLI is a
 * Python program: .ci/run installs it when the machine lacks it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { promisify } from "node:util";
import { signRequest } from "../../shared/sigv4/sign.ts";
import * as Minio from "minio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { patternBytes } from "./harness/data.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

const run = promisify(execFile);
let site: Site;
let dir: string;

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run("aws", ["--endpoint-url", site.url, ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: ROOT_USER,
      AWS_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: join(dir, "aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

beforeAll(async () => {
  site = await startSite();
  dir = mkdtempSync(join(tmpdir(), "floe-clients-"));
  // aws CLI v1 presigns with SigV2 unless told otherwise (v2 uses SigV4 by default).
  writeFileSync(join(dir, "aws-config"), "[default]\ns3 =\n    signature_version = s3v4\n");
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await site?.remove();
});

describe("minio-js", () => {
  it("creates a bucket, writes, stats, lists, reads and removes objects", async () => {
    const client = new Minio.Client({
      endPoint: "127.0.0.1",
      port: site.port,
      useSSL: false,
      accessKey: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      pathStyle: true,
    });
    await client.makeBucket("minio-js", REGION);
    expect(await client.bucketExists("minio-js")).toBe(true);
    const small = Buffer.from("hello from minio-js");
    const large = await patternBytes(7 * 1024 * 1024 + 11, 3);
    await client.putObject("minio-js", "small.txt", small, small.length, {
      "Content-Type": "text/plain",
      "X-Amz-Meta-Kind": "greeting",
    });
    await client.putObject("minio-js", "dir/large.bin", large, large.length);
    const stat = await client.statObject("minio-js", "small.txt");
    expect([stat.size, stat.metaData["content-type"], stat.metaData.kind]).toEqual([
      small.length,
      "text/plain",
      "greeting",
    ]);
    const names: string[] = [];
    for await (const item of client.listObjectsV2("minio-js", "", true))
      names.push((item as { name: string }).name);
    expect(names).toEqual(["dir/large.bin", "small.txt"]);
    const chunks: Buffer[] = [];
    for await (const chunk of await client.getObject("minio-js", "dir/large.bin"))
      chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(large)).toBe(true);
    const part: Buffer[] = [];
    for await (const chunk of await client.getPartialObject("minio-js", "small.txt", 6, 4))
      part.push(chunk as Buffer);
    expect(Buffer.concat(part).toString()).toBe("from");
    await client.removeObjects("minio-js", ["small.txt", "dir/large.bin"]);
    await client.removeBucket("minio-js");
    expect(await client.bucketExists("minio-js")).toBe(false);
  });
});

describe("npm start's HTTP front", () => {
  it("answers Expect: 100-continue so clients send their bodies at once", async () => {
    const url = `${site.url}/`;
    const headers = await signRequest({
      method: "GET",
      url,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
    });
    const continued = await new Promise<boolean>((resolve, reject) => {
      const req = request(url, {
        method: "PUT",
        headers: { ...headers, expect: "100-continue", "content-length": "1" },
      });
      req.on("continue", () => {
        resolve(true);
        req.end("x");
      });
      req.on("response", (res) => {
        res.resume();
        resolve(false);
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(continued).toBe(true);
    const s3 = new Minio.Client({
      endPoint: "127.0.0.1",
      port: site.port,
      useSSL: false,
      accessKey: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      pathStyle: true,
    });
    await s3.makeBucket("through-front", REGION);
    const data = await patternBytes(3 * 1024 * 1024, 4);
    await s3.putObject("through-front", "k", data, data.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await s3.getObject("through-front", "k"))
      chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});

describe("aws CLI", () => {
  it("copies, lists and syncs with aws s3", async () => {
    await aws("s3", "mb", "s3://aws-cli");
    const file = join(dir, "one.bin");
    writeFileSync(file, await patternBytes(9 * 1024 * 1024, 8));
    await aws("s3", "cp", file, "s3://aws-cli/one.bin");
    const listing = await aws("s3", "ls", "s3://aws-cli/");
    expect(listing).toMatch(/9437184 one\.bin/);
    await aws("s3", "cp", "s3://aws-cli/one.bin", join(dir, "back.bin"));
    expect(readFileSync(join(dir, "back.bin")).equals(readFileSync(file))).toBe(true);
    const tree = join(dir, "tree");
    mkdirSync(join(tree, "sub"), { recursive: true });
    writeFileSync(join(tree, "a.txt"), "a");
    writeFileSync(join(tree, "sub", "b.txt"), "b");
    await aws("s3", "sync", tree, "s3://aws-cli/tree");
    const synced = await aws("s3", "ls", "--recursive", "s3://aws-cli/tree/");
    expect(synced).toContain("tree/a.txt");
    expect(synced).toContain("tree/sub/b.txt");
    const again = await aws("s3", "sync", tree, "s3://aws-cli/tree");
    expect(again.trim()).toBe("");
  });

  it("answers aws s3api calls and serves presigned URLs", async () => {
    const head = JSON.parse(
      await aws("s3api", "head-object", "--bucket", "aws-cli", "--key", "one.bin"),
    );
    expect(head.ContentLength).toBe(9437184);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}(-\d+)?"$/);
    const url = (
      await aws("s3", "presign", "s3://aws-cli/tree/a.txt", "--expires-in", "60")
    ).trim();
    const response = await fetch(url);
    expect([response.status, await response.text()]).toEqual([200, "a"]);
    await expect(
      aws("s3api", "head-object", "--bucket", "aws-cli", "--key", "missing"),
    ).rejects.toThrow(/404/);
  });
});
