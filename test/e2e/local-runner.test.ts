/**
 * The local runner's HTTP front (scripts/http-front.mjs) as clients see it:
 * `Expect: 100-continue` answered on every request of a kept-alive
 * connection, Accept-Encoding reaching the signature check as the client
 * sent it, S3 bodies never content-encoded, spoofed front headers ignored,
 * aborted and concurrent uploads, and an rclone round trip (rclone signs
 * `Accept-Encoding: gzip` on every GET).
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { s3Client } from "./harness/clients.ts";
import { md5OfStream, patternBytes, patternMd5, patternStream } from "./harness/data.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

const run = promisify(execFile);
const BUCKET = "front-bucket";
const TEXT = "The quick brown fox jumps over the lazy dog.\n".repeat(400);
let site: Site;
let dir: string;

/** A raw HTTP/1.1 connection that collects what the server sends. */
class RawConnection {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits until `predicate` finds something in the unread bytes; its result is consumed. */
  async take(predicate: (data: Buffer) => number, timeoutMs: number): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = predicate(this.received);
      if (end >= 0) {
        const taken = this.received.subarray(0, end);
        this.received = this.received.subarray(end);
        return taken;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received so far: ${this.received.toString()}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** One whole response with a Content-Length body: status line, headers, body. */
  async response(timeoutMs: number): Promise<{ head: string; body: Buffer }> {
    const headEnd = (data: Buffer) => {
      const at = data.indexOf("\r\n\r\n");
      return at < 0 ? -1 : at + 4;
    };
    const head = (await this.take(headEnd, timeoutMs)).toString("latin1");
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? "0");
    const body = await this.take((data) => (data.length >= length ? length : -1), timeoutMs);
    return { head, body };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** GET through node:http (no decompression, no added headers), returning status, headers, raw body. */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${site.url}${path}`, { method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * The SDK exactly as users run it: its own agent and its default
 * `Expect: 100-continue` on bodies of 2 MiB and more (the harness client
 * passes its own agent, with which the SDK never waits for the answer).
 */
function defaultSdk(): S3Client {
  return new S3Client({
    endpoint: site.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
    maxAttempts: 1,
  });
}

function sign(method: string, path: string, headers: Record<string, string> = {}) {
  return signRequest({
    method,
    url: `${site.url}${path}`,
    headers,
    accessKeyId: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    region: REGION,
  });
}

beforeAll(async () => {
  site = await startSite();
  dir = mkdtempSync(join(tmpdir(), "floe-front-"));
  const s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: "text.txt",
      Body: TEXT,
      ContentType: "text/plain",
    }),
  );
});

afterAll(async () => {
  await site?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Expect: 100-continue", () => {
  it("is answered on the 1st, 2nd and 10th request of one kept-alive connection", async () => {
    const connection = await RawConnection.open(site.port);
    try {
      for (let i = 1; i <= 10; i++) {
        const body = Buffer.from(`body number ${i}`);
        const path = `/${BUCKET}/continue-${i}`;
        const headers = await sign("PUT", path, { "content-length": String(body.length) });
        const lines = [
          `PUT ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${site.port}`,
          "Expect: 100-continue",
          ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        ];
        connection.write(`${lines.join("\r\n")}\r\n\r\n`);
        const interim = await connection.take((data) => {
          const at = data.indexOf("\r\n\r\n");
          return at < 0 ? -1 : at + 4;
        }, 500);
        expect(interim.toString("latin1")).toBe("HTTP/1.1 100 Continue\r\n\r\n");
        connection.write(body);
        const { head } = await connection.response(10_000);
        expect(head).toMatch(/^HTTP\/1\.1 200 /);
      }
    } finally {
      connection.close();
    }
    const got = await s3Client(site).send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "continue-10" }),
    );
    expect(await got.Body?.transformToString()).toBe("body number 10");
  });

  it("costs the SDK with default settings no pause on a large upload", async () => {
    const s3 = defaultSdk();
    const size = 16 * 1024 * 1024;
    const started = Date.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "sdk-continue",
        Body: await patternBytes(size, 3),
        ContentLength: size,
      }),
    );
    // Without an answer the SDK waits 6 s before sending the body.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("Accept-Encoding", () => {
  it.each(["gzip", "identity", "gzip, deflate, br"])(
    "signed as %j verifies and the body comes back unencoded",
    async (value) => {
      const path = `/${BUCKET}/text.txt`;
      const headers = await sign("GET", path, { "accept-encoding": value });
      expect(headers.authorization).toContain("accept-encoding;");
      const response = await rawGet(path, headers);
      expect(response.status).toBe(200);
      expect(response.headers["content-encoding"]).toBeUndefined();
      expect(response.body.toString()).toBe(TEXT);
    },
  );

  it("never compresses a text/plain object for a client that accepts gzip and br", async () => {
    const path = `/${BUCKET}/text.txt`;
    const headers = await sign("GET", path);
    const response = await rawGet(path, { ...headers, "accept-encoding": "gzip, br" });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.headers["content-length"]).toBe(String(Buffer.byteLength(TEXT)));
    expect(response.body.toString()).toBe(TEXT);
  });

  it("cannot be swapped for a signed value through the front's own headers", async () => {
    const path = `/${BUCKET}/text.txt`;
    const headers = await sign("GET", path, { "accept-encoding": "gzip" });
    const spoofed = await rawGet(path, {
      ...headers,
      "accept-encoding": "br",
      "x-floe-front-accept-encoding": "gzip",
      "x-floe-front-secret": "guess",
    });
    expect(spoofed.status).toBe(403);
    expect(spoofed.body.toString()).toContain("<Code>SignatureDoesNotMatch</Code>");
    const honest = await rawGet(path, { ...headers, "x-floe-front-accept-encoding": "br" });
    expect(honest.status).toBe(200);
  });
});

describe("uploads through the front", () => {
  it("survive a client that aborts mid-upload, and run side by side", async () => {
    const path = `/${BUCKET}/aborted`;
    const headers = await sign("PUT", path, { "content-length": String(64 * 1024 * 1024) });
    const aborted = await RawConnection.open(site.port);
    const lines = [`PUT ${path} HTTP/1.1`, `Host: 127.0.0.1:${site.port}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    aborted.write(`${lines.join("\r\n")}\r\n\r\n`);
    aborted.write(await patternBytes(4 * 1024 * 1024, 5));
    aborted.close();

    const s3 = defaultSdk();
    const size = 24 * 1024 * 1024;
    await Promise.all(
      [11, 12, 13, 14].map((seed) =>
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `parallel-${seed}`,
            Body: patternStream(size, seed),
            ContentLength: size,
          }),
        ),
      ),
    );
    for (const seed of [11, 14]) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `parallel-${seed}` }));
      const { md5, size: read } = await md5OfStream(got.Body as AsyncIterable<Uint8Array>);
      expect(read).toBe(size);
      expect(md5).toBe(await patternMd5(size, seed));
    }
  });
});

