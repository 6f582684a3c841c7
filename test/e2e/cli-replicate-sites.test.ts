/**
 * `npm run sites -- N` (scripts/sites.mjs) end to end: two sites start on
 * consecutive free ports with their own state folders, answer through
 * the FLOE_HOST_ lines the script prints, log with their names in front,
 * and all stop on SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./harness/site.ts";
import { Floe, tempDir } from "./cli-helpers.ts";

const SCRIPT = resolve(import.meta.dirname, "../../scripts/sites.mjs");
const stateDir = tempDir("floe-sites-");
let child: ChildProcess | undefined;

/** A port whose next one is free too. */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port >= 65535) continue;
    const listener = createServer();
    const free = await new Promise<boolean>((done) => {
      listener.once("error", () => done(false));
      listener.listen(port + 1, "127.0.0.1", () => listener.close(() => done(true)));
    });
    if (free) return port;
  }
}

function exited(sites: ChildProcess): Promise<number | null> {
  return new Promise((done) => sites.once("exit", (code) => done(code)));
}

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(stateDir, { recursive: true, force: true });
});

describe("npm run sites", () => {
  it("starts two sites that answer, prints their aliases, and stops them on SIGTERM", async () => {
    const port = await twoFreePorts();
    const started = spawn(
      process.execPath,
      [SCRIPT, "2", "--base-port", String(port), "--state-dir", stateDir, "--no-cron"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = started;
    let stdout = "";
    started.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
    started.stderr?.on("data", (data: Buffer) => (stdout += data.toString()));
    const done = exited(started);
    await new Promise<void>((ready, failed) => {
      const timer = setTimeout(() => failed(new Error(`sites did not start:\n${stdout}`)), 90_000);
      started.stdout?.on("data", () => {
        if (stdout.includes("floe alias set site2")) {
          clearTimeout(timer);
          ready();
        }
      });
      void done.then((code) => failed(new Error(`sites exited ${code}:\n${stdout}`)));
    });

    expect(stdout).toMatch(
      new RegExp(`^\\[site1\\] Floe listening on http://127.0.0.1:${port} `, "m"),
    );
    expect(stdout).toMatch(
      new RegExp(`^\\[site2\\] Floe listening on http://127.0.0.1:${port + 1} `, "m"),
    );
    const env: Record<string, string> = {};
    for (const [, name, value] of stdout.matchAll(/^ {2}export (FLOE_HOST_site\d)=(\S+)$/gm)) {
      env[name] = value!;
    }
    expect(env).toEqual({
      FLOE_HOST_site1: `http://floeadmin:floeadmin-secret@127.0.0.1:${port}`,
      FLOE_HOST_site2: `http://floeadmin:floeadmin-secret@127.0.0.1:${port + 1}`,
    });
    expect(stdout).toContain(
      `floe alias set site1 http://127.0.0.1:${port} floeadmin floeadmin-secret`,
    );
    expect(existsSync(join(stateDir, "site-1"))).toBe(true);
    expect(existsSync(join(stateDir, "site-2"))).toBe(true);

    const floe = new Floe(env);
    await floe.ok(["mb", "site1/one"]);
    await floe.ok(["mb", "site2/two"]);
    expect((await floe.ok(["ls", "site1"])).stdout).toMatch(/ one\/$/m);
    expect((await floe.ok(["ls", "site2"])).stdout).not.toMatch(/ one\/$/m);

    started.kill("SIGTERM");
    expect(await done).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${port + 1}/`)).rejects.toThrow();
  });
});
