/**
 * docs/replication.md's disaster-recovery procedures, run with the `floe`
 * CLI exactly as the guide writes them, against two real local sites in
 * two-way replication: partial loss (site2 loses a third of its versions
 * while its rules are off) and total loss (site2's whole state destroyed),
 * each ending with `replicate verify` green and byte-identical content.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Client } from "./harness/clients.ts";
import { md5OfStream } from "./harness/data.ts";
import { eventually, versionList } from "./harness/replication.ts";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { Floe } from "./cli-helpers.ts";

let site1: Site;
let site2: Site;
let s1: S3Client;
let s2: S3Client;
const floe = new Floe();

const remote = (site: Site) => `http://replicator:replicator-secret@127.0.0.1:${site.port}/photos`;

/** The ARN of the bucket's (only) remote target. */
async function arnOf(alias: string): Promise<string> {
  const [target] = await floe.json(["admin", "bucket", "remote", "ls", `${alias}/photos`]);
  return String(target.arn);
}

async function ruleIdOf(alias: string): Promise<string> {
  const [rule] = await floe.json(["replicate", "ls", `${alias}/photos`]);
  return String(rule.id);
}

async function setUpSite(alias: string): Promise<void> {
  await floe.ok(["mb", `${alias}/photos`]);
  await floe.ok(["version", "enable", `${alias}/photos`]);
  await floe.ok(["admin", "user", "add", alias, "replicator", "replicator-secret"]);
  await floe.ok([
    "admin",
    "policy",
    "attach",
    alias,
    "ReplicationRemoteUser",
    "--user",
    "replicator",
  ]);
}

async function converged(): Promise<void> {
  await eventually(
    async () =>
      JSON.stringify(await versionList(s1, "photos")) ===
      JSON.stringify(await versionList(s2, "photos")),
    30_000,
    "both sites to hold the same versions",
  );
}

async function sameBytes(): Promise<void> {
  const versions = await versionList(s1, "photos");
  expect(await versionList(s2, "photos")).toEqual(versions);
  for (const v of versions.filter((entry) => !entry.deleteMarker)) {
    const read = async (s3: S3Client) =>
      md5OfStream(
        (
          await s3.send(
            new GetObjectCommand({ Bucket: "photos", Key: v.key, VersionId: v.versionId }),
          )
        ).Body as AsyncIterable<Uint8Array>,
      );
    expect(await read(s2)).toEqual(await read(s1));
  }
}

async function resyncAndVerify(arn: string): Promise<Record<string, unknown>> {
  await floe.ok(["replicate", "resync", "start", "site1/photos", "--remote-bucket", arn]);
  const [job] = await floe.json(["replicate", "resync", "status", "site1/photos", "--watch"]);
  const verified = await floe.run(["replicate", "verify", "site1/photos", "--remote-bucket", arn]);
  expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  expect(verified.stdout).toMatch(/^equal: /m);
  return job;
}

beforeAll(async () => {
  [site1, site2] = await Promise.all([startSite(), startSite()]);
  s1 = s3Client(site1);
  s2 = s3Client(site2);
  await floe.ok(["alias", "set", "site1", site1.url, ROOT_USER, ROOT_PASSWORD]);
  await floe.ok(["alias", "set", "site2", site2.url, ROOT_USER, ROOT_PASSWORD]);
  await setUpSite("site1");
  await setUpSite("site2");
  await floe.ok(["replicate", "add", "site1/photos", "--remote-bucket", remote(site2)]);
  await floe.ok(["replicate", "add", "site2/photos", "--remote-bucket", remote(site1)]);
  for (let i = 0; i < 12; i++) {
    const s3 = i % 3 === 2 ? s2 : s1;
    await s3.send(
      new PutObjectCommand({ Bucket: "photos", Key: `album-${i % 2}/p${i}.jpg`, Body: `one ${i}` }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: "photos", Key: `album-${i % 2}/p${i}.jpg`, Body: `two ${i}` }),
    );
    if (i % 5 === 0)
      await s3.send(new DeleteObjectCommand({ Bucket: "photos", Key: `album-${i % 2}/p${i}.jpg` }));
  }
  await converged();
}, 180_000);

afterAll(async () => {
  await Promise.all([site1?.remove(), site2?.remove()]);
});

describe("disaster recovery with the CLI", () => {
  it("partial loss: resync restores what site2 lost, then both directions replicate again", async () => {
    const arn = await arnOf("site1");
    const rule = await ruleIdOf("site2");
    await floe.ok(["replicate", "edit", "site2/photos", "--id", rule, "--state", "disable"]);
    const all = await versionList(s2, "photos");
    const lost = all.filter((_, i) => i % 3 === 0);
    for (const v of lost)
      await floe.ok(["rm", `site2/photos/${v.key}`, "--version-id", v.versionId]);
    const before = await floe.run(["replicate", "verify", "site1/photos", "--remote-bucket", arn]);
    expect(before.code).toBe(1);

    const job = await resyncAndVerify(arn);
    expect(job).toMatchObject({
      jobStatus: "Completed",
      total: all.length,
      replicatedCount: lost.length,
      failedCount: 0,
    });
    await sameBytes();

    await floe.ok(["replicate", "edit", "site2/photos", "--id", rule, "--state", "enable"]);
    const fromSite2 = await s2.send(
      new PutObjectCommand({ Bucket: "photos", Key: "after/partial.txt", Body: "2" }),
    );
    await eventually(
      async () =>
        (await versionList(s1, "photos")).some((v) => v.versionId === fromSite2.VersionId),
      20_000,
      "site2 → site1 again",
    );
  }, 180_000);

  it("total loss: site2 rebuilt empty is refilled by resync and replicates again with its exported rules", async () => {
    await converged();
    const arn = await arnOf("site1");
    const saved = await floe.ok(["replicate", "export", "site2/photos"]);
    const everything = await versionList(s1, "photos");

    await site2.stop();
    rmSync(site2.state, { recursive: true, force: true });
    await site2.restart();
    await setUpSite("site2");
    expect(await versionList(s2, "photos")).toEqual([]);

    const job = await resyncAndVerify(arn);
    expect(job).toMatchObject({
      jobStatus: "Completed",
      total: everything.length,
      replicatedCount: everything.length,
    });
    await sameBytes();

    await floe.ok(["admin", "bucket", "remote", "add", "site2/photos", remote(site1)]);
    await floe.ok(["replicate", "import", "site2/photos"], { input: saved.stdout });
    const fromSite2 = await s2.send(
      new PutObjectCommand({ Bucket: "photos", Key: "after/total.txt", Body: "2" }),
    );
    await eventually(
      async () =>
        (await versionList(s1, "photos")).some((v) => v.versionId === fromSite2.VersionId),
      20_000,
      "site2 → site1 after the rebuild",
    );
  }, 180_000);
});
