/**
 * `floe mirror` end to end: between two Floe sites, from Floe to a non-Floe
 * S3 server (s3rver, run in this process) and back to a local folder, with
 * --overwrite, --remove, --dry-run, age filters, --watch, and a mirror
 * killed mid-way and run again.
 */
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./harness/site.ts";
import { collect, Floe, jsonLines, tempDir, writeBytes } from "./cli-helpers.ts";

interface S3rverServer {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
}) => S3rverServer;

// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;

const MiB = 1024 * 1024;
let siteA: Site;
let siteB: Site;
let s3rver: S3rverServer;
const floe = new Floe();
const work = tempDir();

type Line = Record<string, unknown>;
const summaryOf = (lines: Line[]) => lines.find((line) => line.type === "summary");
const copiesOf = (lines: Line[]) => lines.filter((line) => line.action === "copy");

/** Keys, sizes and ETags under a path, as `ls -r --json` gives them. */
async function listing(path: string): Promise<[unknown, unknown, unknown][]> {
  return (await floe.json(["ls", "-r", path])).map((e) => [e.key, e.size, e.etag]);
}

beforeAll(async () => {
  [siteA, siteB] = await Promise.all([startSite(), startSite()]);
  const port = await freePort();
  s3rver = new S3rver({ port, address: "127.0.0.1", directory: tempDir("s3rver-"), silent: true });
  await s3rver.run();
  await floe.ok(["alias", "set", "a", siteA.url, ROOT_USER, ROOT_PASSWORD]);
  await floe.ok(["alias", "set", "b", siteB.url, ROOT_USER, ROOT_PASSWORD]);
  await floe.ok(["alias", "set", "s3r", `http://127.0.0.1:${port}`, "S3RVER", "S3RVER"]);

  const seed = join(work, "seed");
  mkdirSync(join(seed, "photos"), { recursive: true });
  writeBytes(join(seed, "photos", "x.jpg"), 5000, 1);
  writeBytes(join(seed, "photos", "y.png"), 7000, 2);
  writeBytes(join(seed, "big.bin"), 10 * MiB, 3);
  await floe.ok(["mb", "a/src"]);
  await floe.ok(["cp", "-r", `${seed}/`, "a/src/"]);
  writeFileSync(join(work, "readme.txt"), "version 1\n");
  await floe.ok([
    "cp",
    "--attr",
    "Content-Type=text/x-readme;owner=ana",
    "--tags",
    "team=web",
    join(work, "readme.txt"),
    "a/src/docs/readme.txt",
  ]);
});

afterAll(async () => {
  await s3rver?.close().catch(() => {});
  await Promise.all([siteA?.remove(), siteB?.remove()]);
});