describe.skipIf(!existsSync("/usr/bin/rclone"))("rclone", () => {
  it("copies a tree to the site and back unchanged", async () => {
    const source = join(dir, "rclone-src");
    const target = join(dir, "rclone-dst");
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, "notes.txt"), TEXT);
    writeFileSync(join(source, "data.bin"), await patternBytes(3 * 1024 * 1024, 7));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RCLONE_CONFIG: join(dir, "rclone.conf"),
      RCLONE_CONFIG_FLOE_TYPE: "s3",
      RCLONE_CONFIG_FLOE_PROVIDER: "Other",
      RCLONE_CONFIG_FLOE_ACCESS_KEY_ID: ROOT_USER,
      RCLONE_CONFIG_FLOE_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      RCLONE_CONFIG_FLOE_ENDPOINT: site.url,
      RCLONE_CONFIG_FLOE_REGION: REGION,
    };
    delete env.AWS_CA_BUNDLE;
    await run("/usr/bin/rclone", ["copy", source, `floe:${BUCKET}/rclone`], { env });
    await run("/usr/bin/rclone", ["copy", `floe:${BUCKET}/rclone`, target], { env });
    for (const name of ["notes.txt", "data.bin"]) {
      expect(readFileSync(join(target, name)).equals(readFileSync(join(source, name)))).toBe(true);
    }
  });
});
