/**
 * The Worker's front door (workers/http/): which paths are the admin API,
 * which are metrics and which are S3; how an admin path is matched (empty
 * segments ignored, segments percent-decoded); what is checked before the
 * caller is known (a path outside /floe/admin/v1/, a segment that does not
 * decode) and what only after (an unknown route, HEAD); the error shape of
 * each; and the headers every response carries.
 */
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { admin, s3Client } from "./harness/clients.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";

const METRICS_TOKEN = "edge-metrics-token";
const PLAIN_USER = { accessKeyId: "edgeuser", secretAccessKey: "edgeuser-secret" };

let site: Site;
let s3: S3Client;

beforeAll(async () => {
  site = await startSite({ vars: { FLOE_METRICS_TOKEN: METRICS_TOKEN } });
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: "edge" }));
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

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends a request as given (signed as root unless `signed` is false). */
async function send(
  method: string,
  path: string,
  options: {
    signed?: boolean;
    body?: string;
    headers?: Record<string, string>;
    payloadHash?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
): Promise<Answer> {
  const url = `${site.url}${path}`;
  const credentials = options.credentials ?? {
    accessKeyId: ROOT_USER,
    secretAccessKey: ROOT_PASSWORD,
  };
  const headers =
    options.signed === false
      ? (options.headers ?? {})
      : await signRequest({
          method,
          url,
          headers: options.headers ?? {},
          payloadHash: options.payloadHash,
          accessKeyId: credentials.accessKeyId,
          secretKey: credentials.secretAccessKey,
          region: REGION,
        });
  const response = await fetch(url, { method, headers, body: options.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function adminError(answer: Answer): { code: string; message: string } {
  expect(answer.headers.get("content-type")).toBe("application/json");
  return JSON.parse(answer.text) as { code: string; message: string };
}

function xmlCode(answer: Answer): string | undefined {
  expect(answer.headers.get("content-type")).toBe("application/xml");
  return /<Code>([^<]+)<\/Code>/.exec(answer.text)?.[1];
}

describe("admin paths", () => {
  it("refuses a path outside /floe/admin/v1/ with 404 before the caller is known", async () => {
    const answer = await send("GET", "/floe/admin/v2/info", { signed: false });
    expect(answer.status).toBe(404);
    expect(adminError(answer)).toEqual({
      code: "NoSuchRoute",
      message: "No admin route /floe/admin/v2/info.",
    });
  });

  it("refuses a segment that does not percent-decode with 400 before the caller is known", async () => {
    const answer = await send("GET", "/floe/admin/v1/users/%E0%A4%A", { signed: false });
    expect(answer.status).toBe(400);
    expect(adminError(answer)).toEqual({
      code: "InvalidRequest",
      message: "Malformed path encoding.",
    });
  });

  it("tells only a signed caller that a route does not exist", async () => {
    const unsigned = await send("GET", "/floe/admin/v1/nothing/here", { signed: false });
    expect(unsigned.status).toBe(403);
    expect(adminError(unsigned)).toEqual({
      code: "AccessDenied",
      message: "Admin requests must be signed.",
    });
    const signed = await send("GET", "/floe/admin/v1/nothing/here");
    expect(signed.status).toBe(404);
    expect(adminError(signed)).toEqual({
      code: "NoSuchRoute",
      message: "No admin route GET nothing/here.",
    });
  });

  it("matches the method too: POST info and HEAD info are no route", async () => {
    const post = await send("POST", "/floe/admin/v1/info");
    expect(post.status).toBe(404);
    expect(adminError(post).message).toBe("No admin route POST info.");
    const head = await send("HEAD", "/floe/admin/v1/info");
    expect(head.status).toBe(404);
    expect(head.text).toBe("");
  });

  it("ignores empty segments and decodes each segment before matching", async () => {
    const slashes = await send("GET", "/floe/admin/v1//users/");
    expect(slashes.status).toBe(200);
    expect(JSON.parse(slashes.text)).toHaveProperty("users");
    const encoded = await send("GET", "/floe/admin/v1/us%65rs");
    expect(encoded.status).toBe(200);
    expect(JSON.parse(encoded.text)).toHaveProperty("users");
    const user = await send("GET", `/floe/admin/v1/users/${PLAIN_USER.accessKeyId}/`);
    expect(user.status).toBe(200);
    expect(JSON.parse(user.text)).toMatchObject({ accessKey: PLAIN_USER.accessKeyId });
  });

  it("keeps an encoded slash inside one segment", async () => {
    const answer = await send("GET", "/floe/admin/v1/users/a%2Fb");
    expect(answer.status).toBe(400);
    expect(adminError(answer)).toEqual({
      code: "InvalidRequest",
      message: "Invalid access key in the path.",
    });
  });

  it("checks the route's permission before its body", async () => {
    const answer = await send("POST", "/floe/admin/v1/heal", {
      body: "not json",
      credentials: PLAIN_USER,
    });
    expect(answer.status).toBe(403);
    expect(adminError(answer)).toEqual({
      code: "AccessDenied",
      message: "Access Denied: admin:Heal is not allowed.",
    });
    const root = await send("POST", "/floe/admin/v1/heal", { body: "not json" });
    expect(root.status).toBe(400);
    expect(adminError(root)).toEqual({
      code: "InvalidRequest",
      message: "Request body is not valid JSON.",
    });
  });

  it("validates the body with the route's schema", async () => {
    const answer = await send("POST", "/floe/admin/v1/heal", {
      body: JSON.stringify({ dryRun: "yes" }),
    });
    expect(answer.status).toBe(400);
    expect(adminError(answer).code).toBe("InvalidRequest");
    expect(adminError(answer).message).toMatch(/^dryRun: /);
  });

  it("verifies a signed payload hash before the body is used", async () => {
    const answer = await send("POST", "/floe/admin/v1/heal", {
      body: JSON.stringify({ bucket: "edge", dryRun: true }),
      payloadHash: "0".repeat(64),
    });
    expect(answer.status).toBe(400);
    expect(adminError(answer).code).toBe("XAmzContentSHA256Mismatch");
  });
});

describe("metrics and S3 paths", () => {
  it("answers anything but GET /floe/metrics with 405 before authentication", async () => {
    const answer = await send("POST", "/floe/metrics", { signed: false });
    expect(answer.status).toBe(405);
    expect(answer.text).toBe("Method Not Allowed\n");
  });

  it("refuses an unsigned metrics request with the admin JSON error", async () => {
    const answer = await send("GET", "/floe/metrics", { signed: false });
    expect(answer.status).toBe(403);
    expect(adminError(answer)).toEqual({
      code: "AccessDenied",
      message: "Admin requests must be signed.",
    });
  });

  it("serves metrics to a signed admin", async () => {
    const answer = await send("GET", "/floe/metrics");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("serves metrics for the bearer token and refuses any other", async () => {
    const good = await send("GET", "/floe/metrics", {
      signed: false,
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(good.status).toBe(200);
    const bad = await send("GET", "/floe/metrics", {
      signed: false,
      headers: { authorization: "Bearer nope" },
    });
    expect(bad.status).toBe(403);
    expect(adminError(bad)).toEqual({
      code: "AccessDenied",
      message: "The bearer token is not this site's metrics token.",
    });
  });

  it("treats /floe/admin and /floe/metrics/ as S3 paths", async () => {
    for (const path of ["/floe/admin", "/floe/metrics/"]) {
      const answer = await send("GET", path, { signed: false });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(xmlCode(answer)).toBeTruthy();
    }
  });

  it("answers an unknown S3 path with S3 XML naming the resource", async () => {
    const answer = await send("GET", "/no-such-bucket-here/k%20ey");
    expect(answer.status).toBe(404);
    expect(xmlCode(answer)).toBe("NoSuchBucket");
    expect(answer.text).toContain("<Resource>/no-such-bucket-here/k ey</Resource>");
  });
});

describe("every response", () => {
  it("carries x-amz-request-id, the same one an S3 error names", async () => {
    const answers = await Promise.all([
      send("GET", "/floe/admin/v1/info"),
      send("GET", "/floe/admin/v2/x", { signed: false }),
      send("POST", "/floe/metrics", { signed: false }),
      send("GET", "/floe/metrics"),
      send("GET", "/edge"),
      send("GET", "/no-such-bucket-here", { signed: false }),
    ]);
    for (const answer of answers)
      expect(answer.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
    const s3Failure = answers[5];
    expect(s3Failure.text).toContain(
      `<RequestId>${s3Failure.headers.get("x-amz-request-id")}</RequestId>`,
    );
  });

  it("reports the Worker's wall time as Server-Timing", async () => {
    for (const answer of [
      await send("GET", "/floe/admin/v1/info"),
      await send("GET", "/edge"),
      await send("HEAD", "/edge"),
      await send("POST", "/floe/metrics", { signed: false }),
    ])
      expect(answer.headers.get("server-timing")).toMatch(/^total;dur=\d+$/);
  });
});
