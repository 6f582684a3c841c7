/**
 * Request body decoding: AWS's published aws-chunked examples (with and
 * without a signed trailer), bodies signed by an independent chunk signer
 * written here with node:crypto, unsigned trailers as the AWS SDK frames
 * them, declared SHA-256 payloads, and every way a body can be wrong or cut
 * short, each fed in 1-, 7- and 4096-byte slices.
 */
import { createHash, createHmac } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { decodeRequestBody, type DecodedBody } from "../../workers/auth/aws-chunked.ts";
import {
  authenticateRequest,
  type Anonymous,
  type Authenticated,
  type Credential,
} from "../../workers/auth/sigv4.ts";

const KEY: Credential = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY : null);
const REGION = "us-east-1";
const AWS_EXAMPLE_TIME = new Date("2013-05-24T00:00:00Z");
const SLICES = [1, 7, 4096];
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const KiB = 1024;

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

/** A stream of `bytes` in slices of `size`. */
function sliced(bytes: Uint8Array | string, size: number): ReadableStream<Uint8Array> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(data.slice(at, at + size));
      at += size;
    },
  });
}

/** Every piece the stream yields. */
async function pieces(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.concat(await pieces(stream));
}

/** Decodes `body` in each slice size; returns the payload and trailers (the same for every size). */
async function decodeEverySlicing(
  body: Uint8Array | string,
  auth: Authenticated | Anonymous,
  headers: Headers,
): Promise<{ payload: Buffer; trailers: Record<string, string> }> {
  const results: { payload: Buffer; trailers: Record<string, string> }[] = [];
  for (const size of SLICES) {
    const decoded = decodeRequestBody(sliced(body, size), auth, headers);
    const out = await pieces(decoded.stream);
    // Handed on in large pieces however finely the body arrived.
    for (const piece of out.slice(0, -1)) expect(piece.byteLength).toBeGreaterThanOrEqual(64 * KiB);
    results.push({ payload: Buffer.concat(out), trailers: await decoded.trailers });
  }
  for (const result of results.slice(1)) {
    expect(result.payload.equals(results[0].payload)).toBe(true);
    expect(result.trailers).toEqual(results[0].trailers);
  }
  return results[0];
}

/** Expects reading `body` to fail with `code` in every slicing (and its trailers to fail too). */
async function expectFailure(
  body: Uint8Array | string,
  auth: Authenticated | Anonymous,
  headers: Headers,
  code: string,
): Promise<void> {
  for (const size of SLICES) {
    const decoded = decodeRequestBody(sliced(body, size), auth, headers);
    await expect(readAll(decoded.stream), `slice ${size}`).rejects.toMatchObject({ code });
    await expect(decoded.trailers).rejects.toMatchObject({ code });
  }
}

const AWS_CREDENTIAL = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

/** AWS's chunked upload example: 66560 bytes of 'a' in 64 KiB chunks. */
function awsChunkedExample(signatures: string[] = []) {
  const [first, second, final] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
  ].map((signature, i) => signatures[i] ?? signature);
  const body =
    `10000;chunk-signature=${first}\r\n${"a".repeat(65536)}\r\n` +
    `400;chunk-signature=${second}\r\n${"a".repeat(1024)}\r\n` +
    `0;chunk-signature=${final}\r\n\r\n`;
  const request = new Request("https://s3.amazonaws.com/examplebucket/chunkObject.txt", {
    method: "PUT",
    headers: {
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "66560",
      "content-length": "66824",
      authorization: `AWS4-HMAC-SHA256 ${AWS_CREDENTIAL},SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9`,
    },
  });
  return { request, body };
}

/**
 * AWS's trailer example (same payload, a CRC32C trailer). The seed and chunk
 * signatures are AWS's; the trailer signature, which AWS's page does not
 * give consistently, is the one s3s (an independent server) checks against.
 */
