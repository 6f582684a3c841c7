/**
 * SigV2 against a real local site, signed by the clients' own v2 signers:
 * boto3 (`signature_version='s3'`: header auth and presigned URLs), s3cmd
 * (`--signature-v2`, `signurl`) and, where installed, aws CLI v1 (whose
 * `aws s3 presign` is v2 by default). Also what an attacker might try with
 * a v2 URL, and that IAM policies apply to v2 requests as to v4 ones.
 * A client that is not installed is skipped with the reason printed.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";

const run = promisify(execFile);
let site: Site;
let dir: string;

const READER = { accessKeyId: "v2reader", secretAccessKey: "v2reader-secret" };

/** The first command that runs `args` successfully, or null (with why) when none does. */
function probe(commands: string[], args: string[]): { command: string | null; why: string } {
  let why = "";
  for (const command of commands) {
    try {
      return { command, why: execFileSync(command, args, { encoding: "utf8" }).trim() };
    } catch (error) {
      why += `${command}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}; `;
    }
  }
  return { command: null, why };
}

const python = probe(["python3", "/usr/bin/python3"], ["-c", "import boto3"]);
const s3cmd = probe(["s3cmd"], ["--version"]);
const awsV1 = (() => {
  const found = probe(["aws"], ["--version"]);
  return found.command && found.why.startsWith("aws-cli/1.")
    ? found
    : { command: null, why: `aws CLI v1 not installed (${found.why || "no aws"})` };
})();
for (const [name, found] of [
  ["boto3", python],
  ["s3cmd", s3cmd],
  ["aws CLI v1", awsV1],
] as const) {
  if (!found.command) console.log(`sigv2 e2e: skipping ${name}: ${found.why}`);
}

/** What the Python snippets print: a result, or the S3 error a call raised. */
type PythonResult = Record<string, unknown> & { error?: string; status?: number };

const PRELUDE = `
import json, os, sys, time, urllib.request
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["ENDPOINT"],
    aws_access_key_id=os.environ["KEY"],
    aws_secret_access_key=os.environ["SECRET"],
    region_name=os.environ["REGION"],
    config=Config(signature_version="s3", s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
result = {}
try:
`;
const POSTLUDE = `
except ClientError as e:
    result = {"error": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(result))
`;

