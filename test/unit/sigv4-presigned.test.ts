/**
 * SigV4 query authentication (presigned URLs) against @smithy/signature-v4's
 * presign and AWS's published example, plus the validity window and every
 * malformed parameter.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { authenticateRequest, type Credential } from "../../workers/auth/sigv4.ts";

const KEY: Credential = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY : null);
const REGION = "us-east-1";
const NOW = new Date("2026-03-01T12:00:00Z");

function signer(region = REGION) {
  return new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretKey },
    region,
    service: "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
  });
}

/** How the AWS SDK encodes path segments and query parts. */
function sdkEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A URL presigned by @smithy/signature-v4 the way the S3 presigner does it:
 * UNSIGNED-PAYLOAD, kept out of the query and the signed headers.
 */
async function smithyPresigned(
  path: string,
  options: {
    method?: string;
    query?: Record<string, string | string[]>;
    expiresIn?: number;
    now?: Date;
    region?: string;
    /** A payload hash to sign instead of UNSIGNED-PAYLOAD; it goes into the query too. */
    payloadHash?: string;
  } = {},
): Promise<string> {
  const query = { ...options.query };
  if (options.payloadHash) query["X-Amz-Content-Sha256"] = options.payloadHash;
  const presigned = await signer(options.region).presign(
    {
      method: options.method ?? "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 8787,
      path,
      query,
      headers: {
        host: "127.0.0.1:8787",
        "x-amz-content-sha256": options.payloadHash ?? "UNSIGNED-PAYLOAD",
      },
    },
    {
      signingDate: options.now ?? NOW,
      expiresIn: options.expiresIn ?? 3600,
      unhoistableHeaders: new Set(["x-amz-content-sha256"]),
      unsignableHeaders: new Set(["x-amz-content-sha256"]),
    },
  );
  const parts: string[] = [];
  for (const [name, value] of Object.entries(presigned.query ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${sdkEncode(name)}=${sdkEncode(v ?? "")}`);
  }
  return `http://127.0.0.1:8787${path}?${parts.join("&")}`;
}

function authenticate(
  url: string,
  options: { now?: Date; method?: string; headers?: HeadersInit } = {},
) {
  return authenticateRequest(
    new Request(url, { method: options.method ?? "GET", headers: options.headers }),
    lookup,
    { region: REGION, now: options.now ?? NOW },
  );
}

/** `url` with one query parameter replaced (null removes it). */
function withParam(url: string, name: string, value: string | null): string {
  const [base, query] = url.split("?");
  const parts = query.split("&").filter((part) => !part.startsWith(`${name}=`));
  if (value !== null) parts.push(`${name}=${sdkEncode(value)}`);
  return `${base}?${parts.join("&")}`;
}

const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe("presigned URLs", () => {
  it("match AWS's published GET example for its whole lifetime", async () => {
    const url =
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    for (const now of ["2013-05-24T00:00:00Z", "2013-05-24T23:59:59Z", "2013-05-25T00:00:00Z"]) {
      await expect(authenticate(url, { now: new Date(now) }), now).resolves.toMatchObject({
        anonymous: false,
        presigned: true,
        accessKeyId: KEY.accessKeyId,
        payload: { kind: "unsigned" },
      });
    }
    await expect(
      authenticate(url, { now: new Date("2013-05-25T00:00:01Z") }),
    ).rejects.toMatchObject({ code: "AccessDenied", message: "Request has expired" });
  });

  it("accept what the AWS SDK's signer presigns, with awkward keys and queries", async () => {
    const cases: [string, Record<string, string | string[]>, string][] = [
      ["/bucket/plain.txt", {}, "GET"],
      [`/bucket/${sdkEncode("with space+plus=eq~tilde")}`, {}, "PUT"],
      [`/bucket/${sdkEncode("ünïcødé 日本 😀")}`, { versionId: "a+b/c=" }, "GET"],
      ["/bucket/key", { uploadId: "x y", partNumber: "2", a: ["2", "1", ""] }, "PUT"],
      ["/bucket", { "list-type": "2", prefix: "", delimiter: "/" }, "GET"],
    ];
    for (const [path, query, method] of cases) {
      const url = await smithyPresigned(path, { query, method });
      await expect(authenticate(url, { method }), path).resolves.toMatchObject({
        presigned: true,
        payload: { kind: "unsigned" },
        decodedContentLength: null,
      });
    }
  });

  it("check a payload SHA-256 given in the query", async () => {
    const hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    const url = await smithyPresigned("/bucket/key", { payloadHash: hash });
    await expect(authenticate(url)).resolves.toMatchObject({
      payload: { kind: "sha256", expectedHex: hash },
    });
  });

  it("expire after X-Amz-Expires seconds and are not valid before X-Amz-Date", async () => {
    const url = await smithyPresigned("/bucket/key", { expiresIn: 60 });
    await expect(authenticate(url, { now: later(60) })).resolves.toBeTruthy();
    await expect(authenticate(url, { now: later(61) })).rejects.toMatchObject({
      code: "AccessDenied",
      status: 403,
      message: "Request has expired",
      detail: { "X-Amz-Expires": "60", Expires: "2026-03-01T12:01:00Z" },
    });
    // Clocks disagree a little: a date up to 15 minutes ahead is accepted.
    await expect(authenticate(url, { now: later(-14 * 60) })).resolves.toBeTruthy();
    await expect(authenticate(url, { now: later(-16 * 60) })).rejects.toMatchObject({
      code: "AccessDenied",
      message: "Request is not yet valid",
    });
    // Unlike header auth, an old (unexpired) URL is not "too skewed".
    const week = await smithyPresigned("/bucket/key", { expiresIn: 604800 });
    await expect(authenticate(week, { now: later(604800) })).resolves.toBeTruthy();
  });

  it("refuse X-Amz-Expires over a week, negative or not a number", async () => {
    const url = await smithyPresigned("/bucket/key");
    const cases: [string, string][] = [
      ["604801", "X-Amz-Expires must be less than a week (in seconds) that is; 604800"],
      ["-1", "X-Amz-Expires must be non-negative"],
      ["soon", "X-Amz-Expires should be a number"],
    ];
    for (const [expires, message] of cases) {
      await expect(
        authenticate(withParam(url, "X-Amz-Expires", expires)),
        expires,
      ).rejects.toMatchObject({ code: "AuthorizationQueryParametersError", status: 400, message });
    }
    await expect(authenticate(withParam(url, "X-Amz-Expires", "0"))).rejects.toMatchObject({
      code: "AccessDenied",
      message: "Request has expired",
    });
  });

  it("sign %2B as a plus and a raw + as a space, so neither stands in for the other", async () => {
    const plus = await smithyPresigned("/bucket", { query: { prefix: "a+b" } });
    expect(plus).toContain("prefix=a%2Bb");
    await expect(authenticate(plus)).resolves.toMatchObject({ presigned: true });
    await expect(authenticate(plus.replace("prefix=a%2Bb", "prefix=a+b"))).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    const space = await smithyPresigned("/bucket", { query: { prefix: "a b" } });
    await expect(authenticate(space.replace("prefix=a%20b", "prefix=a+b"))).resolves.toBeTruthy();
  });

  it("refuse a tampered URL, a wrong secret and an unknown key", async () => {
    const url = await smithyPresigned("/bucket/key", { query: { versionId: "1" } });
    const tampered = [
      url.replace("/bucket/key", "/bucket/other"),
      withParam(url, "versionId", "2"),
      `${url}&extra=1`,
      withParam(url, "X-Amz-Signature", "0".repeat(64)),
      withParam(url, "X-Amz-Signature", "abc"),
    ];
    for (const bad of tampered) {
      await expect(authenticate(bad), bad).rejects.toMatchObject({
        code: "SignatureDoesNotMatch",
        status: 403,
      });
    }
    await expect(authenticate(url, { method: "DELETE" })).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    const wrongSecret = async () => ({ ...KEY, secretKey: "other" });
    await expect(
      authenticateRequest(new Request(url), wrongSecret, { region: REGION, now: NOW }),
    ).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
    await expect(
      authenticateRequest(new Request(url), async () => null, { region: REGION, now: NOW }),
    ).rejects.toMatchObject({ code: "InvalidAccessKeyId" });
  });

  it("refuse missing or malformed parameters", async () => {
    const url = await smithyPresigned("/bucket/key");
    for (const name of [
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders",
      "X-Amz-Signature",
      "X-Amz-Algorithm",
    ]) {
      await expect(authenticate(withParam(url, name, null)), name).rejects.toMatchObject({
        code: "AuthorizationQueryParametersError",
        message: expect.stringContaining("Query-string authentication version 4 requires"),
      });
    }
    const malformed: [string, string, string][] = [
      ["X-Amz-Algorithm", "AWS4-HMAC-SHA1", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'],
      ["X-Amz-Date", "2026-03-01T12:00:00Z", "X-Amz-Date must be in the ISO8601 Long Format"],
      [
        "X-Amz-Credential",
        "AKIAIOSFODNN7EXAMPLE/20260301/us-east-1/s3",
        "the Credential is mal-formed",
      ],
      ["X-Amz-SignedHeaders", "", "Query-string authentication version 4 requires"],
    ];
    for (const [name, value, message] of malformed) {
      await expect(authenticate(withParam(url, name, value)), name).rejects.toMatchObject({
        code: "AuthorizationQueryParametersError",
        message: expect.stringContaining(message),
      });
    }
  });

  it("refuse a credential for another region", async () => {
    const url = await smithyPresigned("/bucket/key", { region: "eu-west-1" });
    await expect(authenticate(url)).rejects.toMatchObject({
      code: "AuthorizationQueryParametersError",
      message:
        "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
    });
  });

  it("refuse x-amz-* headers the URL did not sign", async () => {
    const url = await smithyPresigned("/bucket/key", { method: "PUT" });
    await expect(
      authenticate(url, { method: "PUT", headers: { "x-amz-copy-source": "/other/secret" } }),
    ).rejects.toMatchObject({
      code: "AccessDenied",
      detail: { HeadersNotSigned: "x-amz-copy-source" },
    });
    await expect(
      authenticate(url, { method: "PUT", headers: { "content-type": "text/plain" } }),
    ).resolves.toBeTruthy();
  });
});