function awsTrailerExample(trailerSignature?: string) {
  const body =
    `10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n${"a".repeat(65536)}\r\n` +
    `400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n${"a".repeat(1024)}\r\n` +
    `0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n` +
    `x-amz-checksum-crc32c:sOO8/Q==\r\n` +
    `x-amz-trailer-signature:${trailerSignature ?? "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"}\r\n\r\n`;
  const request = new Request("https://s3.amazonaws.com/examplebucket/chunkObject.txt", {
    method: "PUT",
    headers: {
      "content-encoding": "aws-chunked",
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": "66560",
      "x-amz-trailer": "x-amz-checksum-crc32c",
      authorization: `AWS4-HMAC-SHA256 ${AWS_CREDENTIAL},SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e`,
    },
  });
  return { request, body };
}

const NOW = new Date("2026-03-01T12:00:00Z");
const AMZ_DATE = "20260301T120000Z";
const SCOPE = `20260301/${REGION}/s3/aws4_request`;

/** A request whose headers @smithy/signature-v4 signs; its signature seeds the chunk chain. */
async function smithySignedStreaming(headers: Record<string, string>): Promise<Request> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretKey },
    region: REGION,
    service: "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: "PUT",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 8787,
      path: "/bucket/key",
      headers: { host: "127.0.0.1:8787", "content-encoding": "aws-chunked", ...headers },
    },
    { signingDate: NOW },
  );
  return new Request("http://127.0.0.1:8787/bucket/key", {
    method: "PUT",
    headers: signed.headers,
  });
}

/**
 * An aws-chunked body signed here, independently of Floe's code: chunks of
 * `data`, the chain seeded by `seed`, optionally a signed trailer.
 */
function signedChunkedBody(
  seed: string,
  chunks: Buffer[],
  trailers: [string, string][] = [],
  withTrailer = false,
): Buffer {
  const key = [AMZ_DATE.slice(0, 8), REGION, "s3", "aws4_request"].reduce<string | Buffer>(
    (k, part) => hmac(k, part),
    `AWS4${KEY.secretKey}`,
  );
  let previous = seed;
  const parts: Buffer[] = [];
  for (const data of [...chunks, Buffer.alloc(0)]) {
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${AMZ_DATE}\n${SCOPE}\n${previous}\n${EMPTY_SHA256}\n${sha256(data)}`;
    previous = hmac(key, toSign).toString("hex");
    parts.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${previous}\r\n`));
    if (data.length > 0) parts.push(data, Buffer.from("\r\n"));
  }
  if (!withTrailer) return Buffer.concat([...parts, Buffer.from("\r\n")]);
  const lines = trailers.map(([name, value]) => `${name}:${value}\n`).join("");
  const toSign = `AWS4-HMAC-SHA256-TRAILER\n${AMZ_DATE}\n${SCOPE}\n${previous}\n${sha256(lines)}`;
  const signature = hmac(key, toSign).toString("hex");
  const trailer = trailers.map(([name, value]) => `${name}:${value}\r\n`).join("");
  return Buffer.concat([
    ...parts,
    Buffer.from(`${trailer}x-amz-trailer-signature:${signature}\r\n\r\n`),
  ]);
}

