/**
 * `floe admin` end to end against one local site: the layout table, drive
 * fault injection and healing, and the IAM verbs (users, groups, policies,
 * service accounts), checked by using the keys they create.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { Floe, tempDir, writeBytes } from "./cli-helpers.ts";

let site: Site;
const floe = new Floe();
const work = tempDir();

/** Environment giving `name` the credentials `key:secret` on the site. */
function hostEnv(name: string, key: string, secret: string): Record<string, string> {
  return { [`FLOE_HOST_${name}`]: `http://${key}:${secret}@127.0.0.1:${site.port}` };
}

beforeAll(async () => {
  site = await startSite();
  await floe.ok(["alias", "set", "site", site.url, ROOT_USER, ROOT_PASSWORD]);
  await floe.ok(["mb", "site/photos"]);
  await floe.ok(["cp", writeBytes(join(work, "a.bin"), 300_000, 3), "site/photos/2024/a.bin"]);
  await floe.ok(["cp", writeBytes(join(work, "b.bin"), 200_000, 4), "site/photos/2024/b.bin"]);
});

afterAll(async () => {
  await site?.remove();
});

describe("admin info, drives and heal", () => {
  it("shows sets, quorum and drives as a table, and the info document with --json", async () => {
    const human = await floe.ok(["admin", "info", "site"]);
    expect(human.stdout).toMatch(/^Deployment [0-9a-f-]+ \(us-east-1\)$/m);
    expect(human.stdout).toMatch(/8\/8 drives online/);
    expect(human.stdout).toMatch(
      /^SET\s+DATA\s+PARITY\s+READ QUORUM\s+WRITE QUORUM\s+ONLINE\s+STATE$/m,
    );
    expect(human.stdout).toMatch(/^pool-0\/set-0\s+4\s+4\s+4\s+5\s+8\/8\s+ok$/m);
    expect(human.stdout).toMatch(/^pool-0\/set-0\/drive-7\s+online\s+\S+\s+\d+\s+\d+$/m);

    const [info] = await floe.json(["admin", "info", "site"]);
    expect(info).toMatchObject({ status: "success", region: "us-east-1", buckets: 1 });
    const set = (info as { pools: { sets: { drives: unknown[] }[] }[] }).pools[0].sets[0];
    expect(set).toMatchObject({ id: "pool-0/set-0", readQuorum: 4, writeQuorum: 5 });
    expect(set.drives).toHaveLength(8);
  });

  it("takes a drive offline and back online", async () => {
    const [fault] = await floe.json([
      "admin",
      "drive",
      "fault",
      "site",
      "pool-0/set-0/drive-2",
      "offline",
    ]);
    expect(fault).toEqual({
      status: "success",
      drive: "pool-0/set-0/drive-2",
      fault: "offline",
      affected: expect.any(Number),
    });
    const offline = await floe.ok(["admin", "info", "site"]);
    expect(offline.stdout).toMatch(/^pool-0\/set-0\/drive-2\s+offline/m);
    expect(offline.stdout).toMatch(/7\/8 drives online/);
    await floe.ok(["admin", "drive", "fault", "site", "pool-0/set-0/drive-2", "online"]);

    const bad = await floe.run(["admin", "drive", "fault", "site", "pool-0/set-0/drive-2", "melt"]);
    expect(bad.code).toBe(2);
  });

  it("heals corrupt shards: a dry run reports, a heal rebuilds, a second heal finds nothing", async () => {
    await floe.ok([
      "admin",
      "drive",
      "fault",
      "site",
      "pool-0/set-0/drive-1",
      "corrupt",
      "--bucket",
      "photos",
      "--key",
      "2024/a.bin",
    ]);
    const [dry] = await floe.json(["admin", "heal", "--dry-run", "site/photos/2024/a.bin"]);
    expect(dry).toMatchObject({
      type: "heal",
      scope: { bucket: "photos", key: "2024/a.bin", dryRun: true },
      versionsChecked: 1,
      versionsHealed: 1,
    });
    expect(dry.shardsRebuilt).toBeGreaterThan(0);

    const [healed] = await floe.json(["admin", "heal", "-r", "site/photos/2024/"]);
    expect(healed).toMatchObject({ versionsChecked: 2, versionsHealed: 1 });
    expect(healed.healed).toEqual([
      expect.objectContaining({ bucket: "photos", key: "2024/a.bin", versionId: "null" }),
    ]);
    const again = await floe.ok(["admin", "heal", "site"]);
    expect(again.stdout).toMatch(/^Checked 2 version\(s\); healed 0: 0 shard\(s\)/m);

    const missing = await floe.run(["admin", "heal", "site/no-such-bucket"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^floe: NoSuchBucket: /);
  });
});

describe("IAM", () => {
  const policyFile = join(work, "photos-read.json");

  beforeAll(() => {
    writeFileSync(
      policyFile,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:ListBucket"],
            Resource: ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"],
          },
        ],
      }),
    );
  });

  it("adds, lists, disables, enables and removes users", async () => {
    const [added] = await floe.json(["admin", "user", "add", "site", "alice", "alice-secret-1"]);
    expect(added).toMatchObject({
      status: "success",
      type: "user",
      accessKey: "alice",
      userStatus: "enabled",
      policies: [],
      groups: [],
    });
    await floe.ok(["admin", "user", "add", "site", "bob", "bob-secret-12"]);
    const users = await floe.json(["admin", "user", "ls", "site"]);
    expect(users.map((u) => u.accessKey)).toEqual(["alice", "bob"]);
    const table = await floe.ok(["admin", "user", "ls", "site"]);
    expect(table.stdout).toMatch(/^ACCESS KEY\s+STATUS\s+POLICIES\s+GROUPS\nalice\s+enabled/);

    const [disabled] = await floe.json(["admin", "user", "disable", "site", "bob"]);
    expect(disabled).toMatchObject({ accessKey: "bob", userStatus: "disabled" });
    const refused = await floe.run(["ls", "bob"], { env: hostEnv("bob", "bob", "bob-secret-12") });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^floe: InvalidAccessKeyId: /);
    await floe.ok(["admin", "user", "enable", "site", "bob"]);

    const [removed] = await floe.json(["admin", "user", "rm", "site", "bob"]);
    expect(removed).toEqual({ status: "success", type: "user", accessKey: "bob", removed: true });
    const gone = await floe.run(["admin", "user", "info", "site", "bob"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^floe: NoSuchUser: /);
  });

  it("creates a policy, attaches it, and the user can do what it allows and no more", async () => {
    const [created] = await floe.json([
      "admin",
      "policy",
      "create",
      "site",
      "photos-read",
      policyFile,
    ]);
    expect(created).toMatchObject({ type: "policy", name: "photos-read", builtin: false });
    const names = (await floe.json(["admin", "policy", "ls", "site"])).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["photos-read", "readwrite", "readonly"]));

    const [attached] = await floe.json([
      "admin",
      "policy",
      "attach",
      "site",
      "photos-read",
      "--user",
      "alice",
    ]);
    expect(attached).toMatchObject({ action: "attach", user: "alice", attached: ["photos-read"] });
    const [info] = await floe.json(["admin", "policy", "info", "site", "photos-read"]);
    expect(info).toMatchObject({ attachedTo: { users: ["alice"], groups: [] } });

    const env = hostEnv("alice", "alice", "alice-secret-1");
    const listing = await floe.json(["ls", "-r", "alice/photos"], { env });
    expect(listing.map((e) => e.key)).toEqual(["2024/a.bin", "2024/b.bin"]);
    const denied = await floe.run(["cp", policyFile, "alice/photos/p.json"], { env });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^floe: AccessDenied: /);

    const refused = await floe.run(["admin", "policy", "rm", "site", "photos-read"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^floe: PolicyInUse: /);
    await floe.ok(["admin", "policy", "detach", "site", "photos-read", "--user", "alice"]);
    await floe.ok(["admin", "policy", "rm", "site", "photos-read"]);
    const usage = await floe.run(["admin", "policy", "attach", "site", "readonly"]);
    expect(usage.code).toBe(2);
  });

  it("manages groups and their members", async () => {
    await floe.ok(["admin", "user", "add", "site", "carol", "carol-secret-1"]);
    const [group] = await floe.json(["admin", "group", "add", "site", "editors", "alice", "carol"]);
    expect(group).toMatchObject({
      type: "group",
      name: "editors",
      groupStatus: "enabled",
      members: ["alice", "carol"],
    });
    await floe.ok(["admin", "policy", "attach", "site", "readwrite", "--group", "editors"]);
    const [info] = await floe.json(["admin", "group", "info", "site", "editors"]);
    expect(info).toMatchObject({ policies: ["readwrite"] });
    const env = hostEnv("carol", "carol", "carol-secret-1");
    await floe.ok(["cp", policyFile, "carol/photos/by-carol.json"], { env });

    const [disabled] = await floe.json(["admin", "group", "disable", "site", "editors"]);
    expect(disabled).toMatchObject({ groupStatus: "disabled" });
    await floe.ok(["admin", "group", "enable", "site", "editors"]);
    const groups = await floe.json(["admin", "group", "ls", "site"]);
    expect(groups).toEqual([expect.objectContaining({ name: "editors", groupStatus: "enabled" })]);

    const [left] = await floe.json(["admin", "group", "rm", "site", "editors", "alice", "carol"]);
    expect(left).toMatchObject({ members: [] });
    await floe.ok(["admin", "policy", "detach", "site", "readwrite", "--group", "editors"]);
    const [removed] = await floe.json(["admin", "group", "rm", "site", "editors"]);
    expect(removed).toEqual({ status: "success", type: "group", name: "editors", removed: true });
  });

  it("adds, lists, edits and removes service accounts, whose keys work", async () => {
    await floe.ok(["admin", "policy", "attach", "site", "readonly", "--user", "alice"]);
    const [account] = await floe.json([
      "admin",
      "user",
      "svcacct",
      "add",
      "site",
      "alice",
      "--access-key",
      "alice-job",
      "--name",
      "job",
      "--description",
      "nightly",
    ]);
    expect(account).toMatchObject({
      type: "serviceAccount",
      accessKey: "alice-job",
      parent: "alice",
      accountStatus: "enabled",
      name: "job",
      secretKey: expect.any(String),
    });
    const env = hostEnv("job", "alice-job", String(account.secretKey));
    // MinIO's readonly policy grants GetObject but not ListBucket.
    await floe.ok(["stat", "job/photos/2024/b.bin"], { env });

    const listed = await floe.json(["admin", "user", "svcacct", "ls", "site", "alice"]);
    expect(listed.map((a) => a.accessKey)).toEqual(["alice-job"]);
    expect(listed[0]).not.toHaveProperty("secretKey");

    const [edited] = await floe.json([
      "admin",
      "user",
      "svcacct",
      "edit",
      "site",
      "alice-job",
      "--status",
      "disabled",
      "--expiry",
      "2031-01-01T00:00:00Z",
    ]);
    expect(edited).toMatchObject({
      accountStatus: "disabled",
      expiration: "2031-01-01T00:00:00.000Z",
    });
    expect((await floe.run(["stat", "job/photos/2024/b.bin"], { env })).code).toBe(1);
    const [info] = await floe.json(["admin", "user", "svcacct", "info", "site", "alice-job"]);
    expect(info).toMatchObject({ accessKey: "alice-job", description: "nightly" });

    const [removed] = await floe.json(["admin", "user", "svcacct", "rm", "site", "alice-job"]);
    expect(removed).toMatchObject({ accessKey: "alice-job", removed: true });
    expect(await floe.json(["admin", "user", "svcacct", "ls", "site", "alice"])).toEqual([]);
  });

  it("refuses admin verbs to a user without admin rights", async () => {
    const env = hostEnv("alice", "alice", "alice-secret-1");
    const result = await floe.run(["admin", "user", "ls", "alice"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^floe: AccessDenied: /);
  });
});
