/**
 * Floe's own SigV4 signer: it must produce exactly what @smithy/signature-v4
 * produces for the same request, reproduce AWS's published signatures, and
 * round-trip through Floe's verifier.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { decodeRequestBody } from "../../workers/auth/aws-chunked.ts";
import { presignUrl, signRequest } from "../../shared/sigv4/sign.ts";
import { authenticateRequest, type Credential } from "../../workers/auth/sigv4.ts";

const KEY: Credential = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY : null);
const REGION = "us-east-1";
const NOW = new Date("2026-03-01T12:00:00Z");
const AWS_EXAMPLE_TIME = new Date("2013-05-24T00:00:00Z");
const CREDENTIALS = { accessKeyId: KEY.accessKeyId, secretKey: KEY.secretKey };

const smithy = new SignatureV4({
  credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretKey },
  region: REGION,
  service: "s3",
  sha256: Hash.bind(null, "sha256"),
  uriEscapePath: false,
  applyChecksum: false,
});

/** The query of `url` as @smithy/signature-v4 takes it: decoded, repeated names as arrays. */
function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

/** What @smithy/signature-v4 signs for the request signRequest is given. */
async function smithyHeaders(
  method: string,
  url: string,
  headers: Record<string, string>,
  payloadHash: string,
): Promise<Record<string, string>> {
  const parsed = new URL(url);
  const signed = await smithy.sign(
    {
      method,
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : undefined,
      path: parsed.pathname,
      query: queryOf(parsed),
      headers: { ...headers, host: parsed.host, "x-amz-content-sha256": payloadHash },
    },
    { signingDate: NOW },
  );
  return signed.headers;
}

const URLS = [
  "http://127.0.0.1:8787/bucket/simple.txt",
  "http://127.0.0.1:8787/bucket/with%20space/plus%2Bsign%3Dequals~tilde",
  "http://127.0.0.1:8787/bucket/%E2%82%AC%E6%97%A5%E6%9C%AC%F0%9F%98%80",
  "https://s3.example.com/bucket?list-type=2&prefix=a%20b%2F&delimiter=%2F&start-after=",
  "https://s3.example.com/bucket/key?uploads=&b=2&a=2&a=1",
  "https://s3.example.com/bucket/key?versionId=a%2Bb%2Fc%3D&tagging",
];

describe("signRequest", () => {
  it("signs exactly what the AWS SDK's signer signs", async () => {
    const extra = {
      "content-type": "application/json",
      "x-amz-meta-note": "  spaced   value ",
      "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==",
    };
    for (const url of URLS) {
      for (const payloadHash of [
        "UNSIGNED-PAYLOAD",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ]) {
        const ours = await signRequest({
          method: "PUT",
          url,
          headers: extra,
          payloadHash,
          ...CREDENTIALS,
          region: REGION,
          now: NOW,
        });
        const theirs = await smithyHeaders("PUT", url, extra, payloadHash);
        expect(ours.authorization, url).toBe(theirs.authorization);
        expect(ours["x-amz-date"]).toBe("20260301T120000Z");
        expect(ours["x-amz-content-sha256"]).toBe(payloadHash);
      }
    }
  });

  it("reproduces AWS's published GET Object example", async () => {
    const headers = await signRequest({
      method: "GET",
      url: "https://examplebucket.s3.amazonaws.com/test.txt",
      headers: { Range: "bytes=0-9" },
      payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ...CREDENTIALS,
      region: REGION,
      now: AWS_EXAMPLE_TIME,
    });
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });

  it("round-trips through the verifier, body hash included", async () => {
    for (const url of [...URLS, "http://127.0.0.1:8787/bucket/a b/ü'(x)"]) {
      const headers = await signRequest({
        method: "GET",
        url,
        ...CREDENTIALS,
        region: REGION,
        now: NOW,
      });
      await expect(
        authenticateRequest(new Request(url, { headers }), lookup, { region: REGION, now: NOW }),
        url,
      ).resolves.toMatchObject({ anonymous: false, payload: { kind: "unsigned" } });
    }
    const body = JSON.stringify({ hello: "world" });
    const url = "http://127.0.0.1:8787/floe/admin/v1/users";
    const payloadHash = "93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588";
    const headers = await signRequest({
      method: "POST",
      url,
      headers: { "content-type": "application/json", "user-agent": "floe-cli" },
      payloadHash,
      ...CREDENTIALS,
      region: REGION,
      now: NOW,
    });
    expect(headers.authorization).not.toContain("user-agent");
    const request = new Request(url, { method: "POST", headers, body });
    const auth = await authenticateRequest(request, lookup, { region: REGION, now: NOW });
    const decoded = decodeRequestBody(request.body, auth, request.headers);
    expect(await new Response(decoded.stream).text()).toBe(body);
    const other = await signRequest({ method: "GET", url, ...CREDENTIALS, region: "eu-west-1" });
    await expect(
      authenticateRequest(new Request(url, { headers: other }), lookup, { region: REGION }),
    ).rejects.toMatchObject({ code: "AuthorizationHeaderMalformed" });
  });
});

describe("presignUrl", () => {
  it("reproduces AWS's published presigned GET example", async () => {
    const url = await presignUrl({
      method: "GET",
      url: "https://examplebucket.s3.amazonaws.com/test.txt",
      ...CREDENTIALS,
      region: REGION,
      expiresSeconds: 86400,
      now: AWS_EXAMPLE_TIME,
    });
    expect(url).toBe(
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
  });

  it("signs what the AWS SDK's signer presigns, and round-trips through the verifier", async () => {
    for (const url of URLS) {
      const ours = new URL(
        await presignUrl({
          method: "GET",
          url,
          ...CREDENTIALS,
          region: REGION,
          expiresSeconds: 900,
          now: NOW,
        }),
      );
      const parsed = new URL(url);
      const theirs = await smithy.presign(
        {
          method: "GET",
          protocol: parsed.protocol,
          hostname: parsed.hostname,
          port: parsed.port ? Number(parsed.port) : undefined,
          path: parsed.pathname,
          query: queryOf(parsed),
          headers: { host: parsed.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        {
          signingDate: NOW,
          expiresIn: 900,
          unhoistableHeaders: new Set(["x-amz-content-sha256"]),
          unsignableHeaders: new Set(["x-amz-content-sha256"]),
        },
      );
      expect(ours.searchParams.get("X-Amz-Signature"), url).toBe(theirs.query?.["X-Amz-Signature"]);
      const later = new Date(NOW.getTime() + 900_000);
      await expect(
        authenticateRequest(new Request(ours), lookup, { region: REGION, now: later }),
      ).resolves.toMatchObject({ presigned: true });
      await expect(
        authenticateRequest(new Request(ours), lookup, {
          region: REGION,
          now: new Date(later.getTime() + 1000),
        }),
      ).rejects.toMatchObject({ code: "AccessDenied", message: "Request has expired" });
    }
  });

  it("refuses lifetimes S3 would refuse", async () => {
    for (const expiresSeconds of [0, -1, 1.5, 604801]) {
      await expect(
        presignUrl({
          method: "GET",
          url: "http://127.0.0.1:8787/bucket/key",
          ...CREDENTIALS,
          region: REGION,
          expiresSeconds,
        }),
      ).rejects.toThrow(RangeError);
    }
  });
});
