/**
 * Bounded, authorized input: admin bodies are read only after the caller
 * is authorized and are capped at 1 MiB while they stream; S3 XML documents
 * are capped the same way; a body shorter than its Content-Length is 400
 * IncompleteBody; a refused body still lets the client read the error.
 * Raw loopback sockets show what clients see.
 */
import { createHash } from "node:crypto";
import { CreateBucketCommand, DeleteObjectsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, s3Client } from "../harness/clients.ts";
import { s3Error } from "../harness/errors.ts";
import {
  generatedBody,
  rawRequest,
  signedHeaders,
  treeRss,
  type RawResponse,
} from "../harness/raw-http.ts";
import { startSite, type Site } from "../harness/site.ts";

const MiB = 1024 * 1024;
const BUCKET = "limits";
const PLAIN_USER = { accessKeyId: "plainuser", secretAccessKey: "plainuser-secret" };

let site: Site;
let s3: S3Client;

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const created = await admin(site, "POST", "users", {
    accessKey: PLAIN_USER.accessKeyId,
    secretKey: PLAIN_USER.secretAccessKey,
  });
  expect(created.status).toBe(200);
});

afterAll(async () => {
  s3?.destroy();
  await site?.remove();
});

/** Sends `request`, sampling the site's memory meanwhile; returns the response and the RSS growth. */
async function withRss(
  send: () => Promise<RawResponse>,
): Promise<{ response: RawResponse; growth: number }> {
  const pid = site.process.pid as number;
  const before = treeRss(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 50);
  try {
    const response = await send();
    return { response, growth: Math.max(peak, treeRss(pid)) - before };
  } finally {
    clearInterval(sampler);
  }
}

function json(response: RawResponse): { code?: string } {
  return JSON.parse(response.body) as { code?: string };
}

function xmlCode(response: RawResponse): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1];
}

describe("admin request bodies", () => {
  it("refuses a declared 150 MiB body with 413 before reading it", async () => {
    const path = "/floe/admin/v1/heal";
    const headers = await signedHeaders(site, "POST", path, { "content-type": "application/json" });
    const { response, growth } = await withRss(() =>
      rawRequest(site, {
        method: "POST",
        path,
        headers: { ...headers, "content-length": String(150 * MiB) },
        body: generatedBody(150 * MiB),
      }),
    );
    expect(response.errorBeforeResponse).toBeNull();
    expect(response.status).toBe(413);
    expect(json(response).code).toBe("EntityTooLarge");
    expect(response.sent).toBeLessThan(150 * MiB);
    expect(growth).toBeLessThan(50 * MiB);
  });

  it("stops a streamed (chunked) 150 MiB body at the cap with 413, memory bounded", async () => {
    const path = "/floe/admin/v1/heal";
    const headers = await signedHeaders(site, "POST", path, { "content-type": "application/json" });
    // Chunked framing, so the server only learns the size by counting.
    function* chunked(): Generator<Uint8Array> {
      for (const piece of generatedBody(150 * MiB)) {
        yield Buffer.from(`${piece.byteLength.toString(16)}\r\n`);
        yield piece;
        yield Buffer.from("\r\n");
      }
      yield Buffer.from("0\r\n\r\n");
    }
    const { response, growth } = await withRss(() =>
      rawRequest(site, {
        method: "POST",
        path,
        headers: { ...headers, "transfer-encoding": "chunked" },
        body: chunked(),
      }),
    );
    expect(response.errorBeforeResponse).toBeNull();
    expect(response.status).toBe(413);
    expect(json(response).code).toBe("EntityTooLarge");
    expect(response.sent).toBeLessThan(150 * MiB);
    expect(growth).toBeLessThan(50 * MiB);
  });

  it("answers an unsigned or unauthorized POST with a big body 403 without reading it", async () => {
    const path = "/floe/admin/v1/heal";
    // 64 MiB declared, 1 MiB sent, then nothing: an answer proves the body was not awaited.
    const partial = { "content-length": String(64 * MiB) };
    const anonymous = await rawRequest(site, {
      method: "POST",
      path,
      headers: partial,
      body: generatedBody(MiB),
      timeoutMs: 20_000,
    });
    expect(anonymous.status).toBe(403);
    expect(json(anonymous).code).toBe("AccessDenied");

    // A route whose exact action depends on its body: the caller is still checked first.
    const statusPath = `/floe/admin/v1/users/${PLAIN_USER.accessKeyId}/status`;
    const headers = await signedHeaders(
      site,
      "PUT",
      statusPath,
      {},
      {
        accessKeyId: PLAIN_USER.accessKeyId,
        secretKey: PLAIN_USER.secretAccessKey,
      },
    );
    const unauthorized = await rawRequest(site, {
      method: "PUT",
      path: statusPath,
      headers: { ...headers, ...partial },
      body: generatedBody(MiB),
      timeoutMs: 20_000,
    });
    expect(unauthorized.status).toBe(403);
    expect(json(unauthorized).code).toBe("AccessDenied");
  });

  it("answers a body shorter than its Content-Length with 400 IncompleteBody", async () => {
    const path = "/floe/admin/v1/heal";
    const headers = await signedHeaders(site, "POST", path, { "content-type": "application/json" });
    const response = await rawRequest(site, {
      method: "POST",
      path,
      headers: { ...headers, "content-length": "100" },
      body: [Buffer.from('{"dryRun":true')],
      endAfterBody: true,
    });
    expect(response.status).toBe(400);
    expect(json(response).code).toBe("IncompleteBody");
  });

  it("still answers a body within the cap", async () => {
    const result = await admin(site, "POST", "heal", { bucket: BUCKET, dryRun: true });
    expect(result.status).toBe(200);
  });
});

