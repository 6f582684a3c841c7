/**
 * boto3 (Debian's `python3-boto3`, run by /usr/bin/python3) against a local
 * site, at its default settings: only the endpoint, credentials, region and
 * path-style addressing point it at the site. `upload_file` does multipart
 * itself above 8 MiB.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fetchBytes, randomBytes, skipWithout, tempDir } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const PYTHON = "/usr/bin/python3";
const MiB = 1024 * 1024;
const BUCKET = "boto3";

/**
 * One boto3 client for the whole file: reads a JSON call per line
 * ({method, kwargs}: a client method, or upload_file / download_file /
 * generate_presigned_url) and answers a JSON line, {result} or {error}.
 */
const SCRIPT = `
import base64, datetime, json, os, sys
import boto3
from botocore.config import Config

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["FLOE_ENDPOINT"],
    region_name=os.environ["FLOE_REGION"],
    aws_access_key_id=os.environ["FLOE_KEY"],
    aws_secret_access_key=os.environ["FLOE_SECRET"],
    config=Config(s3={"addressing_style": "path"}),
)

def encode(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(type(value))

for line in sys.stdin:
    call = json.loads(line)
    try:
        result = getattr(s3, call["method"])(**call["kwargs"])
        if isinstance(result, dict):
            result.pop("ResponseMetadata", None)
            if "Body" in result:
                result["Body"] = base64.b64encode(result["Body"].read()).decode()
        answer = {"result": result}
    except Exception as error:
        answer = {"error": repr(error)}
    print(json.dumps(answer, default=encode), flush=True)
`;

let site: Site;
let dir: ReturnType<typeof tempDir>;
let python: ChildProcessWithoutNullStreams;
let lines: AsyncIterator<string>;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);
const file = (name: string) => join(dir.path, name);

async function boto<T = Record<string, unknown>>(
  method: string,
  kwargs: Record<string, unknown>,
): Promise<T> {
  python.stdin.write(`${JSON.stringify({ method, kwargs })}\n`);
  const line = await lines.next();
  if (line.done) throw new Error(`python exited: ${python.exitCode}`);
  const answer = JSON.parse(line.value) as { result?: T; error?: string };
  if (answer.error !== undefined) throw new Error(`${method}: ${answer.error}`);
  return answer.result as T;
}

const hasBoto3 = () => spawnSync(PYTHON, ["-c", "import boto3"]).status === 0;

