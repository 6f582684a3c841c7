/**
 * `floe admin bucket remote` and `floe replicate` end to end: the real CLI
 * as a child process against two local sites, a → b. Remote targets are
 * added, listed, edited and removed; rules are added (by ARN and by URL),
 * listed, disabled and enabled again (checked by what reaches b), removed,
 * exported and imported; status, resync and diff are read after real
 * replication and after replication that cannot succeed (b's bucket
 * removed).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, remoteUser, REMOTE_USER, versionedBucket } from "./harness/replication.ts";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { Floe, jsonLines, tempDir, writeBytes } from "./cli-helpers.ts";

let a: Site;
let b: Site;
const floe = new Floe();
const work = tempDir();
const ARN_PATTERN = /^arn:floe:replication::[0-9a-f-]{36}:[a-z0-9.-]+$/;

/** The remote URL of bucket `bucket` on b, with the replicator's (or given) credentials. */
function remoteUrl(bucket: string, secret = REMOTE_USER.secretAccessKey): string {
  return `http://${REMOTE_USER.accessKeyId}:${secret}@127.0.0.1:${b.port}/${bucket}`;
}

/** Uploads `size` bytes to `path` with the CLI. */
async function put(path: string, size: number, seed = 1): Promise<void> {
  const file = writeBytes(join(work, `upload-${seed}.bin`), size, seed);
  await floe.ok(["cp", file, path]);
}

async function exists(path: string): Promise<boolean> {
  return (await floe.run(["stat", path])).code === 0;
}

async function replicationStatus(path: string): Promise<unknown> {
  const [record] = await floe.json(["stat", path]);
  return record?.replicationStatus;
}

