/**
 * Request bodies written with XML character references, as clients send
 * them: keys full of XML-special characters deleted through DeleteObjects
 * whose body spells every special character as a numeric reference (and
 * verified gone, not merely reported Deleted), CompleteMultipartUpload with
 * `&#34;`-quoted ETags (rclone), and a DOCTYPE refused without expansion.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { s3Client } from "./harness/clients.ts";
import { s3Error } from "./harness/errors.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

const PLAIN = "xml-plain";
const VERSIONED = "xml-versioned";
let site: Site;
let s3: S3Client;

/** Keys with every character XML must escape, controls S3 allows, unicode and literal references. */
const KEYS = [
  `lt<gt>amp&apos'quot"`,
  "tab\there",
  "line\nfeed",
  "carriage\rreturn",
  "ünï/cödé/😀",
  "literal&amp;entity",
  "literal&#60;reference",
  "<<&&>>",
];

/** Spells every XML-special or non-ASCII character as a numeric reference, decimal and hex in turn. */
function numericReferences(text: string): string {
  let hex = false;
  return [...text]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (!/[<>&'"\t\n\r]/.test(char) && code < 0x80) return char;
      hex = !hex;
      return hex ? `&#x${code.toString(16)};` : `&#${code};`;
    })
    .join("");
}

async function raw(
  method: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
) {
  const url = `${site.url}${path}`;
  const bytes = new TextEncoder().encode(body);
  const signed = await signRequest({
    method,
    url,
    accessKeyId: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    region: REGION,
    headers: { ...headers, "content-length": String(bytes.byteLength) },
  });
  return fetch(url, { method, headers: signed, body: bytes });
}

async function deleteObjects(bucket: string, xml: string) {
  return raw("POST", `/${bucket}?delete`, xml, {
    "content-md5": createHash("md5").update(xml).digest("base64"),
  });
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

async function versionCount(bucket: string): Promise<number> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return (listed.Versions?.length ?? 0) + (listed.DeleteMarkers?.length ?? 0);
}

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: PLAIN }));
  await s3.send(new CreateBucketCommand({ Bucket: VERSIONED }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: VERSIONED,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
});

afterAll(async () => {
  s3?.destroy();
  await site?.remove();
});

describe("DeleteObjects with numeric character references", () => {
  it("deletes every key it reports Deleted (unversioned bucket)", async () => {
    for (const key of KEYS)
      await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: "x" }));
    for (const key of KEYS) expect(await exists(PLAIN, key), key).toBe(true);
    const xml =
      "<Delete>" +
      KEYS.map((key) => `<Object><Key>${numericReferences(key)}</Key></Object>`).join("") +
      "</Delete>";
    const res = await deleteObjects(PLAIN, xml);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain("<Error>");
    expect(text.match(/<Deleted>/g)?.length).toBe(KEYS.length);
    for (const key of KEYS) expect(await exists(PLAIN, key), key).toBe(false);
    expect(await versionCount(PLAIN)).toBe(0);
  });

  it("deletes named versions (versioned bucket), predefined entities too", async () => {
    const versions: { key: string; versionId: string }[] = [];
    for (const key of KEYS) {
      const put = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: "v" }));
      versions.push({ key, versionId: put.VersionId ?? "" });
    }
    expect(await versionCount(VERSIONED)).toBe(KEYS.length);
    const spell = (key: string, i: number) =>
      i % 2 === 0
        ? numericReferences(key)
        : key
            .replace(/&/g, "&amp;")
            .replace(/</g, "&lt;")
            .replace(/>/g, "&gt;")
            .replace(/'/g, "&apos;")
            .replace(/"/g, "&quot;")
            .replace(/\r/g, "&#13;");
    const xml =
      "<Delete><Quiet>true</Quiet>" +
      versions
        .map(
          ({ key, versionId }, i) =>
            `<Object><Key>${spell(key, i)}</Key><VersionId>${versionId}</VersionId></Object>`,
        )
        .join("") +
      "</Delete>";
    const res = await deleteObjects(VERSIONED, xml);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain("<Error>");
    expect(await versionCount(VERSIONED)).toBe(0);
  });

  it("reports an empty version id as an error and deletes nothing", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: VERSIONED, Key: "kept", Body: "k" }));
    const res = await deleteObjects(
      VERSIONED,
      "<Delete><Object><Key>kept</Key><VersionId></VersionId></Object></Delete>",
    );
    const text = await res.text();
    expect(text).toContain("<Code>NoSuchVersion</Code>");
    expect(text).not.toContain("<Deleted>");
    const head = await s3.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: "kept" }));
    expect(head.VersionId).toBe(put.VersionId);
  });

  it("refuses undefined entities, a DOCTYPE and an empty key with MalformedXML, deleting nothing", async () => {
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: "boom", Body: "b" }));
    for (const xml of [
      "<Delete><Object><Key>boom</Key></Object><Object><Key></Key></Object></Delete>",
      '<!DOCTYPE Delete [<!ENTITY e "boom">]><Delete><Object><Key>&e;</Key></Object></Delete>',
      "<Delete><Object><Key>&nbsp;boom</Key></Object></Delete>",
      "<Delete><Object><Key>bo&#0;om</Key></Object></Delete>",
    ]) {
      const res = await deleteObjects(PLAIN, xml);
      expect(res.status, xml).toBe(400);
      expect(await res.text()).toContain("<Code>MalformedXML</Code>");
    }
    expect(await exists(PLAIN, "boom")).toBe(true);
  });
});

describe("CompleteMultipartUpload with referenced quotes", () => {
  it("accepts ETags quoted as &#34; (rclone) and &quot;", async () => {
    for (const [key, quote] of [
      ["mpu/decimal", "&#34;"],
      ["mpu/named", "&quot;"],
      ["mpu/hex", "&#x22;"],
    ] as const) {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: PLAIN, Key: key }),
      );
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: PLAIN,
          Key: key,
          UploadId,
          PartNumber: 1,
          Body: `body of ${key}`,
        }),
      );
      const etag = (part.ETag ?? "").replace(/"/g, "");
      const xml =
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>" +
        `<ETag>${quote}${etag}${quote}</ETag></Part></CompleteMultipartUpload>`;
      const res = await raw("POST", `/${PLAIN}/${key}?uploadId=${UploadId}`, xml);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(text).toContain("<CompleteMultipartUploadResult");
      const got = await s3.send(new GetObjectCommand({ Bucket: PLAIN, Key: key }));
      expect(await got.Body?.transformToString()).toBe(`body of ${key}`);
    }
  });

  it("still answers InvalidPart for a wrong ETag", async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: PLAIN, Key: "mpu/wrong" }),
    );
    await s3.send(
      new UploadPartCommand({
        Bucket: PLAIN,
        Key: "mpu/wrong",
        UploadId,
        PartNumber: 1,
        Body: "x",
      }),
    );
    const xml =
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>" +
      `<ETag>&#34;${"0".repeat(32)}&#34;</ETag></Part></CompleteMultipartUpload>`;
    const res = await raw("POST", `/${PLAIN}/mpu/wrong?uploadId=${UploadId}`, xml);
    expect(await res.text()).toContain("<Code>InvalidPart</Code>");
    expect(
      (await s3Error(s3.send(new HeadObjectCommand({ Bucket: PLAIN, Key: "mpu/wrong" })))).$metadata
        .httpStatusCode,
    ).toBe(404);
  });
});
