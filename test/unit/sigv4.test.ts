/**
 * SigV4 verification against an independent signer (@smithy/signature-v4,
 * what the AWS SDK signs with) and AWS's published examples, plus every
 * failure a client can provoke.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { S3Error } from "../../shared/s3-errors.ts";
import { decodeRequestBody } from "../../workers/auth/aws-chunked.ts";
import { presignUrl, signRequest } from "../../workers/auth/sign.ts";
import { authenticateRequest, type Credential } from "../../workers/auth/sigv4.ts";

const KEY: Credential = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY : null);
const REGION = "us-east-1";

const smithy = new SignatureV4({
  credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretKey },
  region: REGION,
  service: "s3",
  sha256: Hash.bind(null, "sha256"),
  uriEscapePath: false,
  applyChecksum: false,
});

/** A request signed by @smithy/signature-v4, as a fetch Request. */
async function smithySigned(
  method: string,
  path: string,
  query: Record<string, string | string[]> = {},
  extra: Record<string, string> = {},
  now = new Date(),
): Promise<Request> {
  const signed = await smithy.sign(
    {
      method,
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 8787,
      path,
      query,
      headers: { host: "127.0.0.1:8787", "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...extra },
    },
    { signingDate: now },
  );
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  const qs = search.toString().replace(/\+/g, "%20");
  return new Request(`http://127.0.0.1:8787${path}${qs ? `?${qs}` : ""}`, {
    method,
    headers: signed.headers,
  });
}

async function failure(promise: Promise<unknown>): Promise<S3Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3 error");
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>)
    chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe("header authentication", () => {
  it("accepts what the AWS SDK's signer produces, including awkward keys and queries", async () => {
    const cases: [string, Record<string, string | string[]>][] = [
      ["/bucket/simple.txt", {}],
      ["/bucket/with%20space/and%2Bplus=equals~tilde", {}],
      ["/bucket/%E2%82%AC%E6%97%A5%E6%9C%AC", {}],
      ["/bucket", { "list-type": "2", prefix: "a b/", delimiter: "/", "start-after": "" }],
      ["/bucket", { versions: "" }],
      ["/bucket/key", { tagging: "", versionId: "abc+def" }],
    ];
    for (const [path, query] of cases) {
      const auth = await authenticateRequest(await smithySigned("GET", path, query), lookup, {
        region: REGION,
      });
      expect(auth, path).toMatchObject({
        anonymous: false,
        accessKeyId: KEY.accessKeyId,
        payload: { kind: "unsigned" },
      });
    }
  });

  it("matches AWS's published GET example signature", async () => {
    // From the S3 SigV4 documentation (Example: GET Object, Range bytes=0-9).
    const request = new Request("https://examplebucket.s3.amazonaws.com/test.txt", {
      headers: {
        host: "examplebucket.s3.amazonaws.com",
        range: "bytes=0-9",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-amz-date": "20130524T000000Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
      },
    });
    const auth = await authenticateRequest(request, lookup, {
      region: REGION,
      now: new Date("2013-05-24T00:00:00Z"),
    });
    expect(auth).toMatchObject({ anonymous: false, payload: { kind: "sha256" } });
  });

  it("refuses wrong secrets, unknown keys, skew, bad regions and malformed headers", async () => {
    const good = await smithySigned("GET", "/bucket/key");
    const tampered = new Request(good.url.replace("key", "other"), { headers: good.headers });
    expect((await failure(authenticateRequest(tampered, lookup, { region: REGION }))).code).toBe(
      "SignatureDoesNotMatch",
    );
    expect(
      (await failure(authenticateRequest(good, async () => null, { region: REGION }))).code,
    ).toBe("InvalidAccessKeyId");
    const wrongSecret = async () => ({ ...KEY, secretKey: "nope" });
    expect((await failure(authenticateRequest(good, wrongSecret, { region: REGION }))).code).toBe(
      "SignatureDoesNotMatch",
    );
    const old = await smithySigned(
      "GET",
      "/bucket/key",
      {},
      {},
      new Date(Date.now() - 16 * 60 * 1000),
    );
    const skew = await failure(authenticateRequest(old, lookup, { region: REGION }));
    expect([skew.code, skew.status]).toEqual(["RequestTimeTooSkewed", 403]);
    expect((await failure(authenticateRequest(good, lookup, { region: "eu-west-1" }))).code).toBe(
      "AuthorizationHeaderMalformed",
    );
    const malformed = new Request(good.url, {
      headers: { ...Object.fromEntries(good.headers), authorization: "AWS4-HMAC-SHA256 nonsense" },
    });
    expect((await failure(authenticateRequest(malformed, lookup, { region: REGION }))).code).toBe(
      "AuthorizationHeaderMalformed",
    );
    const badHash = new Request(good.url, {
      headers: { ...Object.fromEntries(good.headers), "x-amz-content-sha256": "bogus" },
    });
    expect((await failure(authenticateRequest(badHash, lookup, { region: REGION }))).code).toBe(
      "InvalidArgument",
    );
  });

  it("treats requests without any authentication as anonymous", async () => {
    expect(
      await authenticateRequest(new Request("http://127.0.0.1/bucket"), lookup, { region: REGION }),
    ).toMatchObject({ anonymous: true });
  });

  it("agrees with the AWS SDK's signer", async () => {
    const now = new Date();
    const url = "http://127.0.0.1:8787/bucket/a%20b?uploads=";
    const ours = await signRequest({ method: "POST", url, ...KEY, region: REGION, now });
    const auth = await authenticateRequest(
      new Request(url, { method: "POST", headers: ours }),
      lookup,
      { region: REGION, now },
    );
    expect(auth.anonymous).toBe(false);
  });
});

