/**
 * `floe replicate verify` end to end: the real CLI against two local sites
 * replicating a → b. Once replication has converged, verify prints
 * "equal" and exits 0; after one version is deleted on b directly (b has
 * no rules, so nothing flows back), it exits 1 and names that version as
 * missing on the remote, in its table and in its --json report. A prefix
 * that does not hold the difference still verifies equal.
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Client } from "./harness/clients.ts";
import {
  eventually,
  remoteUser,
  replicate,
  versionedBucket,
  versionList,
} from "./harness/replication.ts";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { Floe, jsonLines } from "./cli-helpers.ts";

const BUCKET = "photos";
let a: Site;
let b: Site;
let sa: S3Client;
let sb: S3Client;
let arn: string;
let removed: { key: string; versionId: string; etag: string };
const floe = new Floe();

async function put(key: string, body: string): Promise<{ versionId: string; etag: string }> {
  const output = await sa.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  // The report carries ETags as stored, without the quotes the S3 header has.
  return { versionId: output.VersionId ?? "", etag: (output.ETag ?? "").replaceAll('"', "") };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  sa = s3Client(a);
  sb = s3Client(b);
  await remoteUser(b);
  await versionedBucket(a, BUCKET);
  await versionedBucket(b, BUCKET);
  arn = await replicate(a, b, BUCKET);
  const first = await put("albums/2024/beach.jpg", "first beach");
  await put("albums/2024/beach.jpg", "second beach");
  await put("albums/2025/snow.jpg", "snow");
  await put("cover.jpg", "cover");
  await sa.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "cover.jpg" }));
  removed = { key: "albums/2024/beach.jpg", ...first };
  await eventually(
    async () =>
      JSON.stringify(await versionList(sa, BUCKET)) ===
      JSON.stringify(await versionList(sb, BUCKET)),
    30_000,
    "b holds a's versions",
  );
  await floe.ok(["alias", "set", "a", a.url, ROOT_USER, ROOT_PASSWORD]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("replicate verify", () => {
  it("prints equal and exits 0 once replication has converged", async () => {
    const human = await floe.run(["replicate", "verify", `a/${BUCKET}`, "--remote-bucket", arn]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^equal: 5 versions of 3 keys compared\n$/);

    const [report] = await floe.json([
      "replicate",
      "verify",
      `a/${BUCKET}`,
      "--remote-bucket",
      arn,
    ]);
    expect(report).toMatchObject({
      status: "success",
      type: "replicationVerify",
      path: `a/${BUCKET}`,
      target: arn,
      equal: true,
      prefix: "",
      differences: [],
      truncated: false,
    });
  });

  it("exits 1 and names a version deleted on the remote as missing-on-remote", async () => {
    await sb.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: removed.key, VersionId: removed.versionId }),
    );
    const args = ["replicate", "verify", `a/${BUCKET}`, "--remote-bucket", arn];

    const json = await floe.run(["--json", ...args]);
    expect(json.code).toBe(1);
    const lines = jsonLines(json.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: "replicationVerify", equal: false, truncated: false });
    expect(lines[0]?.differences).toEqual([
      {
        key: removed.key,
        versionId: removed.versionId,
        problem: "missing-on-remote",
        fields: [],
        here: expect.objectContaining({
          versionId: removed.versionId,
          etag: removed.etag,
          size: 11,
          deleteMarker: false,
        }),
        remote: null,
      },
    ]);
    expect(jsonLines(json.stderr)[0]).toMatchObject({
      status: "error",
      error: { code: "ReplicationMismatch" },
    });

    const human = await floe.run(args);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^PROBLEM\s+KEY\s+VERSION\s+FIELDS\s+HERE\s+REMOTE$/m);
    expect(human.stdout).toMatch(
      new RegExp(
        `^missing-on-remote\\s+${removed.key}\\s+${removed.versionId}\\s+-\\s+11B .+\\s+-$`,
        "m",
      ),
    );
    expect(human.stdout).toMatch(/^different: 1 version\(s\); /m);
    expect(human.stderr).toMatch(/^floe: ReplicationMismatch: /);
  });

  it("verifies only under --prefix, and fails on an unknown target", async () => {
    const scoped = await floe.run([
      "replicate",
      "verify",
      `a/${BUCKET}`,
      "--remote-bucket",
      arn,
      "--prefix",
      "albums/2025/",
    ]);
    expect(scoped.code).toBe(0);
    expect(scoped.stdout).toMatch(/^equal: 1 version of 1 key compared under albums\/2025\/$/m);

    const unknown = await floe.run([
      "replicate",
      "verify",
      `a/${BUCKET}`,
      "--remote-bucket",
      arn.replace(/[0-9a-f]{8}-/, "00000000-"),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^floe: NoSuchRemoteTarget: /);
  });
});