/** Runs a Python snippet (indented one level, inside try) with a boto3 v2 client `s3`. */
async function boto(
  code: string,
  credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
): Promise<PythonResult> {
  const indented = code
    .trim()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  const { stdout } = await run(python.command!, ["-c", `${PRELUDE}${indented}${POSTLUDE}`], {
    env: {
      ...process.env,
      ENDPOINT: site.url,
      KEY: credentials.accessKeyId,
      SECRET: credentials.secretAccessKey,
      REGION,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
  });
  return JSON.parse(stdout) as PythonResult;
}

/** The S3 error code of an XML error body. */
function errorCode(body: string): string | null {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? null;
}

beforeAll(async () => {
  site = await startSite();
  dir = mkdtempSync(join(tmpdir(), "floe-sigv2-"));
  const created = await admin(site, "POST", "users", {
    accessKey: READER.accessKeyId,
    secretKey: READER.secretAccessKey,
  });
  expect(created.status).toBe(200);
  const attached = await admin(site, "POST", "policies/attach", {
    policies: ["readonly"],
    user: READER.accessKeyId,
  });
  expect(attached.status).toBe(200);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await site?.remove();
});

describe.skipIf(!python.command)("boto3 with signature_version 's3'", () => {
  it("creates, writes, tags, lists, reads, uploads in parts and deletes with header auth", async () => {
    const result = await boto(`
s3.create_bucket(Bucket="boto-v2")
key = "dir/a b+(ü).txt"
s3.put_object(Bucket="boto-v2", Key=key, Body=b"hello v2", ContentType="text/plain", Metadata={"colour": "blue"})
head = s3.head_object(Bucket="boto-v2", Key=key)
s3.put_object_tagging(Bucket="boto-v2", Key=key, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
tags = s3.get_object_tagging(Bucket="boto-v2", Key=key)["TagSet"]
listed = [o["Key"] for o in s3.list_objects(Bucket="boto-v2", Prefix="dir/").get("Contents", [])]
body = s3.get_object(Bucket="boto-v2", Key=key)["Body"].read().decode()
upload = s3.create_multipart_upload(Bucket="boto-v2", Key="big.bin")["UploadId"]
part = s3.upload_part(Bucket="boto-v2", Key="big.bin", UploadId=upload, PartNumber=1, Body=b"x" * 1024)
s3.complete_multipart_upload(Bucket="boto-v2", Key="big.bin", UploadId=upload,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
size = s3.head_object(Bucket="boto-v2", Key="big.bin")["ContentLength"]
deleted = s3.delete_objects(Bucket="boto-v2", Delete={"Objects": [{"Key": "big.bin"}]})
left = [o["Key"] for o in s3.list_objects(Bucket="boto-v2").get("Contents", [])]
result = {"type": head["ContentType"], "meta": head["Metadata"], "tags": tags, "listed": listed,
          "body": body, "size": size, "deleted": [d["Key"] for d in deleted.get("Deleted", [])], "left": left}
`);
    expect(result).toEqual({
      type: "text/plain",
      meta: { colour: "blue" },
      tags: [{ Key: "k", Value: "v" }],
      listed: ["dir/a b+(ü).txt"],
      body: "hello v2",
      size: 1024,
      deleted: ["big.bin"],
      left: ["dir/a b+(ü).txt"],
    });
  });

  it("serves boto3's v2 presigned GET and PUT URLs, response overrides included", async () => {
    const urls = await boto(`
s3.create_bucket(Bucket="boto-presign")
s3.put_object(Bucket="boto-presign", Key="a file.txt", Body=b"presigned v2")
result = {
    "get": s3.generate_presigned_url("get_object", Params={"Bucket": "boto-presign", "Key": "a file.txt",
        "ResponseContentDisposition": 'attachment; filename="x.txt"'}, ExpiresIn=300),
    "put": s3.generate_presigned_url("put_object", Params={"Bucket": "boto-presign", "Key": "new.txt"}, ExpiresIn=300),
}
`);
    const get = String(urls.get);
    expect(get).toContain("AWSAccessKeyId=");
    const read = await fetch(get);
    expect([read.status, await read.text()]).toEqual([200, "presigned v2"]);
    expect(read.headers.get("content-disposition")).toBe('attachment; filename="x.txt"');
    // A Buffer body: fetch would add a Content-Type to a string body, which the URL did not sign.
    const put = await fetch(String(urls.put), { method: "PUT", body: Buffer.from("uploaded") });
    expect(put.status).toBe(200);
    const back = await boto(
      `result = {"body": s3.get_object(Bucket="boto-presign", Key="new.txt")["Body"].read().decode()}`,
    );
    expect(back).toEqual({ body: "uploaded" });
  });

  it("refuses a v2 URL with a tampered path, a past Expires or an x-floe header", async () => {
    const urls = await boto(`
s3.create_bucket(Bucket="boto-attack")
s3.put_object(Bucket="boto-attack", Key="secret.txt", Body=b"one")
s3.put_object(Bucket="boto-attack", Key="other.txt", Body=b"two")
result = {
    "get": s3.generate_presigned_url("get_object", Params={"Bucket": "boto-attack", "Key": "secret.txt"}, ExpiresIn=300),
    "expired": s3.generate_presigned_url("get_object", Params={"Bucket": "boto-attack", "Key": "secret.txt"}, ExpiresIn=-60),
    "put": s3.generate_presigned_url("put_object", Params={"Bucket": "boto-attack", "Key": "up.txt"}, ExpiresIn=300),
}
`);
    const tampered = await fetch(String(urls.get).replace("secret.txt", "other.txt"));
    expect([tampered.status, errorCode(await tampered.text())]).toEqual([
      403,
      "SignatureDoesNotMatch",
    ]);
    const retagged = await fetch(`${String(urls.get)}&tagging`);
    expect([retagged.status, errorCode(await retagged.text())]).toEqual([
      403,
      "SignatureDoesNotMatch",
    ]);
    const expired = await fetch(String(urls.expired));
    const expiredBody = await expired.text();
    expect([expired.status, errorCode(expiredBody)]).toEqual([403, "AccessDenied"]);
    expect(expiredBody).toContain("Request has expired");
    const floe = await fetch(String(urls.put), {
      method: "PUT",
      body: Buffer.from("x"),
      headers: { "x-floe-replication-request": "true", "x-floe-source-version-id": "forged" },
    });
    expect([floe.status, errorCode(await floe.text())]).toEqual([403, "AccessDenied"]);
    const good = await fetch(String(urls.get));
    expect([good.status, await good.text()]).toEqual([200, "one"]);
  });

  it("applies IAM to v2 requests: a readonly user reads but cannot write", async () => {
    await boto(`s3.create_bucket(Bucket="boto-iam")
s3.put_object(Bucket="boto-iam", Key="r.txt", Body=b"readable")`);
    expect(
      await boto(
        `result = {"body": s3.get_object(Bucket="boto-iam", Key="r.txt")["Body"].read().decode()}`,
        READER,
      ),
    ).toEqual({ body: "readable" });
    expect(await boto(`s3.put_object(Bucket="boto-iam", Key="w.txt", Body=b"no")`, READER)).toEqual(
      { error: "AccessDenied", status: 403 },
    );
    const url = await boto(
      `result = {"url": s3.generate_presigned_url("put_object", Params={"Bucket": "boto-iam", "Key": "w.txt"}, ExpiresIn=300)}`,
      READER,
    );
    const put = await fetch(String(url.url), { method: "PUT", body: Buffer.from("no") });
    expect([put.status, errorCode(await put.text())]).toEqual([403, "AccessDenied"]);
  });

  it("lets a bucket policy tell v2 from v4 by s3:signatureversion", async () => {
    const root = s3Client(site);
    await root.send(new CreateBucketCommand({ Bucket: "boto-policy" }));
    await root.send(new PutObjectCommand({ Bucket: "boto-policy", Key: "k.txt", Body: "policy" }));
    await root.send(
      new PutBucketPolicyCommand({
        Bucket: "boto-policy",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Principal: "*",
              Action: "s3:GetObject",
              Resource: "arn:aws:s3:::boto-policy/*",
              Condition: { StringEquals: { "s3:signatureversion": "AWS" } },
            },
          ],
        }),
      }),
    );
    const v4 = await s3Client(site, READER).send(
      new GetObjectCommand({ Bucket: "boto-policy", Key: "k.txt" }),
    );
    expect(await v4.Body!.transformToString()).toBe("policy");
    expect(await boto(`s3.get_object(Bucket="boto-policy", Key="k.txt")`, READER)).toEqual({
      error: "AccessDenied",
      status: 403,
    });
  });
});

