/**
 * SigV2 header and query authentication against AWS's published examples
 * (S3 Developer Guide, "Signing and authenticating REST requests") and
 * signatures computed here with node:crypto over hand-written strings to
 * sign, plus every failure a client or an attacker can provoke.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { conditionKey } from "../../shared/iam/conditions.ts";
import { authenticateRequest, type Credential } from "../../workers/auth/sigv4.ts";
import { requestConditionValues } from "../../workers/iam/condition-values.ts";
import type { Identity } from "../../workers/iam/identity.ts";
import { ACTION_PARAMETERS } from "../../workers/s3/classify.ts";

const KEY: Credential = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const lookup = async (id: string) => (id === KEY.accessKeyId ? KEY : null);
const REGION = "us-east-1";
const ORIGIN = "http://127.0.0.1:8787";
const NOW = new Date("2026-03-01T12:00:00Z");
const HTTP_NOW = "Sun, 01 Mar 2026 12:00:00 GMT";
const EXPIRES = String(NOW.getTime() / 1000 + 3600);

/** base64(HMAC-SHA1(secret, text)), computed independently of Floe's signer. */
function sign(text: string, secret = KEY.secretKey): string {
  return createHmac("sha1", secret).update(text, "utf8").digest("base64");
}

function authorization(text: string): string {
  return `AWS ${KEY.accessKeyId}:${sign(text)}`;
}

function authenticate(request: Request, options: { now?: Date; domain?: string } = {}) {
  return authenticateRequest(request, lookup, {
    region: REGION,
    now: options.now ?? NOW,
    signatureV2: { domain: options.domain ?? "floe.test" },
  });
}

function presignedUrl(path: string, text: string, extra = "", expires = EXPIRES): string {
  const signature = encodeURIComponent(sign(text));
  return `${ORIGIN}${path}?AWSAccessKeyId=${KEY.accessKeyId}&Expires=${expires}&Signature=${signature}${extra}`;
}

describe("AWS's published SigV2 examples", () => {
  const domain = "s3.amazonaws.com";
  const at = (date: string) => ({ now: new Date(date), domain });

  it("authenticates GetObject, PutObject, ListObjects and GetBucketAcl on a virtual host", async () => {
    const cases: {
      method: string;
      url: string;
      headers: Record<string, string>;
      signature: string;
    }[] = [
      {
        method: "GET",
        url: "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg",
        headers: { date: "Tue, 27 Mar 2007 19:36:42 +0000" },
        signature: "bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
      },
      {
        method: "PUT",
        url: "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg",
        headers: {
          date: "Tue, 27 Mar 2007 21:15:45 +0000",
          "content-type": "image/jpeg",
          "content-length": "94328",
        },
        signature: "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
      },
      {
        method: "GET",
        url: "http://johnsmith.s3.amazonaws.com/?prefix=photos&max-keys=50&marker=puppy",
        headers: { date: "Tue, 27 Mar 2007 19:42:41 +0000", "user-agent": "Mozilla/5.0" },
        signature: "htDYFYduRNen8P9ZfE/s9SuKy0U=",
      },
      {
        method: "GET",
        url: "http://johnsmith.s3.amazonaws.com/?acl",
        headers: { date: "Tue, 27 Mar 2007 19:44:46 +0000" },
        signature: "c2WLPFtWHVgbEmeEG93a4cG37dM=",
      },
    ];
    for (const { method, url, headers, signature } of cases) {
      const request = new Request(url, {
        method,
        headers: { ...headers, authorization: `AWS ${KEY.accessKeyId}:${signature}` },
      });
      await expect(authenticate(request, at(headers["date"]))).resolves.toMatchObject({
        anonymous: false,
        accessKeyId: KEY.accessKeyId,
        signatureVersion: "AWS",
        presigned: false,
        payload: { kind: "unsigned" },
      });
    }
  });

  it("authenticates the path-style DeleteObject dated by x-amz-date", async () => {
    const request = new Request("http://s3.amazonaws.com/johnsmith/photos/puppy.jpg", {
      method: "DELETE",
      headers: {
        date: "Tue, 27 Mar 2007 21:20:27 +0000",
        "x-amz-date": "Tue, 27 Mar 2007 21:20:26 +0000",
        authorization: `AWS ${KEY.accessKeyId}:lx3byBScXR6KzyMaifNkardMwNk=`,
      },
    });
    await expect(
      authenticate(request, at("Tue, 27 Mar 2007 21:20:26 +0000")),
    ).resolves.toMatchObject({ anonymous: false });
  });

  it("authenticates the query-string example until it expires", async () => {
    const url =
      "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
    await expect(authenticate(new Request(url), at("2007-03-29T03:40:00Z"))).resolves.toMatchObject(
      { anonymous: false, presigned: true, signatureVersion: "AWS" },
    );
    await expect(authenticate(new Request(url), at("2007-03-29T03:40:21Z"))).rejects.toMatchObject({
      code: "AccessDenied",
      message: "Request has expired",
      detail: { Expires: "2007-03-29T03:40:20Z", ServerTime: "2007-03-29T03:40:21Z" },
    });
  });
});

