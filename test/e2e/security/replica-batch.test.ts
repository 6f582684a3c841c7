/**
 * Attacks on replica batches (POST /bucket?floe-replica-batch), against one
 * real local site: every entry must be authorized, validated and stored or
 * refused exactly as the replica PUT it stands for, and a batch that is not
 * header-signed with a signed payload, or that breaks the format, must
 * store nothing.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeReplicaBatch,
  MAX_BATCH_BYTES,
  type ReplicaBatchEntry,
} from "../../../shared/replication/batch.ts";
import { presignUrl, signRequest } from "../../../shared/sigv4/sign.ts";
import { adminOk, s3Client } from "../harness/clients.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ROOT: Credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD };
const REPL: Credentials = { accessKeyId: "batch-replicator", secretAccessKey: "batch-repl-secret" };
const PREFIXED: Credentials = {
  accessKeyId: "batch-prefixed",
  secretAccessKey: "batch-pre-secret",
};
const DENIER: Credentials = { accessKeyId: "batch-denier", secretAccessKey: "batch-deny-secret" };
const BUCKET = "batched";
const VAULT = "batch-vault";
const DAY = 24 * 60 * 60 * 1000;

let site: Site;
let root: S3Client;

const md5 = (data: string) => createHash("md5").update(data).digest("hex");
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** A batch entry for a new version of `key` holding `data`. */
function version(key: string, data: string, extra: Record<string, string> = {}): ReplicaBatchEntry {
  const now = String(Date.now());
  return {
    key,
    headers: {
      "x-floe-source-version-id": randomUUID(),
      "x-floe-source-mtime": now,
      "x-floe-source-etag": md5(data),
      "x-floe-source-metadata-timestamp": now,
      ...extra,
    },
    data: new TextEncoder().encode(data),
  };
}

interface Answer {
  status: number;
  code: string | null;
  results: { status: number; code: string | null }[] | null;
}

/** POSTs a batch body, signed by `as` (payload hash signed unless `payloadHash` says otherwise). */
async function post(
  body: Uint8Array,
  options: {
    as?: Credentials | null;
    bucket?: string;
    headers?: Record<string, string>;
    payloadHash?: string;
    sendBody?: Uint8Array;
  } = {},
): Promise<Answer> {
  const url = `${site.url}/${options.bucket ?? BUCKET}?floe-replica-batch`;
  const as = options.as === undefined ? REPL : options.as;
  const headers = options.headers ?? { "x-floe-replication-request": "true" };
  const signed = as
    ? await signRequest({
        method: "POST",
        url,
        headers,
        payloadHash: options.payloadHash ?? sha256(body),
        accessKeyId: as.accessKeyId,
        secretKey: as.secretAccessKey,
        region: REGION,
      })
    : headers;
  const res = await fetch(url, { method: "POST", headers: signed, body: options.sendBody ?? body });
  const text = await res.text();
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null;
  const results = res.status === 200 ? (JSON.parse(text) as Answer["results"]) : null;
  return {
    status: res.status,
    code,
    results: results && (results as unknown as { results: Answer["results"] }).results,
  };
}

async function versionCount(bucket = BUCKET): Promise<number> {
  const listed = await root.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return (listed.Versions?.length ?? 0) + (listed.DeleteMarkers?.length ?? 0);
}

async function read(key: string, versionId: string, bucket = BUCKET): Promise<string> {
  const object = await root.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return object.Body!.transformToString();
}

