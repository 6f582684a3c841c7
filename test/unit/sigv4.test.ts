/**
 * SigV4 header authentication against an independent signer
 * (@smithy/signature-v4, what the AWS SDK for JavaScript signs with) and
 * AWS's published S3 examples, plus every failure a client can provoke.
 */
import { createHash, createHmac } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { decodeRequestBody } from "../../workers/auth/aws-chunked.ts";
import { authenticateRequest, type Credential } from "../../workers/auth/sigv4.ts";

const KEY: Credential = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY : null);
const REGION = "us-east-1";
const NOW = new Date("2026-03-01T12:00:00Z");
const ORIGIN = "http://127.0.0.1:8787";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function smithySigner(options: { service?: string; region?: string; escapePath?: boolean } = {}) {
  return new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretKey },
    region: options.region ?? REGION,
    service: options.service ?? "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: options.escapePath ?? false,
    applyChecksum: false,
  });
}

/** How the AWS SDK puts a key into a path: encodeURIComponent plus !'()*. */
function sdkEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sdkQuery(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value])
      parts.push(`${sdkEncode(name)}=${sdkEncode(v)}`);
  }
  return parts.join("&");
}

interface SignOptions {
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  now?: Date;
  signer?: SignatureV4;
  /** The path the request is sent with, when it differs from the signed one. */
  sentPath?: string;
  unsignable?: string[];
}

/** A request signed by @smithy/signature-v4, as a fetch Request. */
async function smithySigned(method: string, path: string, options: SignOptions = {}) {
  const query = options.query ?? {};
  const signed = await (options.signer ?? smithySigner()).sign(
    {
      method,
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 8787,
      path,
      query,
      headers: {
        host: "127.0.0.1:8787",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        ...options.headers,
      },
    },
    {
      signingDate: options.now ?? NOW,
      unsignableHeaders: options.unsignable ? new Set(options.unsignable) : undefined,
    },
  );
  const qs = sdkQuery(query);
  return new Request(`${ORIGIN}${options.sentPath ?? path}${qs ? `?${qs}` : ""}`, {
    method,
    headers: signed.headers,
  });
}

function authenticate(request: Request, options: { region?: string; now?: Date } = {}) {
  return authenticateRequest(request, lookup, {
    region: options.region ?? REGION,
    now: options.now ?? NOW,
  });
}

/** A copy of `request` with some headers replaced (null removes one). */
function withHeaders(request: Request, changes: Record<string, string | null>): Request {
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(request.url, { method: request.method, headers });
}