/** Deterministic non-repeating bytes. */
function pattern(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("signed aws-chunked bodies", () => {
  it("decode AWS's chunked upload example identically however the body is sliced", async () => {
    const { request, body } = awsChunkedExample();
    const auth = await authenticateRequest(request, lookup, {
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    expect(auth.payload).toMatchObject({
      kind: "streaming-signed",
      trailer: false,
      seedSignature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    });
    const { payload, trailers } = await decodeEverySlicing(body, auth, request.headers);
    expect(payload.equals(Buffer.alloc(66560, "a"))).toBe(true);
    expect(trailers).toEqual({});
  });

  it("decode AWS's signed trailer example and hand over the trailer", async () => {
    const { request, body } = awsTrailerExample();
    const auth = await authenticateRequest(request, lookup, {
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    expect(auth.payload).toMatchObject({ kind: "streaming-signed", trailer: true });
    const { payload, trailers } = await decodeEverySlicing(body, auth, request.headers);
    expect(payload.equals(Buffer.alloc(66560, "a"))).toBe(true);
    expect(trailers).toEqual({ "x-amz-checksum-crc32c": "sOO8/Q==" });
  });

  it("decode bodies of any chunk sizes signed independently, with or without trailer", async () => {
    const data = pattern(200 * KiB + 17);
    const sizes = [64 * KiB, 8 * KiB, 1, 100 * KiB, 27 * KiB + 16];
    const chunks: Buffer[] = [];
    for (let at = 0, i = 0; at < data.length; i++) {
      const size = Math.min(sizes[i % sizes.length], data.length - at);
      chunks.push(data.subarray(at, at + size));
      at += size;
    }
    const length = String(data.length);
    const plain = await smithySignedStreaming({
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "x-amz-decoded-content-length": length,
    });
    const plainAuth = await authenticateRequest(plain, lookup, { region: REGION, now: NOW });
    const seed =
      plainAuth.payload.kind === "streaming-signed" ? plainAuth.payload.seedSignature : "";
    const decoded = await decodeEverySlicing(
      signedChunkedBody(seed, chunks),
      plainAuth,
      plain.headers,
    );
    expect(decoded.payload.equals(data)).toBe(true);

    const withTrailer = await smithySignedStreaming({
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": length,
      "x-amz-trailer": "x-amz-checksum-sha256,x-amz-checksum-crc32",
    });
    const auth = await authenticateRequest(withTrailer, lookup, { region: REGION, now: NOW });
    const trailerSeed = auth.payload.kind === "streaming-signed" ? auth.payload.seedSignature : "";
    const trailers: [string, string][] = [
      ["x-amz-checksum-crc32", "AAAAAA=="],
      ["x-amz-checksum-sha256", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="],
    ];
    const body = signedChunkedBody(trailerSeed, chunks, trailers, true);
    const result = await decodeEverySlicing(body, auth, withTrailer.headers);
    expect(result.payload.equals(data)).toBe(true);
    expect(result.trailers).toEqual(Object.fromEntries(trailers));
  });

  it("fail on a bad chunk signature in the middle, altered data or a dropped chunk", async () => {
    const bad = awsChunkedExample([
      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
      "0".repeat(64),
    ]);
    const auth = await authenticateRequest(bad.request, lookup, {
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    await expectFailure(bad.body, auth, bad.request.headers, "SignatureDoesNotMatch");
    const altered = awsChunkedExample().body.replace("aaaa\r\n400;", "aaab\r\n400;");
    await expectFailure(altered, auth, bad.request.headers, "SignatureDoesNotMatch");
    const { body } = awsChunkedExample();
    const dropped = body.slice(0, body.indexOf("400;")) + body.slice(body.indexOf("0;chunk"));
    await expectFailure(dropped, auth, bad.request.headers, "SignatureDoesNotMatch");
  });

  it("fail on a bad trailer signature or an altered trailer", async () => {
    const { request, body } = awsTrailerExample("0".repeat(64));
    const auth = await authenticateRequest(request, lookup, {
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    await expectFailure(body, auth, request.headers, "SignatureDoesNotMatch");
    const altered = awsTrailerExample().body.replace("sOO8/Q==", "AAAAAA==");
    await expectFailure(altered, auth, request.headers, "SignatureDoesNotMatch");
    const unsigned = awsTrailerExample().body.replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, "");
    await expectFailure(unsigned, auth, request.headers, "MalformedTrailerError");
  });

  it("fail with IncompleteBody wherever the body is cut short", async () => {
    const request = await smithySignedStreaming({
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "x-amz-decoded-content-length": "300",
    });
    const auth = await authenticateRequest(request, lookup, { region: REGION, now: NOW });
    const seed = auth.payload.kind === "streaming-signed" ? auth.payload.seedSignature : "";
    const body = signedChunkedBody(seed, [pattern(200), pattern(100, 2)]);
    // Only the final blank line may be missing.
    for (let cut = 0; cut < body.length - 2; cut++) {
      const decoded = decodeRequestBody(sliced(body.subarray(0, cut), 4096), auth, request.headers);
      await expect(readAll(decoded.stream), `cut at ${cut}`).rejects.toMatchObject({
        code: "IncompleteBody",
        status: 400,
      });
    }
    const tolerated = decodeRequestBody(
      sliced(body.subarray(0, body.length - 2), 7),
      auth,
      request.headers,
    );
    expect((await readAll(tolerated.stream)).length).toBe(300);
  });

  it("fail when the decoded length differs from x-amz-decoded-content-length", async () => {
    const { request, body } = awsChunkedExample();
    const auth = await authenticateRequest(request, lookup, {
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    if (auth.anonymous) throw new Error("expected authentication");
    for (const declared of [66559, 66561, 0]) {
      const decoded = decodeRequestBody(
        sliced(body, 4096),
        { ...auth, decodedContentLength: declared },
        request.headers,
      );
      await expect(readAll(decoded.stream), String(declared)).rejects.toMatchObject({
        code: "IncompleteBody",
        detail: { NumberBytesExpected: String(declared) },
      });
    }
  });

  it("fail with IncompleteBody on malformed framing", async () => {
    const { request, body } = awsChunkedExample();
    const auth = await authenticateRequest(request, lookup, {
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    const malformed = [
      body.replace("10000;", "1000g;"),
      body.replace("10000;chunk-signature=", "10000;chunk-sig="),
      body.replace(`${"a".repeat(10)}\r\n400;`, `${"a".repeat(10)}XX400;`),
      body.replace(";chunk-signature=", `;${"x".repeat(5000)};chunk-signature=`),
      body.replace("\r\n400;", "\n400;"),
      `${body}extra`,
      `${body.slice(0, -2)}xy`,
    ];
    for (const text of malformed) {
      const decoded = decodeRequestBody(sliced(text, 4096), auth, request.headers);
      await expect(readAll(decoded.stream)).rejects.toMatchObject({ code: "IncompleteBody" });
    }
  });
});

describe("unsigned aws-chunked bodies with a trailer", () => {
  const anonymous: Anonymous = { anonymous: true, payload: { kind: "streaming-unsigned-trailer" } };
  const headers = new Headers({
    "x-amz-decoded-content-length": "11",
    "x-amz-trailer": "x-amz-checksum-crc32",
  });

  it("decode the AWS SDK's framing, with or without the final CRLFs", async () => {
    const body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    for (const text of [body, body.slice(0, -2), body.slice(0, -4)]) {
      const { payload, trailers } = await decodeEverySlicing(text, anonymous, headers);
      expect(payload.toString()).toBe("hello world");
      expect(trailers).toEqual({ "x-amz-checksum-crc32": "DUoRhQ==" });
    }
    const noTrailer = await decodeEverySlicing(
      "b\r\nhello world\r\n0\r\n",
      anonymous,
      new Headers({ "x-amz-decoded-content-length": "11" }),
    );
    expect([noTrailer.payload.toString(), noTrailer.trailers]).toEqual(["hello world", {}]);
  });

  it("decode a request the AWS SDK's signer signed", async () => {
    const request = await smithySignedStreaming({
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": "11",
      "x-amz-trailer": "x-amz-checksum-crc32",
    });
    const auth = await authenticateRequest(request, lookup, { region: REGION, now: NOW });
    const body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    const { payload, trailers } = await decodeEverySlicing(body, auth, request.headers);
    expect([payload.toString(), trailers]).toEqual([
      "hello world",
      { "x-amz-checksum-crc32": "DUoRhQ==" },
    ]);
  });

  it("refuse trailers that are malformed or differ from x-amz-trailer", async () => {
    const data = "b\r\nhello world\r\n0\r\n";
    const cases = [
      `${data}\r\n`,
      `${data}x-amz-checksum-sha1:abc=\r\n\r\n`,
      `${data}x-amz-checksum-crc32:DUoRhQ==\r\nx-amz-checksum-sha1:abc=\r\n\r\n`,
      `${data}x-amz-checksum-crc32 DUoRhQ==\r\n\r\n`,
      `${data}:DUoRhQ==\r\n\r\n`,
      `${data}x-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:${"0".repeat(64)}\r\n\r\n`,
    ];
    for (const body of cases)
      await expectFailure(body, anonymous, headers, "MalformedTrailerError");
    await expectFailure(
      `${data}x-amz-checksum-crc32:DUoRhQ==\r\n\r\n`,
      anonymous,
      new Headers({ "x-amz-decoded-content-length": "11" }),
      "MalformedTrailerError",
    );
  });
});

describe("declared SHA-256 payloads", () => {
  const auth = (expectedHex: string): Anonymous => ({
    anonymous: true,
    payload: { kind: "sha256", expectedHex },
  });

  it("pass bodies that hash as declared, the empty one included", async () => {
    const data = pattern(300 * KiB);
    const { payload } = await decodeEverySlicing(data, auth(sha256(data)), new Headers());
    expect(payload.equals(data)).toBe(true);
    const empty = decodeRequestBody(null, auth(EMPTY_SHA256), new Headers());
    expect((await readAll(empty.stream)).length).toBe(0);
  });

  it("fail with XAmzContentSHA256Mismatch when they do not", async () => {
    await expectFailure(
      "tampered",
      auth(sha256("original")),
      new Headers(),
      "XAmzContentSHA256Mismatch",
    );
    await expectFailure("", auth(sha256("x")), new Headers(), "XAmzContentSHA256Mismatch");
  });
});

describe("the raw body stream", () => {
  /** A body that sends `prefix` and then fails, as when the client disconnects. */
  function disconnecting(prefix: string): ReadableStream<Uint8Array> {
    let sent = false;
    return new ReadableStream({
      async pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode(prefix));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.error(new Error("client disconnected"));
      },
    });
  }

  it("errors the decoded stream with IncompleteBody when the client disconnects mid-body", async () => {
    const modes: [Authenticated | Anonymous, string][] = [
      [{ anonymous: true, payload: { kind: "streaming-unsigned-trailer" } }, "400\r\nabc"],
      [{ anonymous: true, payload: { kind: "sha256", expectedHex: EMPTY_SHA256 } }, "abc"],
      [{ anonymous: true, payload: { kind: "unsigned" } }, "abc"],
    ];
    for (const [auth, prefix] of modes) {
      const decoded = decodeRequestBody(disconnecting(prefix), auth, new Headers());
      await expect(readAll(decoded.stream), auth.payload.kind).rejects.toMatchObject({
        code: "IncompleteBody",
        status: 400,
      });
    }
  });

  it("passes unsigned bodies through untouched", async () => {
    const body = sliced("as is", 2);
    const decoded = decodeRequestBody(
      body,
      { anonymous: true, payload: { kind: "unsigned" } },
      new Headers(),
    );
    expect((await readAll(decoded.stream)).toString()).toBe("as is");
    expect(await decoded.trailers).toEqual({});
  });

  it("cancels the raw body with the decoded stream, and drains it after a failure", async () => {
    let cancelled: unknown = null;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1024).fill(0x61)),
      cancel: (reason) => {
        cancelled = reason;
      },
    });
    const auth: Anonymous = {
      anonymous: true,
      payload: { kind: "sha256", expectedHex: EMPTY_SHA256 },
    };
    const decoded = decodeRequestBody(endless, auth, new Headers());
    const reader = decoded.stream.getReader();
    await reader.read();
    await reader.cancel("stop");
    expect(cancelled).toBe("stop");

    const request = await smithySignedStreaming({
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "x-amz-decoded-content-length": String(256 * KiB),
    });
    const signed = await authenticateRequest(request, lookup, { region: REGION, now: NOW });
    const seed = signed.payload.kind === "streaming-signed" ? signed.payload.seedSignature : "";
    const good = signedChunkedBody(
      seed,
      [1, 2, 3, 4].map((i) => pattern(64 * KiB, i)),
    );
    // The first chunk's signature is wrong: decoding stops after 64 KiB of 256.
    const body = Buffer.concat([
      Buffer.from("10000;chunk-signature=" + "0".repeat(64)),
      good.subarray(86),
    ]);
    let delivered = 0;
    const raw = sliced(body, 4096).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          delivered += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    const failed: DecodedBody = decodeRequestBody(raw, signed, request.headers);
    await expect(readAll(failed.stream)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
    expect(delivered).toBeLessThan(body.length);
    await failed.drain();
    expect(delivered).toBe(body.length);
  });

  it("drains at most a bound, then cancels the raw body", async () => {
    let delivered = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        delivered += 64 * KiB;
        controller.enqueue(new Uint8Array(64 * KiB));
      },
      cancel: () => {
        cancelled = true;
      },
    });
    const decoded = decodeRequestBody(
      endless,
      { anonymous: true, payload: { kind: "unsigned" } },
      new Headers(),
    );
    await decoded.drain(256 * KiB);
    expect(cancelled).toBe(true);
    expect(delivered).toBeLessThan(2 * 1024 * KiB);
  });
});