beforeAll(async () => {
  site = await startSite();
  root = s3Client(site);
  for (const bucket of [BUCKET]) {
    await root.send(new CreateBucketCommand({ Bucket: bucket }));
    await root.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
  }
  await root.send(new CreateBucketCommand({ Bucket: VAULT, ObjectLockEnabledForBucket: true }));
  await adminOk(site, "PUT", "policies/replicate-allowed-prefix", {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:GetBucketVersioning", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/allowed/*`],
      },
    ],
  });
  await adminOk(site, "PUT", "policies/replicate-deny-put", {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Deny", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/denied/*` },
    ],
  });
  for (const [user, policies] of [
    [REPL, ["ReplicationRemoteUser"]],
    [PREFIXED, ["replicate-allowed-prefix"]],
    [DENIER, ["ReplicationRemoteUser", "replicate-deny-put"]],
  ] as const) {
    await adminOk(site, "POST", "users", {
      accessKey: user.accessKeyId,
      secretKey: user.secretAccessKey,
    });
    await adminOk(site, "POST", "policies/attach", { policies, user: user.accessKeyId });
  }
});

afterAll(async () => {
  root?.destroy();
  await site?.remove();
});

describe("replica batches", () => {
  it("store each entry as its replica PUT would, keeping version id, ETag and metadata", async () => {
    const entries = [
      version("ok/one", "first", { "content-type": "text/plain", "x-amz-meta-colour": "blue" }),
      version("ok/two", ""),
      version("ok/three", "third", { "x-amz-tagging": "a=1" }),
    ];
    const answer = await post(encodeReplicaBatch(entries));
    expect(answer.status).toBe(200);
    expect(answer.results).toEqual(entries.map(() => ({ status: 200, code: null })));
    const versionId = entries[0].headers["x-floe-source-version-id"];
    const object = await root.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "ok/one", VersionId: versionId }),
    );
    expect(await object.Body!.transformToString()).toBe("first");
    expect(object.ETag).toBe(`"${md5("first")}"`);
    expect(object.ContentType).toBe("text/plain");
    expect(object.Metadata).toEqual({ colour: "blue" });
    expect(object.ReplicationStatus).toBe("REPLICA");
    // Sent again (a retry after a lost answer): held already, nothing new stored.
    const before = await versionCount();
    expect((await post(encodeReplicaBatch(entries))).results).toEqual(
      entries.map(() => ({ status: 200, code: null })),
    );
    expect(await versionCount()).toBe(before);
  });

  it("never give an entry what the batch request itself carries", async () => {
    const entry = version("inherit/one", "own");
    const answer = await post(encodeReplicaBatch([entry]), {
      headers: {
        "x-floe-replication-request": "true",
        "x-amz-meta-smuggled": "yes",
        "x-amz-tagging": "smuggled=1",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
      },
    });
    expect(answer.results).toEqual([{ status: 200, code: null }]);
    const object = await root.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: "inherit/one",
        VersionId: entry.headers["x-floe-source-version-id"],
      }),
    );
    expect(object.Metadata).toEqual({});
    expect(object.TagCount ?? 0).toBe(0);
    expect(object.StorageClass ?? "STANDARD").toBe("STANDARD");
  });

  it("authorize every entry on its own key", async () => {
    const entries = [version("allowed/a", "yes"), version("other/b", "no")];
    const answer = await post(encodeReplicaBatch(entries), { as: PREFIXED });
    expect(answer.results).toEqual([
      { status: 200, code: null },
      { status: 403, code: "AccessDenied" },
    ]);
    const other = await root.send(
      new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "other/" }),
    );
    expect(other.Versions ?? []).toHaveLength(0);
  });

  it("refuse an entry whose ordinary action a Deny names", async () => {
    const entries = [version("denied/x", "no"), version("fine/y", "yes")];
    const answer = await post(encodeReplicaBatch(entries), { as: DENIER });
    expect(answer.results).toEqual([
      { status: 403, code: "AccessDenied" },
      { status: 200, code: null },
    ]);
  });

  it("never replace a locked version, nor lock a bucket without object lock", async () => {
    const put = await root.send(
      new PutObjectCommand({
        Bucket: VAULT,
        Key: "kept",
        Body: "original",
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: new Date(Date.now() + DAY),
      }),
    );
    const evil = version("kept", "replaced");
    evil.headers["x-floe-source-version-id"] = put.VersionId!;
    const answer = await post(encodeReplicaBatch([evil]), { bucket: VAULT });
    expect(answer.results).toEqual([{ status: 403, code: "AccessDenied" }]);
    expect(await read("kept", put.VersionId!, VAULT)).toBe("original");
    const locking = version("ok/locked", "x", { "x-amz-object-lock-legal-hold": "ON" });
    expect((await post(encodeReplicaBatch([locking]))).results).toEqual([
      { status: 400, code: "InvalidRequest" },
    ]);
  });

  it("refuse entries with headers a replica does not carry, bad keys or bad protocol headers", async () => {
    const entries = [
      version("h/auth", "a", { authorization: "AWS4-HMAC-SHA256 nope" }),
      version("h/copy", "b", { "x-amz-copy-source": `${BUCKET}/ok/one` }),
      version("h/sse", "c", { "x-amz-server-side-encryption": "AES256" }),
      version("../escape", "d"),
      version("k".repeat(1025), "e"),
      version("h/etag", "f", { "x-floe-source-etag": md5("something else") }),
      version("h/mtime", "g", { "x-floe-source-mtime": "soon" }),
      version("h/good", "h"),
    ];
    const answer = await post(encodeReplicaBatch(entries));
    expect(answer.results).toEqual([
      { status: 400, code: "InvalidArgument" },
      { status: 400, code: "InvalidArgument" },
      { status: 400, code: "InvalidArgument" },
      { status: 400, code: "InvalidURI" },
      { status: 400, code: "KeyTooLongError" },
      { status: 400, code: "BadDigest" },
      { status: 400, code: "InvalidArgument" },
      { status: 200, code: null },
    ]);
    const stored = await root.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "h/" }));
    expect((stored.Versions ?? []).map((v) => v.Key)).toEqual(["h/good"]);
  });

  it("store nothing from a malformed or oversized batch", async () => {
    const before = await versionCount();
    const good = encodeReplicaBatch([version("m/one", "1")]);
    const truncated = good.subarray(0, good.length - 1);
    expect(await post(truncated)).toMatchObject({ status: 400, code: "InvalidRequest" });
    expect(await post(new Uint8Array())).toMatchObject({ status: 400, code: "InvalidRequest" });
    const huge = new Uint8Array(MAX_BATCH_BYTES + 1);
    expect(await post(huge)).toMatchObject({ status: 400, code: "MaxMessageLengthExceeded" });
    expect(await versionCount()).toBe(before);
  });

  it("refuse a batch that is unsigned, anonymous, presigned or whose body was changed", async () => {
    const before = await versionCount();
    const body = encodeReplicaBatch([version("s/one", "1")]);
    expect(await post(body, { payloadHash: "UNSIGNED-PAYLOAD" })).toMatchObject({
      status: 403,
      code: "AccessDenied",
    });
    expect(await post(body, { as: null })).toMatchObject({ status: 403, code: "AccessDenied" });
    expect(await post(body, { headers: {} })).toMatchObject({
      status: 400,
      code: "InvalidRequest",
    });
    const tampered = encodeReplicaBatch([version("s/one", "2")]);
    const changed = await post(body, { sendBody: tampered });
    expect(changed).toMatchObject({ status: 400, code: "XAmzContentSHA256Mismatch" });
    const url = presignUrl({
      method: "POST",
      url: `${site.url}/${BUCKET}?floe-replica-batch`,
      accessKeyId: ROOT.accessKeyId,
      secretKey: ROOT.secretAccessKey,
      region: REGION,
      expiresSeconds: 60,
    });
    const presigned = await fetch(await url, {
      method: "POST",
      headers: { "x-floe-replication-request": "true" },
      body,
    });
    expect(presigned.status).toBe(403);
    await presigned.body?.cancel();
    expect(await versionCount()).toBe(before);
  });
});