describe.skipIf(skipWithout("boto3", [PYTHON], hasBoto3))("boto3", () => {
  beforeAll(async () => {
    site = await startSite();
    dir = tempDir("boto3");
    writeFileSync(file("client.py"), SCRIPT);
    writeFileSync(file("config"), "");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FLOE_ENDPOINT: site.url,
      FLOE_REGION: REGION,
      FLOE_KEY: ROOT_USER,
      FLOE_SECRET: ROOT_PASSWORD,
      AWS_CONFIG_FILE: file("config"),
      AWS_SHARED_CREDENTIALS_FILE: file("config"),
      NO_PROXY: "127.0.0.1,localhost",
    };
    for (const name of ["AWS_CA_BUNDLE", "AWS_PROFILE", "PYTHONPATH", "PYTHONHOME"])
      delete env[name];
    python = spawn(PYTHON, [file("client.py")], { env, stdio: "pipe" });
    python.stderr.pipe(process.stderr);
    lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
    writeFileSync(file("small"), small);
    writeFileSync(file("large"), large);
  });

  afterAll(async () => {
    python?.stdin.end();
    dir?.remove();
    await site?.remove();
  });

  it("makes a bucket and puts a small and a 20 MiB multipart object", async () => {
    await boto("create_bucket", { Bucket: BUCKET });
    await boto("put_object", {
      Bucket: BUCKET,
      Key: "dir/small.bin",
      Body: "hello from boto3",
    });
    await boto("upload_file", {
      Filename: file("large"),
      Bucket: BUCKET,
      Key: "dir/sub/large.bin",
    });
    const head = await boto<{ ETag: string; ContentLength: number }>("head_object", {
      Bucket: BUCKET,
      Key: "dir/sub/large.bin",
    });
    expect(head.ContentLength).toBe(large.length);
    expect(head.ETag).toMatch(/-\d+"$/);
  });

  it("lists with a prefix and a delimiter", async () => {
    const listing = await boto<{
      Contents?: { Key: string }[];
      CommonPrefixes?: { Prefix: string }[];
    }>("list_objects_v2", { Bucket: BUCKET, Prefix: "dir/", Delimiter: "/" });
    expect(listing.Contents?.map((o) => o.Key)).toEqual(["dir/small.bin"]);
    expect(listing.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dir/sub/"]);
  });

  it("gets whole objects and a range", async () => {
    await boto("download_file", {
      Bucket: BUCKET,
      Key: "dir/sub/large.bin",
      Filename: file("large.out"),
    });
    expect(readFileSync(file("large.out")).equals(large)).toBe(true);
    const ranged = await boto<{ Body: string; ContentRange: string }>("get_object", {
      Bucket: BUCKET,
      Key: "dir/sub/large.bin",
      Range: "bytes=1000-1999",
    });
    expect(Buffer.from(ranged.Body, "base64").equals(large.subarray(1000, 2000))).toBe(true);
    expect(ranged.ContentRange).toBe(`bytes 1000-1999/${large.length}`);
  });

  it("puts binary bodies unchanged", async () => {
    // A str Body is sent as UTF-8, so random bytes go through a file.
    await boto("upload_file", { Filename: file("small"), Bucket: BUCKET, Key: "exact.bin" });
    const got = await boto<{ Body: string }>("get_object", { Bucket: BUCKET, Key: "exact.bin" });
    expect(Buffer.from(got.Body, "base64").equals(small)).toBe(true);
  });

  it("copies an object", async () => {
    await boto("copy_object", {
      Bucket: BUCKET,
      Key: "copy.bin",
      CopySource: { Bucket: BUCKET, Key: "exact.bin" },
    });
    const got = await boto<{ Body: string }>("get_object", { Bucket: BUCKET, Key: "copy.bin" });
    expect(Buffer.from(got.Body, "base64").equals(small)).toBe(true);
  });

  it("tags an object", async () => {
    await boto("put_object_tagging", {
      Bucket: BUCKET,
      Key: "copy.bin",
      Tagging: { TagSet: [{ Key: "colour", Value: "blue" }] },
    });
    const tags = await boto<{ TagSet: unknown[] }>("get_object_tagging", {
      Bucket: BUCKET,
      Key: "copy.bin",
    });
    expect(tags.TagSet).toEqual([{ Key: "colour", Value: "blue" }]);
  });

  it("presigns a GET that node can fetch", async () => {
    const url = await boto<string>("generate_presigned_url", {
      ClientMethod: "get_object",
      Params: { Bucket: BUCKET, Key: "exact.bin" },
    });
    const got = await fetchBytes(url);
    expect(got.status, `${url}\n${got.body.toString()}`).toBe(200);
    expect(got.body.equals(small)).toBe(true);
  });

  it("deletes one object, then many", async () => {
    await boto("delete_object", { Bucket: BUCKET, Key: "copy.bin" });
    const deleted = await boto<{ Deleted: { Key: string }[] }>("delete_objects", {
      Bucket: BUCKET,
      Delete: {
        Objects: [{ Key: "dir/small.bin" }, { Key: "dir/sub/large.bin" }, { Key: "exact.bin" }],
      },
    });
    expect(deleted.Deleted.map((d) => d.Key).sort()).toEqual([
      "dir/small.bin",
      "dir/sub/large.bin",
      "exact.bin",
    ]);
    const listing = await boto<{ KeyCount: number }>("list_objects_v2", { Bucket: BUCKET });
    expect(listing.KeyCount).toBe(0);
  });

  it("enables versioning, lists versions and gets one by id", async () => {
    await boto("put_bucket_versioning", {
      Bucket: BUCKET,
      VersioningConfiguration: { Status: "Enabled" },
    });
    const first = await boto<{ VersionId: string }>("put_object", {
      Bucket: BUCKET,
      Key: "v.txt",
      Body: "first",
    });
    await boto("put_object", { Bucket: BUCKET, Key: "v.txt", Body: "second" });
    const versions = await boto<{ Versions: { VersionId: string; IsLatest: boolean }[] }>(
      "list_object_versions",
      { Bucket: BUCKET, Prefix: "v.txt" },
    );
    expect(versions.Versions).toHaveLength(2);
    expect(versions.Versions.find((v) => !v.IsLatest)?.VersionId).toBe(first.VersionId);
    const got = await boto<{ Body: string }>("get_object", {
      Bucket: BUCKET,
      Key: "v.txt",
      VersionId: first.VersionId,
    });
    expect(Buffer.from(got.Body, "base64").toString()).toBe("first");
  });
});
