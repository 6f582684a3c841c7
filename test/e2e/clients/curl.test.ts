/**
 * curl's built-in SigV4 signing (`--aws-sigv4 "aws:amz:<region>:s3"
 * --user key:secret`) against a local site: every S3 request written by
 * hand, multipart included (CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload). curl cannot presign, so there is no presigned
 * case. curl before 8.1 signs the query string as written, not in SigV4's
 * canonical form (sorted, `name=` for a bare name), so every URL here is
 * written canonically: S3 refuses the other spelling as AWS does.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, runOk, skipWithout, tempDir } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const CURL = "/usr/bin/curl";
const MiB = 1024 * 1024;
const BUCKET = "curl";

let site: Site;
let dir: ReturnType<typeof tempDir>;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);
const file = (name: string) => join(dir.path, name);

interface CurlResponse {
  status: number;
  body: Buffer;
  text: string;
  headers: Map<string, string>;
}

interface CurlRequest {
  method?: string;
  headers?: Record<string, string>;
  /** A file to send as the body (-T). */
  upload?: string;
  /** A text body. */
  data?: string;
  /** x-amz-content-sha256 (UNSIGNED-PAYLOAD unless given); null sends none. */
  payloadHash?: string | null;
}

/** One signed request; `path` starts with the bucket. */
async function curl(path: string, request: CurlRequest = {}): Promise<CurlResponse> {
  const args = [
    "-sS",
    "--aws-sigv4",
    `aws:amz:${REGION}:s3`,
    "--user",
    `${ROOT_USER}:${ROOT_PASSWORD}`,
    "-D",
    file("headers.out"),
    "-o",
    file("body.out"),
    "-w",
    "%{http_code}",
  ];
  // S3 (AWS too) requires x-amz-content-sha256 on SigV4 requests; curl before 8.x leaves it out.
  if (request.payloadHash !== null)
    args.push("-H", `x-amz-content-sha256: ${request.payloadHash ?? "UNSIGNED-PAYLOAD"}`);
  if (request.method) args.push("-X", request.method);
  for (const [name, value] of Object.entries(request.headers ?? {}))
    args.push("-H", `${name}: ${value}`);
  if (request.upload) args.push("-T", request.upload);
  if (request.data !== undefined) args.push("--data-binary", request.data);
  args.push(`${site.url}/${path}`);
  const status = Number(
    (
      await runOk(CURL, args, {
        env: { NO_PROXY: "127.0.0.1,localhost" },
        unset: ["CURL_CA_BUNDLE", "http_proxy", "HTTP_PROXY"],
      })
    ).trim(),
  );
  const headers = new Map<string, string>();
  // With Expect: 100-continue the dump holds the interim response first; keep the last block.
  const blocks = readFileSync(file("headers.out"), "utf8")
    .trim()
    .split(/\r?\n\r?\n/);
  for (const line of blocks[blocks.length - 1].split(/\r?\n/).slice(1)) {
    const at = line.indexOf(":");
    if (at > 0) headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const body = readFileSync(file("body.out"));
  return { status, body, text: body.toString(), headers };
}

async function ok(path: string, request: CurlRequest = {}): Promise<CurlResponse> {
  const response = await curl(path, request);
  expect(response.status, `${request.method ?? "GET"} /${path}\n${response.text}`).toBeLessThan(
    300,
  );
  return response;
}

describe.skipIf(skipWithout("curl", [CURL]))("curl --aws-sigv4", () => {
  beforeAll(async () => {
    site = await startSite();
    dir = tempDir("curl");
    writeFileSync(file("small"), small);
    for (let i = 0; i < 4; i++)
      writeFileSync(file(`part${i + 1}`), large.subarray(i * 5 * MiB, (i + 1) * 5 * MiB));
  });

  afterAll(async () => {
    dir?.remove();
    await site?.remove();
  });

  it("needs x-amz-content-sha256 added, as AWS does", async () => {
    const bare = await curl("", { payloadHash: null });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain("Missing required header for this request: x-amz-content-sha256");
  });

  it("makes a bucket and puts a small object", async () => {
    await ok(BUCKET, { method: "PUT" });
    const put = await ok(`${BUCKET}/dir/small.bin`, { upload: file("small") });
    expect(put.headers.get("etag")).toBe(`"${createHash("md5").update(small).digest("hex")}"`);
  });

  it("puts a 20 MiB object in four parts by hand", async () => {
    const key = `${BUCKET}/dir/sub/large.bin`;
    const created = await ok(`${key}?uploads=`, { method: "POST" });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1] ?? "";
    expect(uploadId).not.toBe("");
    const etags: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const part = await ok(`${key}?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`, {
        upload: file(`part${n}`),
      });
      etags.push(part.headers.get("etag") ?? "");
    }
    const xml = `<CompleteMultipartUpload>${etags
      .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join("")}</CompleteMultipartUpload>`;
    const completed = await ok(`${key}?uploadId=${encodeURIComponent(uploadId)}`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      data: xml,
    });
    expect(completed.text).toMatch(
      /<ETag>&quot;[0-9a-f]{32}-4&quot;<\/ETag>|<ETag>"[0-9a-f]{32}-4"<\/ETag>/,
    );
  });

  it("lists with a prefix and a delimiter", async () => {
    const listing = await ok(`${BUCKET}?delimiter=%2F&list-type=2&prefix=dir%2F`);
    expect([...listing.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1])).toEqual([
      "dir/small.bin",
    ]);
    expect([...listing.text.matchAll(/<Prefix>([^<]+)<\/Prefix>/g)].map((m) => m[1])).toContain(
      "dir/sub/",
    );
  });

  it("gets whole objects and a range", async () => {
    expect((await ok(`${BUCKET}/dir/sub/large.bin`)).body.equals(large)).toBe(true);
    expect((await ok(`${BUCKET}/dir/small.bin`)).body.equals(small)).toBe(true);
    const range = await ok(`${BUCKET}/dir/sub/large.bin`, {
      headers: { range: "bytes=1000-1999" },
    });
    expect(range.status).toBe(206);
    expect(range.body.equals(large.subarray(1000, 2000))).toBe(true);
  });

  it("copies an object", async () => {
    await ok(`${BUCKET}/copy.bin`, {
      method: "PUT",
      headers: { "x-amz-copy-source": `/${BUCKET}/dir/small.bin` },
    });
    expect((await ok(`${BUCKET}/copy.bin`)).body.equals(small)).toBe(true);
  });

  it("tags an object", async () => {
    await ok(`${BUCKET}/copy.bin?tagging=`, {
      method: "PUT",
      data: "<Tagging><TagSet><Tag><Key>colour</Key><Value>blue</Value></Tag></TagSet></Tagging>",
    });
    const tags = await ok(`${BUCKET}/copy.bin?tagging=`);
    expect(tags.text).toContain("<Tag><Key>colour</Key><Value>blue</Value></Tag>");
  });

  it("deletes one object, then many", async () => {
    expect((await ok(`${BUCKET}/copy.bin`, { method: "DELETE" })).status).toBe(204);
    const xml =
      "<Delete><Object><Key>dir/small.bin</Key></Object><Object><Key>dir/sub/large.bin</Key></Object></Delete>";
    const deleted = await ok(`${BUCKET}?delete=`, {
      method: "POST",
      headers: { "content-md5": createHash("md5").update(xml).digest("base64") },
      data: xml,
    });
    expect(deleted.text.match(/<Deleted>/g)).toHaveLength(2);
    const listing = await ok(`${BUCKET}?list-type=2`);
    expect(listing.text).toContain("<KeyCount>0</KeyCount>");
  });

  it("enables versioning, lists versions and gets one by id", async () => {
    await ok(`${BUCKET}?versioning=`, {
      method: "PUT",
      data: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    });
    const first = await ok(`${BUCKET}/v.txt`, { method: "PUT", data: "first" });
    await ok(`${BUCKET}/v.txt`, { method: "PUT", data: "second" });
    const versionId = first.headers.get("x-amz-version-id") ?? "";
    const versions = await ok(`${BUCKET}?prefix=v.txt&versions=`);
    expect(versions.text.match(/<Version>/g)).toHaveLength(2);
    expect(versions.text).toContain(`<VersionId>${versionId}</VersionId>`);
    const old = await ok(`${BUCKET}/v.txt?versionId=${encodeURIComponent(versionId)}`);
    expect(old.text).toBe("first");
  });
});
