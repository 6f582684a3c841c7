/**
 * The S3 API end to end, the requests an SDK does not make for you:
 * virtual-hosted-style addressing (the bucket in the Host header) and bad
 * input, which gets the error AWS gives and stores nothing.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketAclCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { s3Client } from "./harness/clients.ts";
import { s3Error } from "./harness/errors.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER } from "./harness/site.ts";
import { BUCKET, DOMAIN, useApiSite } from "./harness/s3-api.ts";

const MiB = 1024 * 1024;
const api = useApiSite();
const { text, put, raw } = api;

describe("virtual-hosted-style requests", () => {
  /** A signed request whose Host names the bucket (bucket.s3.floe.test), sent to the local site. */
  async function virtualHost(method: string, bucket: string, key: string, body?: string) {
    const host = `${bucket}.${DOMAIN}:${api.site.port}`;
    const url = `http://${host}/${key}`;
    const headers = await signRequest({
      method,
      url,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      headers: body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) },
    });
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: api.site.port,
          method,
          path: `/${key}`,
          headers: { ...headers, host },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("reads the bucket from the Host header", async () => {
    expect((await virtualHost("PUT", BUCKET, "vhost/hello.txt", "hi there")).status).toBe(200);
    expect((await virtualHost("GET", BUCKET, "vhost/hello.txt")).body).toBe("hi there");
    expect((await text("vhost/hello.txt")).body).toBe("hi there");
    const listing = await virtualHost("GET", BUCKET, "?list-type=2&prefix=vhost/");
    expect(listing.body).toContain("<Key>vhost/hello.txt</Key>");
  });
});

describe("bad input gets AWS's error and stores nothing", () => {
  it("refuses a wrong signature", async () => {
    const bad = s3Client(api.site, { accessKeyId: ROOT_USER, secretAccessKey: "wrong-secret" });
    const error = await s3Error(
      bad.send(new PutObjectCommand({ Bucket: BUCKET, Key: "bad/sig", Body: "x" })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["SignatureDoesNotMatch", 403]);
    const unknown = s3Client(api.site, { accessKeyId: "nobody", secretAccessKey: "x" });
    expect((await s3Error(unknown.send(new ListObjectsV2Command({ Bucket: BUCKET })))).name).toBe(
      "InvalidAccessKeyId",
    );
    bad.destroy();
    unknown.destroy();
    expect(
      (await s3Error(api.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "bad/sig" }))))
        .$metadata.httpStatusCode,
    ).toBe(404);
  });

  it("refuses invalid bucket names and keys over 1024 bytes", async () => {
    expect((await s3Error(api.s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })))).name).toBe(
      "InvalidBucketName",
    );
    expect((await s3Error(put("k".repeat(1025), "x"))).name).toBe("KeyTooLongError");
  });

  it("refuses a wrong Content-MD5", async () => {
    const res = await raw("PUT", `/${BUCKET}/bad/md5`, {
      body: "hello",
      headers: { "content-md5": createHash("md5").update("other").digest("base64") },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>BadDigest</Code>");
    expect((await raw("HEAD", `/${BUCKET}/bad/md5`)).status).toBe(404);
  });

  it("answers malformed XML with MalformedXML, oversized XML with MaxMessageLengthExceeded", async () => {
    const garbage = await raw("POST", `/${BUCKET}?delete`, {
      body: "<Delete><Object>",
      headers: { "content-md5": createHash("md5").update("<Delete><Object>").digest("base64") },
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toContain("<Code>MalformedXML</Code>");
    const tooMany = `<Delete>${"<Object><Key>k</Key></Object>".repeat(1001)}</Delete>`;
    const big = await raw("POST", `/${BUCKET}?delete`, {
      body: tooMany,
      headers: { "content-md5": createHash("md5").update(tooMany).digest("base64") },
    });
    expect(await big.text()).toContain("<Code>MalformedXML</Code>");
    const huge = await raw("PUT", `/${BUCKET}?tagging`, {
      body: `<Tagging>${" ".repeat(70_000)}</Tagging>`,
    });
    expect(huge.status).toBe(400);
    expect(await huge.text()).toContain("<Code>MaxMessageLengthExceeded</Code>");
  });

  it("answers invalid part numbers, unknown methods and unimplemented actions", async () => {
    const { UploadId } = await api.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "bad/parts" }),
    );
    const part = await raw("PUT", `/${BUCKET}/bad/parts?partNumber=10001&uploadId=${UploadId}`, {
      body: "x",
    });
    expect(part.status).toBe(400);
    expect(await part.text()).toContain("<Code>InvalidArgument</Code>");
    const analytics = await raw("GET", `/${BUCKET}?analytics&id=report`);
    expect([
      analytics.status,
      (await analytics.text()).includes("<Code>NotImplemented</Code>"),
    ]).toEqual([501, true]);
    const torrent = await raw("GET", `/${BUCKET}/x?torrent`);
    expect(torrent.status).toBe(501);
    const patch = await raw("PATCH", `/${BUCKET}/x`);
    expect(patch.status).toBe(405);
    const acl = await s3Error(api.s3.send(new GetBucketAclCommand({ Bucket: BUCKET })));
    expect(acl.$metadata.httpStatusCode).toBe(501);
    expect(acl.name).toBe("NotImplemented");
    expect(acl.$metadata.requestId).toMatch(/^[0-9A-F]{16}$/);
  });

  it("leaves nothing behind when a client disconnects mid-upload", async () => {
    await put("bad/disconnect", "previous");
    const url = `${api.site.url}/${BUCKET}/bad/disconnect`;
    const size = 8 * MiB;
    const headers = await signRequest({
      method: "PUT",
      url,
      accessKeyId: ROOT_USER,
      secretKey: ROOT_PASSWORD,
      region: REGION,
      headers: { "content-length": String(size) },
    });
    const controller = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 3 * MiB) {
          controller.abort();
          return;
        }
        sent += MiB;
        c.enqueue(new Uint8Array(MiB));
      },
    });
    await fetch(url, {
      method: "PUT",
      headers,
      body,
      signal: controller.signal,
      duplex: "half",
    } as RequestInit).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect((await text("bad/disconnect")).body).toBe("previous");
  });
});