describe("header authentication: what the AWS SDK signs", () => {
  const keys = [
    "simple.txt",
    "with space.txt",
    "plus+sign",
    "equals=sign&amp",
    "tilde~dash-under_dot.",
    "unicode €日本語",
    "emoji 😀",
    "reserved !'()*@:,;$",
    "percent%25sign",
    "nested/dir/key",
    "dir/",
  ];

  it("accepts object keys with spaces, unicode, +, =, ~ and reserved characters", async () => {
    for (const key of keys) {
      const path = `/bucket/${key.split("/").map(sdkEncode).join("/")}`;
      await expect(authenticate(await smithySigned("GET", path)), key).resolves.toMatchObject({
        anonymous: false,
        accessKeyId: KEY.accessKeyId,
        presigned: false,
        payload: { kind: "unsigned" },
      });
    }
  });

  it("accepts query strings with empty values, repeated keys and encoded characters", async () => {
    const queries: Record<string, string | string[]>[] = [
      { "list-type": "2", prefix: "a b/", delimiter: "/", "start-after": "" },
      { versions: "" },
      { tagging: "", versionId: "abc+def/ghi=" },
      { a: ["2", "1", ""], b: "x" },
      { prefix: "ü~*'!", "continuation-token": "1/2=3+4" },
    ];
    for (const query of queries) {
      const request = await smithySigned("GET", "/bucket", { query });
      await expect(authenticate(request), JSON.stringify(query)).resolves.toMatchObject({
        anonymous: false,
      });
    }
  });

  it("reads a raw + in the query as a space and only %2B as a plus", async () => {
    const resent = (request: Request, query: string) =>
      new Request(`${request.url.split("?")[0]}?${query}`, {
        method: request.method,
        headers: request.headers,
      });
    const plus = await smithySigned("GET", "/bucket", { query: { prefix: "a+b" } });
    expect(plus.url).toContain("prefix=a%2Bb");
    await expect(authenticate(plus)).resolves.toMatchObject({ anonymous: false });
    // The same signature replayed with a raw '+' would ask for "a b": refused.
    await expect(authenticate(resent(plus, "prefix=a+b"))).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    const space = await smithySigned("GET", "/bucket", { query: { prefix: "a b" } });
    await expect(authenticate(resent(space, "prefix=a+b"))).resolves.toBeTruthy();
    await expect(authenticate(resent(space, "prefix=a%20b"))).resolves.toBeTruthy();
    await expect(authenticate(resent(space, "prefix=a%2Bb"))).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
  });

  it("accepts a path signed as sent and one signed re-encoded, but not double-encoded", async () => {
    // Signed exactly as sent, with characters the URL keeps unencoded.
    await expect(authenticate(await smithySigned("GET", "/bucket/a'b(c)!*"))).resolves.toBeTruthy();
    // Sent raw, signed in AWS's canonical encoding.
    const reencoded = await smithySigned("GET", "/bucket/a%27b%28c%29", {
      sentPath: "/bucket/a'b(c)",
    });
    await expect(authenticate(reencoded)).resolves.toBeTruthy();
    // Other services encode the path twice; S3 does not.
    const doubled = await smithySigned("GET", "/bucket/a%20b", {
      signer: smithySigner({ escapePath: true }),
    });
    await expect(authenticate(doubled)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
  });

  it("reports each x-amz-content-sha256 value as its payload mode", async () => {
    const modes: [string, Record<string, string>, object][] = [
      ["UNSIGNED-PAYLOAD", {}, { kind: "unsigned" }],
      [EMPTY_SHA256, {}, { kind: "sha256", expectedHex: EMPTY_SHA256 }],
      [
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        { "x-amz-decoded-content-length": "5" },
        { kind: "streaming-signed", trailer: false, scope: "20260301/us-east-1/s3/aws4_request" },
      ],
      [
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        { "x-amz-decoded-content-length": "5", "x-amz-trailer": "x-amz-checksum-crc32" },
        { kind: "streaming-signed", trailer: true, amzDate: "20260301T120000Z" },
      ],
      [
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        { "x-amz-decoded-content-length": "5", "x-amz-trailer": "x-amz-checksum-crc32" },
        { kind: "streaming-unsigned-trailer" },
      ],
    ];
    for (const [value, extra, payload] of modes) {
      const request = await smithySigned("PUT", "/bucket/key", {
        headers: { "x-amz-content-sha256": value, ...extra },
      });
      await expect(authenticate(request), value).resolves.toMatchObject({ payload });
    }
    const streaming = await authenticate(
      await smithySigned("PUT", "/bucket/key", {
        headers: {
          "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          "x-amz-decoded-content-length": "1234",
        },
      }),
    );
    expect(streaming).toMatchObject({ decodedContentLength: 1234 });
  });
});

describe("header authentication: AWS's published examples", () => {
  const at2013 = { now: new Date("2013-05-24T00:05:00Z") };
  const credential = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

  it("GET Object with Range: bytes=0-9", async () => {
    const request = new Request("https://examplebucket.s3.amazonaws.com/test.txt", {
      headers: {
        range: "bytes=0-9",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
        authorization: `AWS4-HMAC-SHA256 ${credential},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
      },
    });
    await expect(authenticate(request, at2013)).resolves.toMatchObject({
      anonymous: false,
      payload: { kind: "sha256", expectedHex: EMPTY_SHA256 },
    });
  });

  it("PUT Object with a Date header and a body checked against its SHA-256", async () => {
    const request = new Request("https://examplebucket.s3.amazonaws.com/test$file.text", {
      method: "PUT",
      headers: {
        date: "Fri, 24 May 2013 00:00:00 GMT",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        authorization: `AWS4-HMAC-SHA256 ${credential},SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
      },
      body: "Welcome to Amazon S3.",
    });
    const auth = await authenticate(request, at2013);
    const body = decodeRequestBody(request.body, auth, request.headers);
    expect(await new Response(body.stream).text()).toBe("Welcome to Amazon S3.");
  });

  it("GET Bucket lifecycle and GET Bucket (list objects)", async () => {
    const cases: [string, string][] = [
      ["?lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"],
      ["?max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"],
    ];
    for (const [query, signature] of cases) {
      const request = new Request(`https://examplebucket.s3.amazonaws.com/${query}`, {
        headers: {
          "x-amz-content-sha256": EMPTY_SHA256,
          "x-amz-date": "20130524T000000Z",
          authorization: `AWS4-HMAC-SHA256 ${credential},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=${signature}`,
        },
      });
      await expect(authenticate(request, at2013), query).resolves.toMatchObject({
        anonymous: false,
      });
    }
  });

  it("takes the request time from the Date header when x-amz-date is absent", async () => {
    // Signed by hand: with only Date, the string to sign carries its ISO 8601 basic form.
    const canonical = [
      "GET",
      "/bucket/key",
      "",
      "date:Sun, 01 Mar 2026 12:00:00 GMT",
      "host:127.0.0.1:8787",
      "x-amz-content-sha256:UNSIGNED-PAYLOAD",
      "",
      "date;host;x-amz-content-sha256",
      "UNSIGNED-PAYLOAD",
    ].join("\n");
    const hmac = (key: string | Buffer, data: string) =>
      createHmac("sha256", key).update(data).digest();
    const key = ["20260301", REGION, "s3", "aws4_request"].reduce<string | Buffer>(
      (k, part) => hmac(k, part),
      `AWS4${KEY.secretKey}`,
    );
    const toSign = `AWS4-HMAC-SHA256\n20260301T120000Z\n20260301/${REGION}/s3/aws4_request\n${createHash("sha256").update(canonical).digest("hex")}`;
    const signature = createHmac("sha256", key).update(toSign).digest("hex");
    const request = new Request(`${ORIGIN}/bucket/key`, {
      headers: {
        date: "Sun, 01 Mar 2026 12:00:00 GMT",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        authorization: `AWS4-HMAC-SHA256 Credential=${KEY.accessKeyId}/20260301/${REGION}/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256, Signature=${signature}`,
      },
    });
    await expect(authenticate(request)).resolves.toMatchObject({ anonymous: false });
  });
});

describe("header authentication failures", () => {
  it("refuses a wrong secret, a tampered request and an unknown key", async () => {
    const good = await smithySigned("GET", "/bucket/key", { headers: { range: "bytes=0-9" } });
    const wrongSecret = async () => ({ ...KEY, secretKey: "not-the-secret" });
    const mismatch = authenticateRequest(good, wrongSecret, { region: REGION, now: NOW });
    await expect(mismatch).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
      status: 403,
      detail: { AWSAccessKeyId: KEY.accessKeyId, SignatureProvided: expect.any(String) },
    });
    const otherPath = new Request(good.url.replace("key", "other"), { headers: good.headers });
    await expect(authenticate(otherPath)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
    const otherRange = withHeaders(good, { range: "bytes=0-99" });
    await expect(authenticate(otherRange)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
    const otherMethod = new Request(good.url, { method: "DELETE", headers: good.headers });
    await expect(authenticate(otherMethod)).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    const unknown = authenticateRequest(good, async () => null, { region: REGION, now: NOW });
    await expect(unknown).rejects.toMatchObject({ code: "InvalidAccessKeyId", status: 403 });
  });

  it("refuses a request time more than 15 minutes from the server clock", async () => {
    const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
    for (const offset of [-16, 16]) {
      const request = await smithySigned("GET", "/bucket/key", { now: minutes(offset) });
      await expect(authenticate(request), `${offset} min`).rejects.toMatchObject({
        code: "RequestTimeTooSkewed",
        status: 403,
        detail: { MaxAllowedSkewMilliseconds: "900000" },
      });
    }
    for (const offset of [-14, 14]) {
      const request = await smithySigned("GET", "/bucket/key", { now: minutes(offset) });
      await expect(authenticate(request), `${offset} min`).resolves.toBeTruthy();
    }
  });

  it("requires a valid x-amz-date or Date", async () => {
    const good = await smithySigned("GET", "/bucket/key");
    for (const date of [null, "yesterday", "20261301T000000Z"]) {
      await expect(authenticate(withHeaders(good, { "x-amz-date": date }))).rejects.toMatchObject({
        code: "AccessDenied",
        message: "AWS authentication requires a valid Date or x-amz-date header",
      });
    }
  });

  it("refuses a credential scope for another region, service or day", async () => {
    const otherRegion = await smithySigned("GET", "/bucket/key", {
      signer: smithySigner({ region: "eu-west-1" }),
    });
    await expect(authenticate(otherRegion)).rejects.toMatchObject({
      code: "AuthorizationHeaderMalformed",
      status: 400,
      message:
        "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
      detail: { Region: "us-east-1" },
    });
    const otherService = await smithySigned("GET", "/bucket/key", {
      signer: smithySigner({ service: "ec2" }),
    });
    await expect(authenticate(otherService)).rejects.toMatchObject({
      code: "AuthorizationHeaderMalformed",
    });
    const good = await smithySigned("GET", "/bucket/key");
    const otherDay = withHeaders(good, { "x-amz-date": "20260302T000100Z" });
    await expect(
      authenticate(otherDay, { now: new Date("2026-03-02T00:01:00Z") }),
    ).rejects.toMatchObject({
      code: "AuthorizationHeaderMalformed",
      message: expect.stringContaining("Date is not the same as X-Amz-Date"),
    });
  });

  it("refuses malformed Authorization headers and other schemes", async () => {
    const good = await smithySigned("GET", "/bucket/key");
    const auth = good.headers.get("authorization") ?? "";
    const malformed = [
      "AWS4-HMAC-SHA256 nonsense",
      "AWS4-HMAC-SHA256 ",
      auth.replace(/, Signature=[0-9a-f]+/, ""),
      auth.replace("/aws4_request", ""),
      auth.replace("/20260301/", "/2026-03-01/"),
      auth.replace(/SignedHeaders=[^,]+/, "SignedHeaders="),
      auth.replace(/SignedHeaders=[^,]+/, "SignedHeaders=Host;X-Amz-Date"),
    ];
    for (const value of malformed) {
      await expect(
        authenticate(withHeaders(good, { authorization: value })),
        value,
      ).rejects.toMatchObject({ code: "AuthorizationHeaderMalformed", status: 400 });
    }
    const sigV2 = withHeaders(good, { authorization: "AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl" });
    await expect(authenticate(sigV2)).rejects.toMatchObject({ code: "InvalidRequest" });
    const bearer = withHeaders(good, { authorization: "Bearer token" });
    await expect(authenticate(bearer)).rejects.toMatchObject({
      code: "InvalidArgument",
      message: "Unsupported Authorization Type",
    });
  });

  it("requires a valid x-amz-content-sha256, and the decoded length of aws-chunked bodies", async () => {
    const missing = await smithySigned("GET", "/bucket/key");
    await expect(
      authenticate(withHeaders(missing, { "x-amz-content-sha256": null })),
    ).rejects.toMatchObject({
      code: "InvalidRequest",
      message: "Missing required header for this request: x-amz-content-sha256",
    });
    for (const value of ["bogus", "STREAMING-PAYLOAD", "abc123"]) {
      const request = await smithySigned("GET", "/bucket/key", {
        headers: { "x-amz-content-sha256": value },
      });
      await expect(authenticate(request), value).rejects.toMatchObject({
        code: "InvalidArgument",
        message: expect.stringContaining("x-amz-content-sha256 must be UNSIGNED-PAYLOAD"),
      });
    }
    for (const length of [null, "abc", "-1"]) {
      const headers: Record<string, string> = {
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      };
      if (length !== null) headers["x-amz-decoded-content-length"] = length;
      const request = await smithySigned("PUT", "/bucket/key", { headers });
      await expect(authenticate(request), String(length)).rejects.toMatchObject({
        code: "MissingContentLength",
        status: 411,
      });
    }
  });

  it("requires host and every x-amz-* header to be signed", async () => {
    const hostless = await smithySigned("GET", "/bucket/key", { unsignable: ["host"] });
    await expect(authenticate(hostless)).rejects.toMatchObject({
      code: "AccessDenied",
      message: "There were headers present in the request which were not signed",
      detail: { HeadersNotSigned: "host" },
    });
    const good = await smithySigned("PUT", "/bucket/key");
    const added = withHeaders(good, { "x-amz-meta-added": "1", "x-amz-acl": "public-read" });
    await expect(authenticate(added)).rejects.toMatchObject({
      code: "AccessDenied",
      detail: { HeadersNotSigned: "x-amz-acl, x-amz-meta-added" },
    });
    // Other unsigned headers are the client's business, as in S3.
    await expect(authenticate(withHeaders(good, { "user-agent": "x" }))).resolves.toBeTruthy();
  });

  it("refuses header and query authentication together", async () => {
    const good = await smithySigned("GET", "/bucket/key");
    const both = new Request(`${good.url}?X-Amz-Algorithm=AWS4-HMAC-SHA256`, {
      headers: good.headers,
    });
    await expect(authenticate(both)).rejects.toMatchObject({
      code: "InvalidArgument",
      message: expect.stringContaining("Only one auth mechanism allowed"),
    });
  });
});

describe("anonymous requests", () => {
  it("are anonymous when they carry no authentication", async () => {
    await expect(authenticate(new Request(`${ORIGIN}/bucket/key`))).resolves.toEqual({
      anonymous: true,
      payload: { kind: "unsigned" },
    });
  });

  it("still declare how their body is framed", async () => {
    const hashed = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: { "x-amz-content-sha256": EMPTY_SHA256 },
    });
    await expect(authenticate(hashed)).resolves.toMatchObject({
      anonymous: true,
      payload: { kind: "sha256", expectedHex: EMPTY_SHA256 },
    });
    const signedChunks = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: {
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": "1",
      },
    });
    await expect(authenticate(signedChunks)).rejects.toMatchObject({ code: "AccessDenied" });
  });

  it("refuses SigV2 query authentication instead of ignoring it", async () => {
    const v2 = new Request(
      `${ORIGIN}/bucket/key?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1&Signature=abc`,
    );
    await expect(authenticate(v2)).rejects.toMatchObject({ code: "InvalidRequest" });
  });
});