describe("between two Floe sites", () => {
  it("copies everything with content type, metadata and tags; a second run copies nothing", async () => {
    const first = await floe.json(["mirror", "a/src", "b/dst"]);
    expect(copiesOf(first).map((c) => c.target)).toEqual(
      expect.arrayContaining(["b/dst/big.bin", "b/dst/docs/readme.txt", "b/dst/photos/x.jpg"]),
    );
    expect(copiesOf(first)[0]).toEqual({
      status: "success",
      type: "mirror",
      action: "copy",
      reason: "missing",
      source: expect.stringMatching(/^a\/src\//),
      target: expect.stringMatching(/^b\/dst\//),
      size: expect.any(Number),
    });
    expect(summaryOf(first)).toEqual({
      status: "success",
      type: "summary",
      copied: 4,
      removed: 0,
      conflicts: 0,
      failed: 0,
      bytes: 10 * MiB + 5000 + 7000 + 10,
    });
    const [readme] = await floe.json(["stat", "b/dst/docs/readme.txt"]);
    expect(readme).toMatchObject({
      contentType: "text/x-readme",
      metadata: { owner: "ana" },
      tags: { team: "web" },
    });
    const [photo] = await floe.json(["stat", "b/dst/photos/x.jpg"]);
    expect(photo).toMatchObject({ contentType: "image/jpeg" });
    const sizes = (lines: [unknown, unknown, unknown][]) => lines.map(([k, s]) => [k, s]);
    expect(sizes(await listing("b/dst"))).toEqual(sizes(await listing("a/src")));

    const second = await floe.json(["mirror", "a/src", "b/dst"]);
    expect(summaryOf(second)).toMatchObject({ copied: 0, removed: 0, conflicts: 0 });
  });

  it("replaces changed objects only with --overwrite, removes extras with --remove, and --dry-run changes nothing", async () => {
    writeFileSync(join(work, "readme.txt"), "version 2, longer\n");
    await floe.ok(["cp", join(work, "readme.txt"), "a/src/docs/readme.txt"]);
    await floe.ok(["cp", join(work, "readme.txt"), "b/dst/extra.txt"]);

    const refused = await floe.run(["--json", "mirror", "a/src", "b/dst"]);
    expect(refused.code).toBe(1);
    expect(summaryOf(jsonLines(refused.stdout))).toMatchObject({ copied: 0, conflicts: 1 });
    expect(jsonLines(refused.stderr).map((e) => (e.error as Line).code)).toEqual([
      "OverwriteNotAllowed",
      "OverwriteNotAllowed",
    ]);

    const dry = await floe.json([
      "mirror",
      "--overwrite",
      "--remove",
      "--dry-run",
      "a/src",
      "b/dst",
    ]);
    expect(dry).toContainEqual(
      expect.objectContaining({ action: "remove", target: "b/dst/extra.txt", dryRun: true }),
    );
    expect(summaryOf(dry)).toMatchObject({ copied: 1, removed: 1, dryRun: true });
    expect((await floe.ok(["cat", "b/dst/docs/readme.txt"])).stdout).toBe("version 1\n");

    const done = await floe.json(["mirror", "--overwrite", "--remove", "a/src", "b/dst"]);
    expect(copiesOf(done)).toEqual([expect.objectContaining({ reason: "differs" })]);
    expect(summaryOf(done)).toMatchObject({ copied: 1, removed: 1, conflicts: 0 });
    expect((await floe.ok(["cat", "b/dst/docs/readme.txt"])).stdout).toBe("version 2, longer\n");
    expect((await floe.run(["stat", "b/dst/extra.txt"])).code).toBe(1);
  });

  it("filters by age with --older-than and --newer-than", async () => {
    const old = await floe.json(["mirror", "--older-than", "1d", "a/src", "b/aged"]);
    expect(summaryOf(old)).toMatchObject({ copied: 0 });
    const recent = await floe.json(["mirror", "--newer-than", "1h", "a/src/photos", "b/aged"]);
    expect(summaryOf(recent)).toMatchObject({ copied: 2 });
    expect((await floe.json(["ls", "-r", "b/aged"])).map((e) => e.key)).toEqual(["x.jpg", "y.png"]);
  });
});

describe("to and from a non-Floe S3 server", () => {
  it("mirrors Floe to s3rver with metadata and tags, then s3rver to a local folder", async () => {
    await floe.ok(["mb", "s3r/copy"]);
    await floe.ok([
      "cp",
      "--attr",
      "Content-Type=text/x-readme;owner=bo",
      "--tags",
      "team=ops",
      join(work, "readme.txt"),
      "a/src/docs/readme.txt",
    ]);
    const first = await floe.json(["mirror", "a/src", "s3r/copy"]);
    expect(summaryOf(first)).toMatchObject({ copied: 4, failed: 0 });
    const plain = (lines: [unknown, unknown, unknown][]) =>
      lines.filter(([key]) => key !== "big.bin");
    expect(plain(await listing("s3r/copy"))).toEqual(plain(await listing("a/src")));
    const [readme] = await floe.json(["stat", "s3r/copy/docs/readme.txt"]);
    expect(readme).toMatchObject({
      contentType: "text/x-readme",
      metadata: { owner: "bo" },
      tags: { team: "ops" },
    });
    const again = await floe.json(["mirror", "a/src", "s3r/copy"]);
    expect(summaryOf(again)).toMatchObject({ copied: 0 });

    const local = tempDir();
    await floe.ok(["mirror", "s3r/copy", local]);
    expect(
      readFileSync(join(local, "big.bin")).equals(readFileSync(join(work, "seed", "big.bin"))),
    ).toBe(true);
    expect(readFileSync(join(local, "docs", "readme.txt"), "utf8")).toBe("version 2, longer\n");
    const rerun = await floe.json(["mirror", "s3r/copy", local]);
    expect(summaryOf(rerun)).toMatchObject({ copied: 0 });
  });

  it("resumes a mirror that was killed part-way: the next run copies only what is missing", async () => {
    const many = join(work, "many");
    mkdirSync(many);
    for (let i = 0; i < 8; i++) writeBytes(join(many, `part-${i}.bin`), 3 * MiB, 10 + i);
    await floe.ok(["mb", "a/many"]);
    await floe.ok(["cp", "-r", `${many}/`, "a/many/"]);

    const child = floe.spawn(["--json", "mirror", "--concurrency", "1", "a/many", "s3r/many"]);
    child.stdin?.end();
    const finished = collect(child);
    await new Promise<void>((resolve) => {
      let seen = "";
      child.stdout?.on("data", (data: Buffer) => {
        seen += data.toString();
        if (seen.includes('"action":"copy"')) resolve();
      });
    });
    child.kill("SIGKILL");
    await finished;

    const partial = (await floe.json(["ls", "-r", "s3r/many"])).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(8);
    const resumed = await floe.json(["mirror", "a/many", "s3r/many"]);
    expect(summaryOf(resumed)).toMatchObject({ copied: 8 - partial, failed: 0 });
    expect(await listing("s3r/many")).toEqual(await listing("a/many"));
  });
});

describe("local folders", () => {
  it("uploads a folder, sends only files changed since, and downloads with the objects' times", async () => {
    const folder = join(work, "site");
    mkdirSync(join(folder, "css"), { recursive: true });
    writeFileSync(join(folder, "index.html"), "<h1>hi</h1>");
    writeFileSync(join(folder, "css", "main.css"), "h1{}");
    const up = await floe.json(["mirror", folder, "a/www"]);
    expect(summaryOf(up)).toMatchObject({ copied: 2 });
    const [html] = await floe.json(["stat", "a/www/index.html"]);
    expect(html).toMatchObject({ contentType: "text/html" });

    writeFileSync(join(folder, "index.html"), "<h1>bye</h1>");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(folder, "index.html"), later, later);
    const changed = await floe.json(["mirror", "--overwrite", folder, "a/www"]);
    expect(copiesOf(changed).map((c) => c.target)).toEqual(["a/www/index.html"]);

    const down = tempDir();
    await floe.ok(["mirror", "a/www", down]);
    const [remote] = await floe.json(["ls", "a/www/index.html"]);
    expect(statSync(join(down, "index.html")).mtime.toISOString().slice(0, 19)).toBe(
      String(remote.lastModified).slice(0, 19),
    );
    expect(summaryOf(await floe.json(["mirror", "a/www", down]))).toMatchObject({ copied: 0 });
  });

  it("keeps mirroring with --watch until interrupted", async () => {
    await floe.ok(["mb", "a/watch"]);
    const target = tempDir();
    const child = floe.spawn(["mirror", "--watch", "--interval", "1", "a/watch", target]);
    child.stdin?.end();
    const finished = collect(child);
    await sleep(1500);
    await floe.ok(["cp", join(work, "readme.txt"), "a/watch/new/file.txt"]);
    const deadline = Date.now() + 30_000;
    // The folder appears before the file is renamed into it.
    const copied = join(target, "new", "file.txt");
    while (Date.now() < deadline && !existsSync(copied)) await sleep(250);
    expect(readFileSync(copied, "utf8")).toBe("version 2, longer\n");
    child.kill("SIGINT");
    const result = await finished;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("-> `");
  });
});