describe("S3 request bodies", () => {
  it("refuses a 2 MiB PutBucketTagging document with 400 MaxMessageLengthExceeded", async () => {
    const path = `/${BUCKET}?tagging`;
    const tag = "<Tag><Key>k</Key><Value>" + "v".repeat(200) + "</Value></Tag>";
    const document = `<Tagging><TagSet>${tag.repeat(Math.ceil((2 * MiB) / tag.length))}</TagSet></Tagging>`;
    const bytes = Buffer.from(document);
    const headers = await signedHeaders(site, "PUT", path, {
      "content-md5": createHash("md5").update(bytes).digest("base64"),
    });
    // Chunked, so the cap is met while counting rather than by the declared length.
    const response = await rawRequest(site, {
      method: "PUT",
      path,
      headers: { ...headers, "transfer-encoding": "chunked" },
      body: [
        Buffer.from(`${bytes.byteLength.toString(16)}\r\n`),
        bytes,
        Buffer.from("\r\n0\r\n\r\n"),
      ],
    });
    expect(response.errorBeforeResponse).toBeNull();
    expect(response.status).toBe(400);
    expect(xmlCode(response)).toBe("MaxMessageLengthExceeded");
  });

  it("refuses a DeleteObjects document over its cap, declared or streamed", async () => {
    const path = `/${BUCKET}?delete`;
    const object = `<Object><Key>${"k".repeat(1000)}</Key></Object>`;
    const bytes = Buffer.from(
      `<Delete>${object.repeat(Math.ceil((2 * MiB + 1) / object.length))}</Delete>`,
    );
    const headers = await signedHeaders(site, "POST", path, {
      "content-md5": createHash("md5").update(bytes).digest("base64"),
    });
    const declared = await rawRequest(site, {
      method: "POST",
      path,
      headers: { ...headers, "content-length": String(bytes.byteLength) },
      body: [bytes],
    });
    expect(declared.errorBeforeResponse).toBeNull();
    expect(declared.status).toBe(400);
    expect(xmlCode(declared)).toBe("MaxMessageLengthExceeded");
  });

  it("answers DeleteObjects with 1001 keys MalformedXML", async () => {
    const error = await s3Error(
      s3.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` })) },
        }),
      ),
    );
    expect(error.name).toBe("MalformedXML");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("answers a body shorter than its Content-Length with 400 IncompleteBody", async () => {
    const path = `/${BUCKET}/short.bin`;
    const unsigned = await signedHeaders(site, "PUT", path);
    const response = await rawRequest(site, {
      method: "PUT",
      path,
      headers: { ...unsigned, "content-length": "1000" },
      body: [Buffer.alloc(500, 0x61)],
      endAfterBody: true,
    });
    expect(response.status).toBe(400);
    expect(xmlCode(response)).toBe("IncompleteBody");

    const full = Buffer.alloc(1000, 0x61);
    const hashed = await signedHeaders(
      site,
      "PUT",
      path,
      {},
      { payloadHash: createHash("sha256").update(full).digest("hex") },
    );
    const cut = await rawRequest(site, {
      method: "PUT",
      path,
      headers: { ...hashed, "content-length": "1000" },
      body: [full.subarray(0, 500)],
      endAfterBody: true,
    });
    expect(cut.status).toBe(400);
    expect(xmlCode(cut)).toBe("IncompleteBody");
  });

  it("lets a client that keeps sending a refused body read the error, not a reset", async () => {
    const anonymous = await rawRequest(site, {
      method: "PUT",
      path: `/${BUCKET}/anonymous.bin`,
      headers: { "content-length": String(8 * MiB) },
      body: generatedBody(8 * MiB),
    });
    expect(anonymous.errorBeforeResponse).toBeNull();
    expect(anonymous.status).toBe(403);
    expect(xmlCode(anonymous)).toBe("AccessDenied");

    const unsignedAdmin = await rawRequest(site, {
      method: "POST",
      path: "/floe/admin/v1/heal",
      headers: { "content-length": String(8 * MiB) },
      body: generatedBody(8 * MiB),
    });
    expect(unsignedAdmin.errorBeforeResponse).toBeNull();
    expect(unsignedAdmin.status).toBe(403);
  });
});