describe("presigned URLs", () => {
  it("accepts a fresh URL and refuses an expired one or one over 7 days", async () => {
    const now = new Date();
    const url = await presignUrl({
      method: "GET",
      url: "http://127.0.0.1:8787/bucket/k%20ey",
      ...KEY,
      region: REGION,
      expiresSeconds: 60,
      now,
    });
    const ok = await authenticateRequest(new Request(url), lookup, { region: REGION, now });
    expect(ok).toMatchObject({ anonymous: false, presigned: true });
    const later = new Date(now.getTime() + 61_000);
    const expired = await failure(
      authenticateRequest(new Request(url), lookup, { region: REGION, now: later }),
    );
    expect([expired.code, expired.message]).toEqual(["AccessDenied", "Request has expired"]);
    const week = await presignUrl({
      method: "GET",
      url: "http://127.0.0.1:8787/bucket/k",
      ...KEY,
      region: REGION,
      expiresSeconds: 604801,
      now,
    });
    expect(
      (await failure(authenticateRequest(new Request(week), lookup, { region: REGION, now }))).code,
    ).toBe("AuthorizationQueryParametersError");
  });
});

/** AWS's chunked upload example: 66560 bytes of 'a' in 64 KiB chunks. */
function awsChunkedExample(corruptSecond = false): { request: Request; body: string } {
  const signatures = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    corruptSecond
      ? "0".repeat(64)
      : "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
  ];
  const body =
    `10000;chunk-signature=${signatures[0]}\r\n${"a".repeat(65536)}\r\n` +
    `400;chunk-signature=${signatures[1]}\r\n${"a".repeat(1024)}\r\n` +
    `0;chunk-signature=${signatures[2]}\r\n\r\n`;
  const request = new Request("https://s3.amazonaws.com/examplebucket/chunkObject.txt", {
    method: "PUT",
    headers: {
      host: "s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "66560",
      "content-length": "66824",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    },
  });
  return { request, body };
}

function sliced(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

describe("aws-chunked payloads", () => {
  const now = new Date("2013-05-24T00:00:00Z");

  it("verifies AWS's signed chunked example, however the body is sliced", async () => {
    const { request, body } = awsChunkedExample();
    const auth = await authenticateRequest(request, lookup, { region: REGION, now });
    expect(auth.payload.kind).toBe("streaming-signed");
    for (const slice of [1, 7, 4096, 1 << 20]) {
      const decoded = decodeRequestBody(sliced(body, slice), auth, request.headers);
      const out = await readAll(decoded.stream);
      expect(out.length, `slice ${slice}`).toBe(66560);
      expect(out.every((b) => b === 0x61)).toBe(true);
    }
  });

  it("fails a body whose chunk signature is wrong", async () => {
    const { request, body } = awsChunkedExample(true);
    const auth = await authenticateRequest(request, lookup, { region: REGION, now });
    const decoded = decodeRequestBody(sliced(body, 4096), auth, request.headers);
    expect((await failure(readAll(decoded.stream))).code).toBe("SignatureDoesNotMatch");
  });

  it("fails a truncated body with IncompleteBody", async () => {
    const { request, body } = awsChunkedExample();
    const auth = await authenticateRequest(request, lookup, { region: REGION, now });
    const decoded = decodeRequestBody(sliced(body.slice(0, 40000), 4096), auth, request.headers);
    expect((await failure(readAll(decoded.stream))).code).toBe("IncompleteBody");
  });

  it("decodes unsigned chunks with trailing checksums", async () => {
    const headers = new Headers({
      "x-amz-decoded-content-length": "11",
      "x-amz-trailer": "x-amz-checksum-crc32",
    });
    const body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    for (const slice of [1, 3, 64]) {
      const decoded = decodeRequestBody(
        sliced(body, slice),
        { anonymous: true, payload: { kind: "streaming-unsigned-trailer" } },
        headers,
      );
      expect((await readAll(decoded.stream)).toString()).toBe("hello world");
      expect(await decoded.trailers).toEqual({ "x-amz-checksum-crc32": "DUoRhQ==" });
    }
  });

  it("checks a declared payload SHA-256", async () => {
    const good = decodeRequestBody(
      sliced("", 1),
      {
        anonymous: true,
        payload: {
          kind: "sha256",
          expectedHex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        },
      },
      new Headers(),
    );
    expect((await readAll(good.stream)).length).toBe(0);
    const bad = decodeRequestBody(
      sliced("tampered", 3),
      { anonymous: true, payload: { kind: "sha256", expectedHex: "0".repeat(64) } },
      new Headers(),
    );
    expect((await failure(readAll(bad.stream))).code).toBe("XAmzContentSHA256Mismatch");
  });
});
