/**
 * The `floe` CLI end to end against one local site: aliases, buckets,
 * objects (cp in every direction, multipart, metadata and tags), listing,
 * stat, cat/head, rm, find/du/tree, versioning, the --json shapes, and how
 * failures exit. Each command runs as a real child process.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Client } from "./harness/clients.ts";
import { ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { FLOE_BIN, Floe, jsonLines, tempDir, writeBytes } from "./cli-helpers.ts";

const MiB = 1024 * 1024;
let site: Site;
let s3: S3Client;
const floe = new Floe();
const work = tempDir();

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await floe.ok(["alias", "set", "site", site.url, ROOT_USER, ROOT_PASSWORD]);
});

afterAll(async () => {
  s3?.destroy();
  await site?.remove();
});

describe("alias", () => {
  it("stores aliases in config.json, readable only by its owner, and never prints secrets", async () => {
    const file = join(floe.configDir, "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(file, "utf8"));
    expect(config.aliases.site).toMatchObject({ url: site.url, accessKey: ROOT_USER });

    const [listed] = await floe.json(["alias", "ls", "site"]);
    expect(listed).toEqual({
      status: "success",
      alias: "site",
      url: site.url,
      accessKey: ROOT_USER,
      region: "us-east-1",
      source: "config",
    });
    const human = await floe.ok(["alias", "ls"]);
    expect(human.stdout).toMatch(/^ALIAS\s+URL/);
    expect(human.stdout).not.toContain(ROOT_PASSWORD);
  });

  it("lets FLOE_HOST_<alias> in the environment win over the file", async () => {
    await floe.ok(["alias", "set", "other", site.url, ROOT_USER, "wrong-secret"]);
    const refused = await floe.run(["ls", "other"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^floe: SignatureDoesNotMatch: /);

    const host = `http://${ROOT_USER}:${ROOT_PASSWORD}@127.0.0.1:${site.port}`;
    const env = { FLOE_HOST_other: host };
    expect((await floe.run(["ls", "other"], { env })).code).toBe(0);
    const [fromEnv] = await floe.json(["alias", "ls", "other"], { env });
    expect(fromEnv).toMatchObject({ alias: "other", source: "env", url: site.url });
  });

  it("removes an alias, and says so when there is none", async () => {
    const [removed] = await floe.json(["alias", "rm", "other"]);
    expect(removed).toEqual({ status: "success", alias: "other" });
    const again = await floe.run(["alias", "rm", "other"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^floe: NoSuchAlias: /);
  });
});

describe("buckets", () => {
  it("makes buckets, refuses an existing one unless -p, and lists them", async () => {
    const [made] = await floe.json(["mb", "site/alpha"]);
    expect(made).toEqual({ status: "success", bucket: "alpha", path: "site/alpha" });
    const again = await floe.run(["mb", "site/alpha"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^floe: BucketAlreadyOwnedByYou: /);
    await floe.ok(["mb", "-p", "site/alpha"]);

    const buckets = await floe.json(["ls", "site"]);
    expect(buckets).toContainEqual({
      status: "success",
      type: "bucket",
      key: "alpha/",
      path: "site/alpha",
      lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("removes an empty bucket; a full one only with --force, versions and all", async () => {
    await floe.ok(["mb", "--with-versioning", "site/full"]);
    const file = writeBytes(join(work, "v.bin"), 100);
    await floe.ok(["cp", file, "site/full/v.bin"]);
    await floe.ok(["cp", file, "site/full/v.bin"]);
    await floe.ok(["rm", "site/full/v.bin"]);

    const refused = await floe.run(["rb", "site/full"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^floe: BucketNotEmpty: /);
    const [removed] = await floe.json(["rb", "--force", "site/full"]);
    expect(removed).toEqual({
      status: "success",
      bucket: "full",
      path: "site/full",
      removedObjects: 3,
    });

    await floe.ok(["mb", "site/empty"]);
    await floe.ok(["rb", "site/empty"]);
    const names = (await floe.json(["ls", "site"])).map((b) => b.key);
    expect(names).not.toContain("full/");
    expect(names).not.toContain("empty/");
  });
});

describe("objects", () => {
  const tree = join(work, "tree");

  beforeAll(async () => {
    mkdirSync(join(tree, "docs", "deep"), { recursive: true });
    writeFileSync(join(tree, "readme.txt"), "line 1\nline 2\nline 3\n");
    writeFileSync(join(tree, "docs", "a.json"), '{"a":1}');
    writeFileSync(join(tree, "docs", "deep", "b.html"), "<p>b</p>");
    await floe.ok(["mb", "site/obj"]);
  });

  it("copies files up, into a folder or to an exact key, and lists them", async () => {
    const [copied] = await floe.json(["cp", join(tree, "readme.txt"), "site/obj/"]);
    expect(copied).toEqual({
      status: "success",
      type: "copy",
      source: join(tree, "readme.txt"),
      target: "site/obj/readme.txt",
      size: 21,
      etag: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    await floe.ok(["cp", join(tree, "readme.txt"), "site/obj/renamed/notes.txt"]);

    const listing = await floe.json(["ls", "site/obj"]);
    expect(listing).toEqual([
      {
        status: "success",
        type: "file",
        key: "readme.txt",
        path: "site/obj/readme.txt",
        size: 21,
        lastModified: expect.any(String),
        etag: copied.etag,
        storageClass: "STANDARD",
      },
      { status: "success", type: "folder", key: "renamed/", path: "site/obj/renamed/" },
    ]);
    const human = await floe.ok(["ls", "site/obj"]);
    expect(human.stdout).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\]\s+21B STANDARD readme\.txt$/m,
    );
    expect(human.stdout).toMatch(/^\s+0B renamed\/$/m);
  });

  it("copies folders with -r: a trailing / copies the contents, none the folder itself", async () => {
    await floe.ok(["cp", "-r", tree, "site/obj/up/"]);
    await floe.ok(["cp", "-r", `${tree}/`, "site/obj/flat/"]);
    const keys = (await floe.json(["ls", "-r", "site/obj/up/"])).map((e) => e.key);
    expect(keys).toEqual(["tree/docs/a.json", "tree/docs/deep/b.html", "tree/readme.txt"]);
    const flat = (await floe.json(["ls", "-r", "site/obj/flat"])).map((e) => e.key);
    expect(flat).toEqual(["docs/a.json", "docs/deep/b.html", "readme.txt"]);

    const down = tempDir();
    await floe.ok(["cp", "-r", "site/obj/flat/", `${down}/`]);
    expect(readFileSync(join(down, "docs", "deep", "b.html"), "utf8")).toBe("<p>b</p>");
    expect(readFileSync(join(down, "readme.txt"), "utf8")).toBe("line 1\nline 2\nline 3\n");
  });

  it("uploads large files in parts and downloads them intact", async () => {
    const big = writeBytes(join(work, "big.bin"), 12 * MiB, 7);
    const [up] = await floe.json(["cp", big, "site/obj/big.bin"]);
    expect(up.etag).toMatch(/-2$/);
    const out = join(tempDir(), "big.bin");
    const [down] = await floe.json(["cp", "site/obj/big.bin", out]);
    expect(down).toMatchObject({ type: "copy", size: 12 * MiB, target: out });
    expect(readFileSync(out).equals(readFileSync(big))).toBe(true);
    const [listed] = await floe.json(["ls", "site/obj/big.bin"]);
    expect(statSync(out).mtime.toISOString().slice(0, 19)).toBe(
      String(listed.lastModified).slice(0, 19),
    );
  });

  it("sets headers, metadata and tags, and keeps them on a copy", async () => {
    await floe.ok([
      "cp",
      "--attr",
      "Content-Type=text/x-readme;Cache-Control=max-age=60;owner=ana",
      "--tags",
      "team=web&tier=gold",
      join(tree, "readme.txt"),
      "site/obj/meta.txt",
    ]);
    await floe.ok(["cp", "site/obj/meta.txt", "site/obj/meta-copy.txt"]);
    for (const key of ["meta.txt", "meta-copy.txt"]) {
      const [info] = await floe.json(["stat", `site/obj/${key}`]);
      expect(info).toMatchObject({
        type: "file",
        key,
        path: `site/obj/${key}`,
        size: 21,
        contentType: "text/x-readme",
        metadata: { owner: "ana" },
        tags: { team: "web", tier: "gold" },
        storageClass: "STANDARD",
      });
    }
    const human = await floe.ok(["stat", "site/obj/meta.txt"]);
    expect(human.stdout).toMatch(/^Content-Type\s*:\s+text\/x-readme$/m);
    expect(human.stdout).toMatch(/^Tag team\s*:\s+web$/m);
  });

  it("shows checksums an object was stored with", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: "obj",
        Key: "sum.txt",
        Body: "abc",
        ChecksumAlgorithm: "CRC32",
      }),
    );
    const [info] = await floe.json(["stat", "site/obj/sum.txt"]);
    expect(info.checksums).toEqual({ CRC32: "NSRBwg==" });
  });

  it("prints objects with cat and their first lines with head", async () => {
    const cat = await floe.ok(["cat", "site/obj/readme.txt"]);
    expect(cat.stdout).toBe("line 1\nline 2\nline 3\n");
    const both = await floe.ok(["cat", "site/obj/readme.txt", "site/obj/renamed/notes.txt"]);
    expect(both.stdout).toBe("line 1\nline 2\nline 3\n".repeat(2));
    const head = await floe.ok(["head", "-n", "2", "site/obj/readme.txt"]);
    expect(head.stdout).toBe("line 1\nline 2\n");
  });

  it("finds objects by name, size and age", async () => {
    const names = async (args: string[]) =>
      (await floe.json(["find", "site/obj/up", ...args])).map((e) => e.path);
    expect(await names(["--name", "*.json"])).toEqual(["site/obj/up/tree/docs/a.json"]);
    expect(await names(["--larger", "10B", "--smaller", "1KiB"])).toEqual([
      "site/obj/up/tree/readme.txt",
    ]);
    expect(await names(["--newer-than", "1h"])).toHaveLength(3);
    expect(await names(["--older-than", "1d"])).toEqual([]);
    const human = await floe.ok(["find", "site/obj", "--name", "b.html"]);
    expect(human.stdout.trim().split("\n")).toEqual([
      "site/obj/flat/docs/deep/b.html",
      "site/obj/up/tree/docs/deep/b.html",
    ]);
  });

  it("sums sizes with du and draws folders with tree", async () => {
    const usage = await floe.json(["du", "--depth", "1", "site/obj/flat"]);
    expect(usage).toEqual([
      { status: "success", type: "du", path: "site/obj/flat/docs", size: 15, objects: 2 },
      { status: "success", type: "du", path: "site/obj/flat", size: 36, objects: 3 },
    ]);
    const drawn = await floe.ok(["tree", "--files", "site/obj/flat"]);
    expect(drawn.stdout).toBe(
      [
        "site/obj/flat",
        "├─ docs",
        "│  ├─ a.json (7B)",
        "│  └─ deep",
        "│     └─ b.html (8B)",
        "└─ readme.txt (21B)",
        "",
      ].join("\n"),
    );
    const nodes = await floe.json(["tree", "site/obj/flat"]);
    expect(nodes).toEqual([
      { status: "success", type: "folder", key: "docs/", path: "site/obj/flat/docs/", depth: 1 },
      {
        status: "success",
        type: "folder",
        key: "docs/deep/",
        path: "site/obj/flat/docs/deep/",
        depth: 2,
      },
    ]);
  });

  it("removes one object, and a prefix only with -r --force", async () => {
    const [removed] = await floe.json(["rm", "site/obj/renamed/notes.txt"]);
    expect(removed).toMatchObject({ type: "remove", key: "renamed/notes.txt" });
    const refused = await floe.run(["rm", "-r", "site/obj/up/"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^floe: InvalidArgument: .*--force/);
    const all = await floe.json(["rm", "-r", "--force", "site/obj/up"]);
    expect(all.map((r) => r.key).sort()).toEqual([
      "up/tree/docs/a.json",
      "up/tree/docs/deep/b.html",
      "up/tree/readme.txt",
    ]);
    expect(await floe.json(["ls", "-r", "site/obj/up/"])).toEqual([]);
  });
});

describe("versioning", () => {
  it("enables, suspends and reports versioning", async () => {
    await floe.ok(["mb", "site/ver"]);
    expect(await floe.json(["version", "info", "site/ver"])).toEqual([
      { status: "success", bucket: "ver", path: "site/ver", versioning: "Unversioned" },
    ]);
    const [enabled] = await floe.json(["version", "enable", "site/ver"]);
    expect(enabled).toMatchObject({ versioning: "Enabled" });
    expect((await floe.ok(["version", "info", "site/ver"])).stdout).toBe(
      "site/ver versioning is enabled\n",
    );
  });

  it("lists, stats, copies and removes versions", async () => {
    const file = join(work, "one.txt");
    writeFileSync(file, "first");
    const [v1] = await floe.json(["cp", file, "site/ver/doc.txt"]);
    writeFileSync(file, "second!");
    const [v2] = await floe.json(["cp", file, "site/ver/doc.txt"]);
    expect(v1.versionId).not.toEqual(v2.versionId);

    const [info] = await floe.json(["stat", "site/ver/doc.txt"]);
    expect(info).toMatchObject({ versionId: v2.versionId, size: 7 });
    const old = await floe.ok(["cat", "--version-id", String(v1.versionId), "site/ver/doc.txt"]);
    expect(old.stdout).toBe("first");

    const [marker] = await floe.json(["rm", "site/ver/doc.txt"]);
    const versions = await floe.json(["ls", "--versions", "site/ver"]);
    expect(versions.map((v) => [v.versionId, v.isLatest, v.isDeleteMarker])).toEqual([
      [marker.versionId, true, true],
      [v2.versionId, false, false],
      [v1.versionId, false, false],
    ]);

    await floe.ok(["rm", "--version-id", String(marker.versionId), "site/ver/doc.txt"]);
    expect((await floe.ok(["cat", "site/ver/doc.txt"])).stdout).toBe("second!");
    const gone = await floe.json(["rm", "--versions", "site/ver/doc.txt"]);
    expect(gone.map((r) => r.versionId).sort()).toEqual([v1.versionId, v2.versionId].sort());
    expect(await floe.json(["ls", "--versions", "site/ver"])).toEqual([]);

    await floe.ok(["version", "suspend", "site/ver"]);
    const [suspended] = await floe.json(["version", "info", "site/ver"]);
    expect(suspended).toMatchObject({ versioning: "Suspended" });
  });
});

describe("behaviour", () => {
  it("exits 1 with one line naming the S3 error code", async () => {
    const missing = await floe.run(["cat", "site/no-such-bucket/key"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(
      /^floe: NoSuchBucket: The specified bucket does not exist\.?\n$/,
    );

    const key = await floe.run(["stat", "site/obj/nothing-here"]);
    expect(key.code).toBe(1);
    expect(key.stderr).toBe("floe: NoSuchKey: Object does not exist: site/obj/nothing-here\n");

    const local = await floe.run(["cp", join(work, "absent.txt"), "site/obj/"]);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/^floe: ENOENT: /);
  });

  it("reports errors as JSON on stderr with --json", async () => {
    const result = await floe.run(["--json", "ls", "site/no-such-bucket"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(jsonLines(result.stderr)).toEqual([
      {
        status: "error",
        error: { code: "NoSuchBucket", message: expect.stringContaining("does not exist") },
      },
    ]);
  });

  it("exits 2 on usage mistakes", async () => {
    for (const args of [["cp", "only-one"], ["no-such-command"], ["ls"], ["mb", "site"]]) {
      const result = await floe.run(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^floe: InvalidArgument: /);
    }
  });

  it("has --help with examples, and no progress bar when not on a terminal", async () => {
    const help = await floe.ok(["mirror", "--help"]);
    expect(help.stdout).toContain("Usage: floe mirror [options] <source> <target>");
    expect(help.stdout).toMatch(/Examples:\n {2}\$ floe mirror /);
    const copy = await floe.ok(["cp", join(work, "tree", "readme.txt"), "site/obj/plain.txt"]);
    expect(copy.stdout).toMatch(/^`.*readme\.txt` -> `site\/obj\/plain\.txt` \(21B\)\n$/);
    expect(copy.stderr).toBe("");
  });
});

describe("the executable", () => {
  it("runs as cli/bin/floe.mjs, its TypeScript loaded by tsx, like the suite's bundle", async () => {
    const itself = await floe.json(["ls", "site"], { bin: FLOE_BIN });
    expect(itself.length).toBeGreaterThan(0);
    expect(itself).toEqual(await floe.json(["ls", "site"]));
    const version = await floe.ok(["--version"], { bin: FLOE_BIN });
    expect(version.stdout).toBe((await floe.ok(["--version"])).stdout);
  });
});
