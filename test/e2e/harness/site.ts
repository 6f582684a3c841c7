/**
 * A real local Floe site for end-to-end tests: `node scripts/start.mjs` in
 * its own process with its own state directory, exactly as `npm start` runs
 * it. Start one per test file (beforeAll) and stop it in afterAll. Under the
 * e2e suite every site runs the Worker bundled once for the run (see
 * bundles.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT_USER = "floeadmin";
export const ROOT_PASSWORD = "floeadmin-secret";
export const REGION = "us-east-1";
/** Names a Worker bundle (`scripts/start.mjs --build-to`) that sites run instead of bundling. */
export const WORKER_BUNDLE_ENV = "FLOE_E2E_WORKER_BUNDLE";

export interface Site {
  url: string;
  port: number;
  state: string;
  process: ChildProcess;
  /** Stops the process (state is kept until `remove`). */
  stop(): Promise<void>;
  /** Starts the process again on the same port and state. */
  restart(): Promise<void>;
  /** Stops and deletes the state directory. */
  remove(): Promise<void>;
  /** Everything the process printed (for failure messages). */
  output(): string;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const repoRoot = resolve(import.meta.dirname, "../../..");

/** Starts a site; `vars` override wrangler vars (e.g. a smaller layout). */
export async function startSite(
  options: { vars?: Record<string, string>; state?: string; config?: string; args?: string[] } = {},
): Promise<Site> {
  let port = await freePort();
  const state = options.state ?? mkdtempSync(join(tmpdir(), "floe-site-"));
  let log = "";
  let child: ChildProcess;

  const launch = () =>
    new Promise<void>((resolveReady, reject) => {
      const args = ["scripts/start.mjs", "--port", String(port), "--state", state, "--no-cron"];
      const bundle = process.env[WORKER_BUNDLE_ENV];
      if (options.config) args.push("--config", options.config);
      else if (bundle) args.push("--bundle", bundle);
      args.push(...(options.args ?? []));
      for (const [name, value] of Object.entries(options.vars ?? {}))
        args.push("--var", `${name}=${value}`);
      child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
      const timer = setTimeout(
        () => reject(new Error(`site did not start in 60 s:\n${log}`)),
        60_000,
      );
      const onData = (data: Buffer) => {
        log += data.toString();
        if (log.includes("Floe listening on")) {
          clearTimeout(timer);
          resolveReady();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (data: Buffer) => (log += data.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`site exited with ${code}:\n${log}`));
      });
    });

  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timeout);
  };

  // A port found free can be taken before the site binds it (workerd, behind the site's front,
  // listens on a random port of its own): the first start tries another port; a restart,
  // which must keep its port, waits and tries the same one again.
  const launchRetrying = async (newPort: boolean) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        return;
      } catch (error) {
        if (attempt >= 3 || !log.includes("EADDRINUSE")) throw error;
        log = "";
        if (newPort) port = await freePort();
        else await new Promise((resolveLater) => setTimeout(resolveLater, 1_000));
      }
    }
  };

  await launchRetrying(true);
  const site: Site = {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    get process() {
      return child;
    },
    stop,
    restart: async () => {
      await stop();
      await launchRetrying(false);
    },
    remove: async () => {
      await stop();
      rmSync(state, { recursive: true, force: true });
    },
    output: () => log,
  };
  return site;
}