describe.skipIf(!s3cmd.command)("s3cmd --signature-v2", () => {
  async function s3cmdRun(...args: string[]): Promise<string> {
    const config = join(dir, "s3cmd.cfg");
    const host = `127.0.0.1:${site.port}`;
    writeFileSync(
      config,
      [
        "[default]",
        `access_key = ${ROOT_USER}`,
        `secret_key = ${ROOT_PASSWORD}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        `bucket_location = ${REGION}`,
        "use_https = False",
        "signature_v2 = True",
        "",
      ].join("\n"),
    );
    const { stdout } = await run(s3cmd.command!, ["-c", config, "--signature-v2", ...args]);
    return stdout;
  }

  it("makes a bucket, puts, lists, gets, signs a URL and deletes", async () => {
    const file = join(dir, "s3cmd-in.txt");
    writeFileSync(file, "from s3cmd");
    await s3cmdRun("mb", "s3://s3cmd-v2");
    await s3cmdRun("put", file, "s3://s3cmd-v2/some dir/file.txt");
    expect(await s3cmdRun("ls", "--recursive", "s3://s3cmd-v2")).toContain(
      "s3://s3cmd-v2/some dir/file.txt",
    );
    const out = join(dir, "s3cmd-out.txt");
    await s3cmdRun("get", "--force", "s3://s3cmd-v2/some dir/file.txt", out);
    expect(execFileSync("cat", [out], { encoding: "utf8" })).toBe("from s3cmd");
    const url = (await s3cmdRun("signurl", "s3://s3cmd-v2/some dir/file.txt", "+300")).trim();
    expect(url).toContain("AWSAccessKeyId=");
    const read = await fetch(url);
    expect([read.status, await read.text()]).toEqual([200, "from s3cmd"]);
    await s3cmdRun("del", "s3://s3cmd-v2/some dir/file.txt");
    expect(await s3cmdRun("ls", "--recursive", "s3://s3cmd-v2")).not.toContain("file.txt");
  });
});

describe.skipIf(!awsV1.command)("aws CLI v1", () => {
  it("serves `aws s3 presign`'s default (v2) URL", async () => {
    const root = s3Client(site);
    await root.send(new CreateBucketCommand({ Bucket: "aws-v1" }));
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: ROOT_USER,
      AWS_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const file = join(dir, "aws-v1.txt");
    writeFileSync(file, "from aws v1");
    await run(awsV1.command!, ["--endpoint-url", site.url, "s3", "cp", file, "s3://aws-v1/k.txt"], {
      env,
    });
    const { stdout } = await run(
      awsV1.command!,
      ["--endpoint-url", site.url, "s3", "presign", "s3://aws-v1/k.txt", "--expires-in", "300"],
      { env },
    );
    const url = stdout.trim();
    expect(url).toContain("AWSAccessKeyId=");
    const read = await fetch(url);
    expect([read.status, await read.text()]).toEqual([200, "from aws v1"]);
  });
});
