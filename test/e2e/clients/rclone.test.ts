/**
 * rclone (Debian's `rclone`) against a local site, configured only through
 * RCLONE_CONFIG_FLOE_* variables: provider Other, endpoint, credentials,
 * region, and a 5 MiB upload cutoff and chunk size so the 20 MiB file goes
 * up in parts (rclone's cutoff is 200 MiB). rclone has no object tags; it
 * lists old versions with --s3-versions as `name-v<time>.ext`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchBytes, randomBytes, runOkBytes, skipWithout, tempDir } from "../harness/commands.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

const RCLONE = "/usr/bin/rclone";
const MiB = 1024 * 1024;
const BUCKET = "rclone";

let site: Site;
let dir: ReturnType<typeof tempDir>;
const small = randomBytes(1000);
const large = randomBytes(20 * MiB);
const file = (name: string) => join(dir.path, name);
const remote = (path: string) => `floe:${BUCKET}/${path}`;

async function rclone(...args: string[]): Promise<string> {
  return (await rcloneBytes(...args)).toString();
}

function rcloneBytes(...args: string[]): Promise<Buffer> {
  // One try each: a failing case fails in seconds rather than after rclone's 3 × 10 retries.
  return runOkBytes(RCLONE, ["--retries", "1", "--low-level-retries", "1", ...args], {
    env: {
      RCLONE_CONFIG: file("rclone.conf"),
      RCLONE_CONFIG_FLOE_TYPE: "s3",
      RCLONE_CONFIG_FLOE_PROVIDER: "Other",
      RCLONE_CONFIG_FLOE_ENDPOINT: site.url,
      RCLONE_CONFIG_FLOE_REGION: REGION,
      RCLONE_CONFIG_FLOE_ACCESS_KEY_ID: ROOT_USER,
      RCLONE_CONFIG_FLOE_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      RCLONE_CONFIG_FLOE_UPLOAD_CUTOFF: "5Mi",
      RCLONE_CONFIG_FLOE_CHUNK_SIZE: "5Mi",
      NO_PROXY: "127.0.0.1,localhost",
    },
    unset: ["AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  });
}

interface Entry {
  Path: string;
  Size: number;
  IsDir: boolean;
}

describe.skipIf(skipWithout("rclone", [RCLONE]))("rclone", () => {
  beforeAll(async () => {
    site = await startSite();
    dir = tempDir("rclone");
    writeFileSync(file("rclone.conf"), "");
    writeFileSync(file("small"), small);
    writeFileSync(file("large"), large);
  });

  afterAll(async () => {
    dir?.remove();
    await site?.remove();
  });

  it("makes a bucket and puts a small and a 20 MiB multipart object", async () => {
    await rclone("mkdir", `floe:${BUCKET}`);
    await rclone("copyto", file("small"), remote("dir/small.bin"));
    await rclone("copyto", file("large"), remote("dir/sub/large.bin"));
    const [entry] = JSON.parse(
      await rclone("lsjson", "--hash", remote("dir/sub/large.bin")),
    ) as Entry[];
    expect(entry.Size).toBe(large.length);
  });

  it("lists with a prefix and a delimiter", async () => {
    const entries = JSON.parse(await rclone("lsjson", remote("dir/"))) as Entry[];
    expect(entries.map((e) => [e.Path, e.IsDir]).sort()).toEqual([
      ["small.bin", false],
      ["sub", true],
    ]);
  });

  it("gets whole objects and a range", async () => {
    await rclone("copyto", remote("dir/sub/large.bin"), file("large.out"));
    expect(readFileSync(file("large.out")).equals(large)).toBe(true);
    await rclone("copyto", remote("dir/small.bin"), file("small.out"));
    expect(readFileSync(file("small.out")).equals(small)).toBe(true);
    const range = await rcloneBytes(
      "cat",
      "--offset",
      "1000",
      "--count",
      "1000",
      remote("dir/sub/large.bin"),
    );
    expect(range.equals(large.subarray(1000, 2000))).toBe(true);
  });

  it("copies an object on the server", async () => {
    await rclone("copyto", remote("dir/small.bin"), remote("copy.bin"));
    await rclone("copyto", remote("copy.bin"), file("copy.out"));
    expect(readFileSync(file("copy.out")).equals(small)).toBe(true);
  });

  it("presigns a GET that node can fetch", async () => {
    const url = (await rclone("link", "--expire", "5m", remote("dir/small.bin"))).trim();
    const got = await fetchBytes(url);
    expect(got.status, `${url}\n${got.body.toString()}`).toBe(200);
    expect(got.body.equals(small)).toBe(true);
  });

  it("deletes one object, then many", async () => {
    await rclone("deletefile", remote("copy.bin"));
    await rclone("delete", remote("dir"));
    const entries = JSON.parse(await rclone("lsjson", "-R", `floe:${BUCKET}`)) as Entry[];
    expect(entries.filter((e) => !e.IsDir)).toEqual([]);
  });

  it("enables versioning, lists versions and gets an old one", async () => {
    await rclone("backend", "versioning", `floe:${BUCKET}`, "Enabled");
    writeFileSync(file("v.txt"), "first");
    await rclone("copyto", file("v.txt"), remote("v.txt"));
    writeFileSync(file("v.txt"), "second!");
    await rclone("copyto", file("v.txt"), remote("v.txt"));
    const entries = JSON.parse(
      await rclone("lsjson", "--s3-versions", `floe:${BUCKET}`),
    ) as Entry[];
    const names = entries.map((e) => e.Path).sort();
    expect(names).toHaveLength(2);
    const old = names.find((name) => name !== "v.txt") ?? "";
    expect(old).toMatch(/^v-v\d{4}-\d{2}-\d{2}-\d{6}-\d{3}\.txt$/);
    expect(await rclone("cat", "--s3-versions", remote(old))).toBe("first");
    expect(await rclone("cat", remote("v.txt"))).toBe("second!");
  });
});
