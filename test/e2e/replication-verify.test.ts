/**
 * `replicate verify` sees every replicated field, and `--fix` repairs what
 * the source can: two local sites replicating a → b over an object-lock
 * bucket; differences are made on b only, where nothing flows back (b has
 * no rules): a replica written to b directly with the same version id and
 * ETag but other metadata (before the rule existed, so the real transfer
 * is a no-op there), another body, tags, a longer retention, a legal hold,
 * a deleted version, and a version only b holds. Verify names each version
 * with the fields that differ; `--fix` requeues them, after which only the
 * version b alone holds remains (a source never deletes it), and a version
 * outside every rule for the target is never sent by a fix.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { admin, s3Client } from "./harness/clients.ts";
import {
  addTarget,
  eventually,
  putReplication,
  REMOTE_USER,
  remoteUser,
  versionList,
} from "./harness/replication.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { Floe, jsonLines } from "./cli-helpers.ts";

const BUCKET = "vault";
const DAY = 86_400_000;
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;
let arn: string;
const floe = new Floe();
const ids: Record<string, string> = {};

interface Report {
  equal: boolean;
  differences: { key: string; versionId: string; problem: string; fields: string[] }[];
  fix?: { requeued: number; removedOnRemote: number; notFixed: { key: string }[] };
}

async function verify(fix = false): Promise<Report> {
  const res = await admin<Report>(a, "POST", `buckets/${BUCKET}/replication/verify`, {
    arn,
    fix,
  });
  if (res.status !== 200) throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function put(key: string, extra: Partial<PutObjectCommand["input"]> = {}) {
  const out = await sa.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}`, ...extra }),
  );
  ids[key] = out.VersionId ?? "";
  return out;
}

/** A replica PUT straight to b, as a source would send it, with the remote user's credentials. */
async function replicaToB(key: string, body: string, headers: Record<string, string>) {
  const url = `${b.url}/${BUCKET}/${key}`;
  const signed = await signRequest({
    method: "PUT",
    url,
    headers: { "x-floe-replication-request": "true", ...headers },
    accessKeyId: REMOTE_USER.accessKeyId,
    secretKey: REMOTE_USER.secretAccessKey,
    region: REGION,
  });
  const res = await fetch(url, { method: "PUT", headers: signed, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`replica to b: ${res.status} ${text}`);
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  sa = s3Client(a);
  sb = s3Client(b);
  await remoteUser(b);
  for (const s3 of [sa, sb])
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  arn = await addTarget(a, BUCKET, b);

  const meta = await put("meta.txt", {
    ContentType: "text/plain",
    CacheControl: "max-age=60",
    ContentDisposition: "inline",
    ContentEncoding: "identity",
    ContentLanguage: "en",
    Expires: new Date("2030-01-01T00:00:00Z"),
    Metadata: { color: "blue" },
  });
  for (const key of ["body.txt", "tags.txt", "held.txt", "gone.txt"]) await put(key);
  await put("locked.txt", {
    ObjectLockMode: "GOVERNANCE",
    ObjectLockRetainUntilDate: new Date(Date.now() + DAY),
  });
  // Before any rule: b gets meta.txt's version id and ETag with other metadata.
  const mtime = Date.now() - 60_000;
  await replicaToB("meta.txt", "body of meta.txt", {
    "x-floe-source-version-id": ids["meta.txt"],
    "x-floe-source-mtime": String(mtime),
    "x-floe-source-etag": (meta.ETag ?? "").replaceAll('"', ""),
    "x-floe-source-metadata-timestamp": String(mtime),
    "x-floe-source-checksums": JSON.stringify({
      sha256: "bm90IHRoZSBzYW1lIGNoZWNrc3VtIGF0IGFsbA==",
    }),
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "content-type": "text/html",
    "cache-control": "no-cache",
    "content-disposition": "attachment",
    "content-encoding": "x-floe-test",
    "content-language": "fr",
    expires: new Date("2031-01-01T00:00:00Z").toUTCString(),
    "x-amz-meta-color": "red",
  });
  const res = await putReplication(a, BUCKET, [{ arn, existing: true }]);
  if (res.status !== 200) throw new Error(`put replication: ${res.status} ${res.body}`);
  await eventually(
    async () => (await versionList(sb, BUCKET)).length === Object.keys(ids).length,
    60_000,
    "b holds a's versions",
  );
  await floe.ok(["alias", "set", "a", a.url, ROOT_USER, ROOT_PASSWORD]);
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

const version = (key: string) => ({ Bucket: BUCKET, Key: key, VersionId: ids[key] });

describe("replicate verify compares every replicated field", () => {
  it("names each differing version with the fields that differ", async () => {
    // The existing-object job left meta.txt as b had it: only verify can tell.
    expect(await verify()).toMatchObject({
      equal: false,
      differences: [
        {
          key: "meta.txt",
          problem: "different",
          fields: [
            "mtime",
            "storageClass",
            "contentType",
            "cache-control",
            "content-disposition",
            "content-encoding",
            "content-language",
            "expires",
            "userMetadata",
            "checksums",
          ],
        },
      ],
    });

    await replicaToB("body.txt", "another body", {
      "x-floe-source-version-id": ids["body.txt"],
      "x-floe-source-mtime": String(Date.now()),
      "x-floe-source-etag": "0123456789abcdef0123456789abcdef-2",
    });
    await sb.send(
      new PutObjectTaggingCommand({
        ...version("tags.txt"),
        Tagging: { TagSet: [{ Key: "only", Value: "b" }] },
      }),
    );
    await sb.send(
      new PutObjectRetentionCommand({
        ...version("locked.txt"),
        Retention: { Mode: "GOVERNANCE", RetainUntilDate: new Date(Date.now() + 2 * DAY) },
      }),
    );
    await sb.send(
      new PutObjectLegalHoldCommand({ ...version("held.txt"), LegalHold: { Status: "ON" } }),
    );
    await sb.send(new DeleteObjectCommand(version("gone.txt")));
    const onlyB = await sb.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "only-b.txt", Body: "b alone" }),
    );
    ids["only-b.txt"] = onlyB.VersionId ?? "";

    const report = await verify();
    expect(report.equal).toBe(false);
    const byKey = Object.fromEntries(report.differences.map((d) => [d.key, d]));
    expect(Object.keys(byKey).sort()).toEqual([
      "body.txt",
      "gone.txt",
      "held.txt",
      "locked.txt",
      "meta.txt",
      "only-b.txt",
      "tags.txt",
    ]);
    expect(byKey["body.txt"]?.fields).toEqual(expect.arrayContaining(["mtime", "etag", "size"]));
    expect(byKey["tags.txt"]).toMatchObject({ problem: "different", fields: ["tags"] });
    expect(byKey["locked.txt"]).toMatchObject({ problem: "different", fields: ["retention"] });
    expect(byKey["held.txt"]).toMatchObject({ problem: "different", fields: ["legalHold"] });
    expect(byKey["gone.txt"]).toMatchObject({
      problem: "missing-on-remote",
      versionId: ids["gone.txt"],
    });
    expect(byKey["only-b.txt"]).toMatchObject({ problem: "missing-here" });
  });

  it("--fix requeues what differs, never weakens the remote's lock, and leaves the remote's own version", async () => {
    const fix = () =>
      floe.run(["--json", "replicate", "verify", `a/${BUCKET}`, "--remote-bucket", arn, "--fix"]);
    const fixed = await fix();
    expect(fixed.code).toBe(1);
    expect(jsonLines(fixed.stdout)[0]).toMatchObject({
      type: "replicationVerify",
      equal: false,
      fix: {
        requeued: 4,
        removedOnRemote: 2,
        notFixed: [
          { key: "held.txt", reason: expect.stringMatching(/lock is stronger.*\(legalHold\)/) },
          { key: "locked.txt", reason: expect.stringMatching(/lock is stronger.*\(retention\)/) },
          { key: "only-b.txt" },
        ],
      },
    });
    await eventually(
      async () => (await verify()).differences.length === 3,
      60_000,
      "the fixed versions to arrive",
    );
    expect((await verify()).differences).toMatchObject([
      { key: "held.txt", fields: ["legalHold"] },
      { key: "locked.txt", fields: ["retention"] },
      { key: "only-b.txt", problem: "missing-here" },
    ]);

    // The remote's operator releases its hold and shortens its retention; then --fix can repair.
    await sb.send(
      new PutObjectLegalHoldCommand({ ...version("held.txt"), LegalHold: { Status: "OFF" } }),
    );
    await sb.send(
      new PutObjectRetentionCommand({
        ...version("locked.txt"),
        Retention: { Mode: "GOVERNANCE", RetainUntilDate: new Date(Date.now() + DAY / 24) },
        BypassGovernanceRetention: true,
      }),
    );
    const again = await fix();
    expect(jsonLines(again.stdout)[0]).toMatchObject({
      fix: { requeued: 1, removedOnRemote: 0, notFixed: [{ key: "only-b.txt" }] },
    });
    await eventually(
      async () => (await verify()).differences.length === 1,
      60_000,
      "the retention to arrive",
    );

    await sb.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "only-b.txt", VersionId: ids["only-b.txt"] }),
    );
    const human = await floe.run(["replicate", "verify", `a/${BUCKET}`, "--remote-bucket", arn]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe("equal: 6 versions of 6 keys compared\n");
  });

  it("--fix leaves alone a version no rule for the target covers", async () => {
    const res = await putReplication(a, BUCKET, [{ arn, prefix: "in/" }]);
    expect(res.status).toBe(200);
    await put("out/local.txt");
    const report = await verify(true);
    expect(report.differences).toMatchObject([
      { key: "out/local.txt", problem: "missing-on-remote" },
    ]);
    expect(report.fix).toEqual({
      requeued: 0,
      removedOnRemote: 0,
      notFixed: [
        {
          key: "out/local.txt",
          versionId: ids["out/local.txt"],
          reason: "no enabled rule for the target covers it",
        },
      ],
    });
  });
});