describe("SigV2 header authentication", () => {
  it("signs the x-amz-* headers lower-cased, sorted, trimmed, with an empty DATE line beside x-amz-date", async () => {
    const text =
      "PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\ntext/plain\n\n" +
      "x-amz-date:" +
      HTTP_NOW +
      "\nx-amz-meta-a:one\nx-amz-meta-b:two  words\n/bucket/key";
    const request = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: {
        "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
        "Content-Type": "text/plain",
        "X-Amz-Meta-B": "  two  words ",
        "x-amz-meta-a": "one",
        "X-Amz-Date": HTTP_NOW,
        authorization: authorization(text),
      },
    });
    await expect(authenticate(request)).resolves.toMatchObject({ anonymous: false });
  });

  it("puts the sub-resources, decoded and sorted, in the resource and leaves other parameters out", async () => {
    const text =
      `GET\n\n\n${HTTP_NOW}\n` +
      '/bucket/key?acl&response-content-disposition=attachment; filename="a b.txt"&versionId=v+1';
    const query =
      "versionId=v%2B1&prefix=ignored&response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&acl";
    const request = new Request(`${ORIGIN}/bucket/key?${query}`, {
      headers: { date: HTTP_NOW, authorization: authorization(text) },
    });
    await expect(authenticate(request)).resolves.toMatchObject({ anonymous: false });
  });

  it("prefixes the bucket of a virtual-hosted request", async () => {
    const text = `GET\n\n\n${HTTP_NOW}\n/photos/cat.jpg`;
    const request = new Request("http://photos.floe.test:8787/cat.jpg", {
      headers: { date: HTTP_NOW, authorization: authorization(text) },
    });
    await expect(authenticate(request)).resolves.toMatchObject({ anonymous: false });
    await expect(authenticate(request, { domain: "" })).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
  });

  it("accepts the path signed as sent or re-encoded", async () => {
    for (const signedPath of ["/bucket/a(1)%20b", "/bucket/a%281%29%20b"]) {
      const request = new Request(`${ORIGIN}/bucket/a(1)%20b`, {
        headers: {
          date: HTTP_NOW,
          authorization: authorization(`GET\n\n\n${HTTP_NOW}\n${signedPath}`),
        },
      });
      await expect(authenticate(request)).resolves.toMatchObject({ anonymous: false });
    }
  });

  it("accepts a path-style bucket alone signed with a trailing slash, as botocore signs it", async () => {
    for (const signedPath of ["/bucket", "/bucket/"]) {
      const request = new Request(`${ORIGIN}/bucket`, {
        method: "PUT",
        headers: {
          date: HTTP_NOW,
          authorization: authorization(`PUT\n\n\n${HTTP_NOW}\n${signedPath}`),
        },
      });
      await expect(authenticate(request)).resolves.toMatchObject({ anonymous: false });
    }
    const object = new Request(`${ORIGIN}/bucket/key`, {
      headers: {
        date: HTTP_NOW,
        authorization: authorization(`GET\n\n\n${HTTP_NOW}\n/bucket/key/`),
      },
    });
    await expect(authenticate(object)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
  });

  it("checks a signed x-amz-content-sha256 and refuses the aws-chunked modes", async () => {
    const digest = "a".repeat(64);
    const text = `PUT\n\n\n${HTTP_NOW}\nx-amz-content-sha256:${digest}\n/bucket/key`;
    const request = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: {
        date: HTTP_NOW,
        "x-amz-content-sha256": digest,
        authorization: authorization(text),
      },
    });
    await expect(authenticate(request)).resolves.toMatchObject({
      payload: { kind: "sha256", expectedHex: digest },
    });
    const chunked = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    const streaming = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: {
        date: HTTP_NOW,
        "x-amz-content-sha256": chunked,
        "x-amz-decoded-content-length": "1",
        authorization: authorization(
          `PUT\n\n\n${HTTP_NOW}\nx-amz-content-sha256:${chunked}\nx-amz-decoded-content-length:1\n/bucket/key`,
        ),
      },
    });
    await expect(authenticate(streaming)).rejects.toMatchObject({ code: "InvalidRequest" });
  });

  it("refuses a tampered path with the string to sign S3 reports", async () => {
    const text = `GET\n\n\n${HTTP_NOW}\n/bucket/key`;
    const request = new Request(`${ORIGIN}/bucket/other`, {
      headers: { date: HTTP_NOW, authorization: authorization(text) },
    });
    const expected = `GET\n\n\n${HTTP_NOW}\n/bucket/other`;
    await expect(authenticate(request)).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
      status: 403,
      detail: {
        AWSAccessKeyId: KEY.accessKeyId,
        StringToSign: expected,
        SignatureProvided: sign(text),
        StringToSignBytes: [...Buffer.from(expected)]
          .map((b) => b.toString(16).padStart(2, "0"))
          .join(" "),
      },
    });
  });

  it("refuses an x-amz-* header added after signing and a wrong secret", async () => {
    const text = `PUT\n\n\n${HTTP_NOW}\n/bucket/key`;
    const added = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: { date: HTTP_NOW, "x-amz-acl": "public-read", authorization: authorization(text) },
    });
    await expect(authenticate(added)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
    const wrong = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: { date: HTTP_NOW, authorization: `AWS ${KEY.accessKeyId}:${sign(text, "nope")}` },
    });
    await expect(authenticate(wrong)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
  });

  it("refuses Floe's x-floe-* headers, which v2 does not sign", async () => {
    const request = new Request(`${ORIGIN}/bucket/key`, {
      method: "PUT",
      headers: {
        date: HTTP_NOW,
        "x-floe-replication-request": "true",
        authorization: authorization(`PUT\n\n\n${HTTP_NOW}\n/bucket/key`),
      },
    });
    await expect(authenticate(request)).rejects.toMatchObject({
      code: "AccessDenied",
      detail: { HeadersNotSigned: "x-floe-replication-request" },
    });
  });

  it("answers malformed headers, unknown keys, missing and skewed dates as S3 does", async () => {
    const text = `GET\n\n\n${HTTP_NOW}\n/bucket/key`;
    const request = (headers: Record<string, string>) =>
      new Request(`${ORIGIN}/bucket/key`, { headers });
    for (const value of ["AWS", "AWS AKIA", "AWS AKIA:", "AWS :sig", "AWS a b:sig"]) {
      await expect(
        authenticate(request({ date: HTTP_NOW, authorization: value })),
      ).rejects.toMatchObject({
        code: "InvalidArgument",
        message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
      });
    }
    await expect(
      authenticate(request({ date: HTTP_NOW, authorization: `AWS UNKNOWN:${sign(text)}` })),
    ).rejects.toMatchObject({ code: "InvalidAccessKeyId", detail: { AWSAccessKeyId: "UNKNOWN" } });
    await expect(
      authenticate(request({ authorization: authorization(text) })),
    ).rejects.toMatchObject({
      code: "AccessDenied",
      message: "AWS authentication requires a valid Date or x-amz-date header",
    });
    await expect(
      authenticate(request({ date: "yesterday", authorization: authorization(text) })),
    ).rejects.toMatchObject({ code: "AccessDenied" });
    const late = new Date(NOW.getTime() + 16 * 60 * 1000);
    await expect(
      authenticate(request({ date: HTTP_NOW, authorization: authorization(text) }), { now: late }),
    ).rejects.toMatchObject({ code: "RequestTimeTooSkewed" });
    const close = new Date(NOW.getTime() + 14 * 60 * 1000);
    await expect(
      authenticate(request({ date: HTTP_NOW, authorization: authorization(text) }), { now: close }),
    ).resolves.toMatchObject({ anonymous: false });
  });

  it("is refused where SigV2 is not accepted (the admin API)", async () => {
    const request = new Request(`${ORIGIN}/bucket/key`, {
      headers: {
        date: HTTP_NOW,
        authorization: authorization(`GET\n\n\n${HTTP_NOW}\n/bucket/key`),
      },
    });
    await expect(
      authenticateRequest(request, lookup, { region: REGION, now: NOW }),
    ).rejects.toMatchObject({ code: "InvalidRequest" });
  });
});