/** The error a failed `floe --json ARGS` reported, with its exit status. */
async function failure(args: string[]): Promise<{ code: number; error: unknown }> {
  const result = await floe.run(["--json", ...args]);
  expect(result.stdout).toBe("");
  const [line] = jsonLines(result.stderr);
  expect(line?.status).toBe("error");
  return { code: result.code, error: line?.error };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSite(), startSite()]);
  await remoteUser(b);
  await floe.ok(["alias", "set", "a", a.url, ROOT_USER, ROOT_PASSWORD]);
  await floe.ok(["alias", "set", "b", b.url, ROOT_USER, ROOT_PASSWORD]);
  for (const bucket of ["photos", "metrics", "broken"]) {
    await versionedBucket(a, bucket);
    await versionedBucket(b, bucket);
  }
  await versionedBucket(b, "archive");
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe("admin bucket remote", () => {
  let arn: string;

  it("adds a target and prints its ARN; adding it again answers the same target", async () => {
    const added = await floe.ok([
      "admin",
      "bucket",
      "remote",
      "add",
      "a/photos",
      remoteUrl("photos"),
    ]);
    arn = added.stdout.trim();
    expect(arn).toMatch(ARN_PATTERN);
    expect(arn.endsWith(":photos")).toBe(true);

    const [target] = await floe.json([
      "admin",
      "bucket",
      "remote",
      "add",
      "a/photos",
      remoteUrl("photos"),
      "--healthcheck-seconds",
      "30",
    ]);
    expect(target).toMatchObject({
      status: "success",
      type: "remoteTarget",
      arn,
      sourceBucket: "photos",
      endpoint: b.url,
      targetBucket: "photos",
      region: "us-east-1",
      accessKey: REMOTE_USER.accessKeyId,
      sync: false,
      bandwidth: null,
      healthCheckSeconds: 30,
      health: { online: true, downtimeMs: expect.any(Number) },
    });
    expect(JSON.stringify(target)).not.toContain(REMOTE_USER.secretAccessKey);
  });

  it("refuses wrong credentials, a missing remote bucket and bad arguments", async () => {
    const wrong = await floe.run([
      "admin",
      "bucket",
      "remote",
      "add",
      "a/photos",
      remoteUrl("photos", "wrong-secret"),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^floe: RemoteTargetAuthError: /);
    expect(
      await failure(["admin", "bucket", "remote", "add", "a/photos", remoteUrl("nothere")]),
    ).toEqual({ code: 1, error: { code: "RemoteBucketNotFound", message: expect.any(String) } });

    for (const args of [
      ["a/photos", "http://127.0.0.1:1/photos"],
      ["a/photos", remoteUrl("photos"), "--bandwidth", "10K"],
      ["a", remoteUrl("photos")],
    ]) {
      const bad = await floe.run(["admin", "bucket", "remote", "add", ...args]);
      expect(bad.code, args.join(" ")).toBe(2);
      expect(bad.stderr).toMatch(/^floe: InvalidArgument: /);
    }
  });

  it("lists targets as a table and as JSON, never with secrets", async () => {
    const human = await floe.ok(["admin", "bucket", "remote", "ls", "a/photos"]);
    expect(human.stdout).toMatch(/^ARN\s+REMOTE\s+MODE\s+BANDWIDTH\s+HEALTH\s+DOWNTIME$/m);
    expect(human.stdout).toContain(`${arn}  ${b.url}/photos  async  -          online  0s`);
    expect(human.stdout).not.toContain(REMOTE_USER.secretAccessKey);
    const records = await floe.json(["admin", "bucket", "remote", "ls", "a/photos"]);
    expect(records).toEqual([expect.objectContaining({ type: "remoteTarget", arn })]);
  });

  it("edits mode, bandwidth and credentials, checking new credentials first", async () => {
    const edit = ["admin", "bucket", "remote", "edit", "a/photos", "--arn"];
    const [fast] = await floe.json([...edit, arn, "--sync", "--bandwidth", "100M"]);
    expect(fast).toMatchObject({ arn, sync: true, bandwidth: 100_000_000 });
    const listed = await floe.ok(["admin", "bucket", "remote", "ls", "a/photos"]);
    expect(listed.stdout).toMatch(/ sync +95MiB\/s +online/);
    const [back] = await floe.json([...edit, arn, "--async", "--no-bandwidth"]);
    expect(back).toMatchObject({ arn, sync: false, bandwidth: null });

    const wrong = await floe.run([...edit, arn, "--credentials", "replicator:wrong-secret"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^floe: RemoteTargetAuthError: /);
    await floe.ok([...edit, arn, "--credentials", "replicator:replicator-secret"]);

    expect((await floe.run([...edit, arn])).code).toBe(2);
    expect((await floe.run([...edit, arn, "--sync", "--async"])).code).toBe(2);
    const unknown = await failure([...edit, arn.replace(/:photos$/, ":other"), "--sync"]);
    expect(unknown).toMatchObject({ code: 1, error: { code: "NoSuchRemoteTarget" } });
  });
});

describe("replicate rules", () => {
  let arn: string;
  let archiveArn: string;

  beforeAll(async () => {
    const [target] = await floe.json(["admin", "bucket", "remote", "ls", "a/photos"]);
    arn = String(target?.arn);
  });

  it("adds a rule by ARN and one by URL (creating that target), with defaults", async () => {
    const [docs] = await floe.json([
      "replicate",
      "add",
      "a/photos",
      "--remote-bucket",
      arn,
      "--id",
      "docs",
      "--prefix",
      "docs/",
      "--priority",
      "5",
      "--replicate",
      "delete,delete-marker,metadata-sync",
    ]);
    expect(docs).toEqual({
      status: "success",
      type: "rule",
      id: "docs",
      ruleStatus: "Enabled",
      priority: 5,
      prefix: "docs/",
      tags: {},
      destination: arn,
      storageClass: null,
      replicate: ["delete", "delete-marker", "metadata-sync"],
    });

    const byUrl = await floe.ok([
      "replicate",
      "add",
      "a/photos",
      "--remote-bucket",
      remoteUrl("archive"),
      "--tags",
      "team=web&tier=gold",
      "--storage-class",
      "STANDARD",
      "--sync",
      "--disable",
    ]);
    expect(byUrl.stdout).toMatch(
      /^Replication rule [0-9a-f]{20} added to a\/photos \(priority 6, /,
    );
    const targets = await floe.json(["admin", "bucket", "remote", "ls", "a/photos"]);
    const archive = targets.find((t) => t.targetBucket === "archive");
    expect(archive).toMatchObject({ sync: true, endpoint: b.url });
    archiveArn = String(archive?.arn);

    const rules = await floe.json(["replicate", "ls", "a/photos"]);
    expect(rules).toHaveLength(2);
    expect(rules[1]).toMatchObject({
      type: "rule",
      id: expect.stringMatching(/^[0-9a-f]{20}$/),
      ruleStatus: "Disabled",
      priority: 6,
      prefix: "",
      tags: { team: "web", tier: "gold" },
      destination: archiveArn,
      storageClass: "STANDARD",
      replicate: ["delete", "delete-marker", "existing-objects", "metadata-sync"],
    });
  });

  it("lists rules as a table, highest priority first", async () => {
    const { stdout } = await floe.ok(["replicate", "ls", "a/photos"]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+PRIORITY\s+PREFIX\s+TAGS\s+DESTINATION\s+REPLICATES$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^[0-9a-f]{20}\\s+disabled\\s+6\\s+-\\s+team=web&tier=gold\\s+${archiveArn} \\(STANDARD\\)\\s+objects,delete,`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^docs\\s+enabled\\s+5\\s+docs/\\s+-\\s+${arn}\\s+objects,delete,delete-marker,metadata-sync$`,
      ),
    );
  });

  it("refuses duplicates, unknown targets and bad options without changing the rules", async () => {
    const add = ["replicate", "add", "a/photos", "--remote-bucket"];
    expect(await failure([...add, arn, "--id", "docs"])).toMatchObject({
      code: 1,
      error: { code: "InvalidRequest" },
    });
    expect(await failure([...add, arn, "--priority", "5"])).toMatchObject({
      code: 1,
      error: { code: "InvalidRequest" },
    });
    const unknown = arn.replace(/:photos$/, ":elsewhere");
    expect(await failure([...add, unknown])).toMatchObject({
      code: 1,
      error: { code: "InvalidRequest", message: expect.stringContaining(unknown) },
    });
    expect((await floe.run([...add, arn, "--replicate", "everything"])).code).toBe(2);
    expect((await floe.run(["replicate", "add", "a/photos"])).code).toBe(2);
    expect(await floe.json(["replicate", "ls", "a/photos"])).toHaveLength(2);
  });

  it("keeps a target while a rule uses it", async () => {
    const refused = await floe.run(["admin", "bucket", "remote", "rm", "a/photos", "--arn", arn]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^floe: RemoteTargetInUse: /);
  });

  it("replicates under an enabled rule only: disabled, a new object stays; enabled, the next one goes", async () => {
    await put("a/photos/docs/one.bin", 1000, 1);
    await eventually(() => exists("b/photos/docs/one.bin"), 20_000, "docs/one.bin on b");
    await eventually(
      async () => (await replicationStatus("a/photos/docs/one.bin")) === "COMPLETED",
      20_000,
      "COMPLETED on a",
    );

    const [disabled] = await floe.json([
      "replicate",
      "edit",
      "a/photos",
      "--id",
      "docs",
      "--state",
      "disable",
    ]);
    expect(disabled).toMatchObject({ id: "docs", ruleStatus: "Disabled", priority: 5 });
    await put("a/photos/docs/two.bin", 1000, 2);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await exists("b/photos/docs/two.bin")).toBe(false);
    expect(await replicationStatus("a/photos/docs/two.bin")).toBeUndefined();

    const enabled = await floe.ok([
      "replicate",
      "edit",
      "a/photos",
      "--id",
      "docs",
      "--state",
      "enable",
    ]);
    expect(enabled.stdout.trim()).toBe("Replication rule docs updated.");
    await put("a/photos/docs/three.bin", 1000, 3);
    await eventually(() => exists("b/photos/docs/three.bin"), 20_000, "docs/three.bin on b");
    // No existing-object replication in this rule: what was written while disabled stays behind.
    expect(await exists("b/photos/docs/two.bin")).toBe(false);
  });

  it("edits a rule's other fields and refuses unknown rules and states", async () => {
    const [edited] = await floe.json([
      "replicate",
      "edit",
      "a/photos",
      "--id",
      "docs",
      "--priority",
      "9",
      "--prefix",
      "papers/",
      "--tags",
      "k=v",
      "--replicate",
      "delete-marker",
      "--storage-class",
      "reduced_redundancy",
    ]);
    expect(edited).toMatchObject({
      id: "docs",
      ruleStatus: "Enabled",
      priority: 9,
      prefix: "papers/",
      tags: { k: "v" },
      storageClass: "REDUCED_REDUNDANCY",
      replicate: ["delete-marker"],
    });
    expect(
      await failure(["replicate", "edit", "a/photos", "--id", "nope", "--state", "disable"]),
    ).toMatchObject({
      code: 1,
      error: { code: "NoSuchReplicationRule" },
    });
    expect(
      (await floe.run(["replicate", "edit", "a/photos", "--id", "docs", "--state", "off"])).code,
    ).toBe(2);
    expect((await floe.run(["replicate", "edit", "a/photos", "--id", "docs"])).code).toBe(2);
  });

  it("exports the rules, removes them all, and imports them back unchanged", async () => {
    const exported = await floe.ok(["replicate", "export", "a/photos"]);
    const document = JSON.parse(exported.stdout) as { Role: string; Rules: { ID: string }[] };
    expect(document.Rules.map((r) => r.ID)).toContain("docs");
    expect(document.Rules[0]).toHaveProperty("DeleteReplication.Status");
    const [enveloped] = await floe.json(["replicate", "export", "a/photos"]);
    expect(enveloped).toEqual({ status: "success", ...document });
    const before = await floe.json(["replicate", "ls", "a/photos"]);

    expect((await floe.run(["replicate", "rm", "a/photos", "--all"])).code).toBe(2);
    const removed = await floe.json(["replicate", "rm", "a/photos", "--all", "--force"]);
    expect(removed).toEqual(
      before.map((rule) => ({ status: "success", type: "rule", id: rule.id, removed: true })),
    );
    expect(await floe.json(["replicate", "ls", "a/photos"])).toEqual([]);
    expect(await failure(["replicate", "export", "a/photos"])).toMatchObject({
      code: 1,
      error: { code: "ReplicationConfigurationNotFoundError" },
    });

    const [imported] = await floe.json(["replicate", "import", "a/photos"], {
      input: exported.stdout,
    });
    expect(imported).toEqual({
      status: "success",
      type: "replication",
      bucket: "photos",
      path: "a/photos",
      rules: 2,
    });
    expect(await floe.json(["replicate", "ls", "a/photos"])).toEqual(before);
    expect((await floe.ok(["replicate", "export", "a/photos"])).stdout).toBe(exported.stdout);
    const broken = await failure(["replicate", "import", "a/photos"]);
    expect(broken).toMatchObject({ code: 1, error: { code: "MalformedConfiguration" } });
  });

  it("removes one rule by ID, and with the last one the configuration", async () => {
    const [other] = (await floe.json(["replicate", "ls", "a/photos"])).filter(
      (r) => r.id !== "docs",
    );
    const removed = await floe.ok(["replicate", "rm", "a/photos", "--id", "docs"]);
    expect(removed.stdout.trim()).toBe("Removed replication rule(s) docs.");
    expect((await floe.json(["replicate", "ls", "a/photos"])).map((r) => r.id)).toEqual([
      other?.id,
    ]);
    const last = await floe.ok(["replicate", "rm", "a/photos", "--id", String(other?.id)]);
    expect(last.stdout).toContain("a/photos has no replication configuration now");
    expect((await floe.run(["replicate", "export", "a/photos"])).code).toBe(1);

    const [gone] = await floe.json(["admin", "bucket", "remote", "rm", "a/photos", "--arn", arn]);
    expect(gone).toEqual({ status: "success", type: "remoteTarget", arn, removed: true });
    const left = await floe.json(["admin", "bucket", "remote", "ls", "a/photos"]);
    expect(left.map((t) => t.arn)).toEqual([archiveArn]);
  });
});

describe("replicate status and diff", () => {
  it("counts replicated versions and bytes per target, and replicas received on the other side", async () => {
    await floe.ok(["replicate", "add", "a/metrics", "--remote-bucket", remoteUrl("metrics")]);
    const sizes = [1000, 2000, 3000];
    for (const [i, size] of sizes.entries()) await put(`a/metrics/m${i}.bin`, size, 10 + i);
    const total = sizes.reduce((sum, n) => sum + n, 0);

    let status: Record<string, unknown> = {};
    await eventually(
      async () => {
        [status = {}] = await floe.json(["replicate", "status", "a/metrics"]);
        const [target] = status.targets as { replicatedCount: number }[];
        return target?.replicatedCount === sizes.length;
      },
      30_000,
      "three versions replicated",
    );
    expect(status).toMatchObject({
      status: "success",
      type: "replicationStatus",
      bucket: "metrics",
      path: "a/metrics",
      received: { count: 0, bytes: 0 },
    });
    const [target] = status.targets as Record<string, unknown>[];
    expect(target).toMatchObject({
      arn: expect.stringMatching(ARN_PATTERN),
      endpoint: b.url,
      targetBucket: "metrics",
      sync: false,
      bandwidth: null,
      health: { online: true },
      replicatedCount: 3,
      replicatedBytes: total,
      pendingCount: 0,
      pendingBytes: 0,
      failedCount: 0,
      failedBytes: 0,
      failedLastMinute: { count: 0, bytes: 0 },
      failedLastHour: { count: 0, bytes: 0 },
      failedNow: 0,
      lagMs: 0,
      latency: { count: 3, sumMs: expect.any(Number) },
      latencyAvgMs: expect.any(Number),
    });

    const [received] = await floe.json(["replicate", "status", "b/metrics"]);
    expect(received).toMatchObject({ targets: [], received: { count: 3, bytes: total } });
    const human = await floe.ok(["replicate", "status", "a/metrics"]);
    expect(human.stdout).toMatch(/^Replication status of a\/metrics$/m);
    expect(human.stdout).toContain(`→ ${b.url}/metrics`);
    expect(human.stdout).toMatch(/^ {2}async, online, downtime 0s, bandwidth -$/m);
    expect(human.stdout).toMatch(/^ {2}Replicated: +3 version\(s\), 5\.9KiB$/m);
    expect(human.stdout).toMatch(
      /^ {2}Failed: +0 in the last minute, 0 in the last hour, 0 in total \(0B\), 0 failed now$/m,
    );
    expect(human.stdout).toMatch(/^ {2}Latency: +\d+ms average over 3 transfer\(s\)$/m);
    expect(human.stdout).toMatch(/^Received: 0 version\(s\), 0B as replicas from other sites\.$/m);
    expect(await floe.run(["replicate", "diff", "a/metrics"])).toMatchObject({
      code: 0,
      stdout: "",
    });
  });

  it("resyncs a target: versions the remote already holds are skipped", async () => {
    const [rule] = await floe.json(["replicate", "ls", "a/metrics"]);
    const arn = String(rule?.destination);
    const [started] = await floe.json([
      "replicate",
      "resync",
      "start",
      "a/metrics",
      "--remote-bucket",
      arn,
    ]);
    expect(started).toMatchObject({
      status: "success",
      type: "resyncJob",
      target: arn,
      jobId: expect.any(String),
      mode: "resync",
      jobStatus: expect.stringMatching(/^(Pending|Ongoing|Completed)$/),
    });
    const [job] = await floe.json(["replicate", "resync", "status", "a/metrics", "--watch"]);
    expect(job).toMatchObject({
      jobId: started?.jobId,
      jobStatus: "Completed",
      total: 3,
      skippedCount: 3,
      replicatedCount: 0,
      failedCount: 0,
    });
    const human = await floe.ok(["replicate", "resync", "status", "a/metrics"]);
    expect(human.stdout).toMatch(
      new RegExp(`^${arn}\\s+resync\\s+Completed\\s+0 \\(0B\\)\\s+0\\s+3\\s+0\\s`, "m"),
    );
    const canceled = await floe.ok([
      "replicate",
      "resync",
      "cancel",
      "a/metrics",
      "--remote-bucket",
      arn,
    ]);
    expect(canceled.stdout).toMatch(/: Completed\.$/m);
    const unknown = arn.replace(/:metrics$/, ":nowhere");
    expect(
      await failure(["replicate", "resync", "start", "a/metrics", "--remote-bucket", unknown]),
    ).toMatchObject({ code: 1, error: { code: "NoSuchRemoteTarget" } });
  });

  it("lists what is not replicated, and counts failures, when the remote bucket is gone", async () => {
    const [rule] = await floe.json([
      "replicate",
      "add",
      "a/broken",
      "--remote-bucket",
      remoteUrl("broken"),
    ]);
    const arn = String(rule?.destination);
    await floe.ok(["rb", "--force", "b/broken"]);
    await put("a/broken/k1.bin", 700, 21);
    await put("a/broken/k2.bin", 800, 22);

    const entries = await floe.json(["replicate", "diff", "a/broken"]);
    expect(entries.map((e) => e.key)).toEqual(["k1.bin", "k2.bin"]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        status: "success",
        type: "diff",
        versionId: expect.any(String),
        target: arn,
        kind: "object",
        replicationStatus: expect.stringMatching(/^(PENDING|FAILED)$/),
        attempts: expect.any(Number),
      });
    }
    expect(entries.map((e) => e.size)).toEqual([700, 800]);
    expect(await floe.json(["replicate", "diff", "a/broken", "--remote-bucket", arn])).toHaveLength(
      2,
    );
    const other = arn.replace(/:broken$/, ":metrics");
    expect(await floe.json(["replicate", "diff", "a/broken", "--remote-bucket", other])).toEqual(
      [],
    );
    const human = await floe.ok(["replicate", "diff", "a/broken"]);
    expect(human.stdout).toMatch(/^STATUS\s+KEY\s+VERSION\s+KIND\s+SIZE\s+ATTEMPTS\s+TARGET$/m);
    expect(human.stdout).toMatch(/^(PENDING|FAILED)\s+k1\.bin\s+\S+\s+object\s+700B\s+\d+\s+arn:/m);

    let target: Record<string, unknown> = {};
    await eventually(
      async () => {
        const [status] = await floe.json(["replicate", "status", "a/broken"]);
        [target = {}] = (status?.targets ?? []) as Record<string, unknown>[];
        return target.failedNow === 2;
      },
      45_000,
      "both versions FAILED",
    );
    expect(target).toMatchObject({
      replicatedCount: 0,
      pendingCount: 2,
      pendingBytes: 1500,
      failedNow: 2,
      failedLastMinute: { count: expect.any(Number) },
      lagMs: expect.any(Number),
    });
    expect(target.failedCount).toBeGreaterThanOrEqual(2);
    expect(target.lagMs).toBeGreaterThan(0);
  });

  it("reports errors of missing buckets, and usage mistakes, with their exit status", async () => {
    for (const command of ["status", "diff", "ls"]) {
      expect(await failure(["replicate", command, "a/nosuchbucket"])).toMatchObject({
        code: 1,
        error: { code: "NoSuchBucket" },
      });
    }
    expect((await floe.run(["replicate", "status", "a"])).code).toBe(2);
    expect((await floe.run(["replicate", "ls", "a/photos/key"])).code).toBe(2);
    expect((await floe.run(["replicate", "rm", "a/photos"])).code).toBe(2);
  });
});