describe("SigV2 query authentication", () => {
  it("authenticates a presigned GET, its signature's '+' sent encoded or not", async () => {
    const text = `GET\n\n\n${EXPIRES}\n/bucket/key`;
    await expect(
      authenticate(new Request(presignedUrl("/bucket/key", text))),
    ).resolves.toMatchObject({
      anonymous: false,
      presigned: true,
      signatureVersion: "AWS",
      payload: { kind: "unsigned" },
    });
    const raw = `${ORIGIN}/bucket/key?AWSAccessKeyId=${KEY.accessKeyId}&Expires=${EXPIRES}&Signature=${sign(text)}`;
    await expect(authenticate(new Request(raw))).resolves.toMatchObject({ anonymous: false });
  });

  it("signs x-amz-* and Content-Type query parameters, a header of the same name taking precedence", async () => {
    const text = `PUT\n\ntext/plain\n${EXPIRES}\nx-amz-acl:private\n/bucket/key`;
    const url = presignedUrl("/bucket/key", text, "&x-amz-acl=private&content-type=text%2Fplain");
    await expect(authenticate(new Request(url, { method: "PUT" }))).resolves.toMatchObject({
      anonymous: false,
    });
    const sameHeader = new Request(url, { method: "PUT", headers: { "x-amz-acl": "private" } });
    await expect(authenticate(sameHeader)).resolves.toMatchObject({ anonymous: false });
    const otherHeader = new Request(url, {
      method: "PUT",
      headers: { "x-amz-acl": "public-read" },
    });
    await expect(authenticate(otherHeader)).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
  });

  it("refuses a tampered path, an added sub-resource and an added x-amz header", async () => {
    const text = `PUT\n\n\n${EXPIRES}\n/bucket/key`;
    const tampered = presignedUrl("/bucket/key", text).replace("/bucket/key", "/bucket/other");
    await expect(authenticate(new Request(tampered, { method: "PUT" }))).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    for (const extra of ["&tagging", "&retention", "&%74agging", "&legal-hold="]) {
      const url = presignedUrl("/bucket/key", text, extra);
      await expect(authenticate(new Request(url, { method: "PUT" }))).rejects.toMatchObject({
        code: "SignatureDoesNotMatch",
      });
    }
    const withHeader = new Request(presignedUrl("/bucket/key", text), {
      method: "PUT",
      headers: { "x-amz-storage-class": "GLACIER" },
    });
    await expect(authenticate(withHeader)).rejects.toMatchObject({
      code: "SignatureDoesNotMatch",
    });
    const floe = new Request(presignedUrl("/bucket/key", text), {
      method: "PUT",
      headers: { "x-floe-source-version-id": "v1" },
    });
    await expect(authenticate(floe)).rejects.toMatchObject({ code: "AccessDenied" });
  });

  it("signs every parameter that selects an action, so none can be appended", async () => {
    const text = `PUT\n\n\n${EXPIRES}\n/bucket/key`;
    expect(ACTION_PARAMETERS.size).toBeGreaterThan(30);
    for (const name of ACTION_PARAMETERS) {
      for (const extra of [`&${name}`, `&${name}=1`]) {
        const url = presignedUrl("/bucket/key", text, extra);
        await expect(authenticate(new Request(url, { method: "PUT" }))).rejects.toMatchObject({
          code: "SignatureDoesNotMatch",
        });
      }
    }
  });

  it("answers missing parameters, bad and past Expires and unknown keys as S3 does", async () => {
    const text = `GET\n\n\n${EXPIRES}\n/bucket/key`;
    const missing =
      "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters";
    for (const query of [
      `AWSAccessKeyId=${KEY.accessKeyId}&Signature=abc`,
      `AWSAccessKeyId=${KEY.accessKeyId}&Expires=${EXPIRES}`,
      `Signature=abc&Expires=${EXPIRES}`,
    ]) {
      await expect(
        authenticate(new Request(`${ORIGIN}/bucket/key?${query}`)),
      ).rejects.toMatchObject({ code: "AccessDenied", message: missing });
    }
    await expect(
      authenticate(new Request(presignedUrl("/bucket/key", text, "", "soon"))),
    ).rejects.toMatchObject({
      code: "AccessDenied",
      message: "Invalid date (should be seconds since epoch): soon",
    });
    const past = String(NOW.getTime() / 1000 - 1);
    await expect(
      authenticate(
        new Request(presignedUrl("/bucket/key", `GET\n\n\n${past}\n/bucket/key`, "", past)),
      ),
    ).rejects.toMatchObject({ code: "AccessDenied", message: "Request has expired" });
    const unknown = presignedUrl("/bucket/key", text).replace(KEY.accessKeyId, "UNKNOWN");
    await expect(authenticate(new Request(unknown))).rejects.toMatchObject({
      code: "InvalidAccessKeyId",
    });
  });

  it("refuses a request that also carries an Authorization header", async () => {
    const text = `GET\n\n\n${EXPIRES}\n/bucket/key`;
    const request = new Request(presignedUrl("/bucket/key", text), {
      headers: {
        date: HTTP_NOW,
        authorization: authorization(`GET\n\n\n${HTTP_NOW}\n/bucket/key`),
      },
    });
    await expect(authenticate(request)).rejects.toMatchObject({ code: "InvalidArgument" });
  });
});

describe("SigV2 condition keys", () => {
  it("reports s3:signatureversion AWS and the auth type", () => {
    const identity: Identity = {
      accessKeyId: KEY.accessKeyId,
      kind: "user",
      isRoot: false,
      rootParent: false,
      user: "alice",
      groups: [],
      policies: [],
      sessionPolicy: null,
    };
    const values = (presigned: boolean) =>
      requestConditionValues({
        request: new Request(`${ORIGIN}/bucket/key`),
        action: "GetObject",
        query: new URLSearchParams(),
        identity,
        presigned,
        signatureVersion: "AWS",
      });
    expect(values(false).get(conditionKey("s3:signatureversion"))).toEqual(["AWS"]);
    expect(values(false).get(conditionKey("s3:authType"))).toEqual(["REST-HEADER"]);
    expect(values(true).get(conditionKey("s3:authType"))).toEqual(["REST-QUERY-STRING"]);
  });
});
