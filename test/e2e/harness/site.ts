/**
 * A real local Floe site for end-to-end tests: `node scripts/start.mjs` in
 * its own process with its own state directory, exactly as `npm start` runs
 * it. Start one per test file (beforeAll) and stop it in afterAll. Under the
 * e2e suite every site runs the Worker bundled once for the run (see
 * bundles.ts), and a site with the default configuration comes booted
 * already from the run's pool (see site-pool.ts): it is new, unused and the
 * caller's alone, as if it had just been started here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT_USER = "floeadmin";
export const ROOT_PASSWORD = "floeadmin-secret";
export const REGION = "us-east-1";
/** Names a Worker bundle (`scripts/start.mjs --build-to`) that sites run instead of bundling. */
export const WORKER_BUNDLE_ENV = "FLOE_E2E_WORKER_BUNDLE";
/** The URL of the run's pool of booted default sites (site-pool.ts). */
export const SITE_POOL_ENV = "FLOE_E2E_SITE_POOL";

export interface Site {
  url: string;
  port: number;
  state: string;
  /**
   * The site's process (scripts/start.mjs; workerd runs under it): its pid,
   * and an exitCode that is null while it runs.
   */
  readonly process: Pick<ChildProcess, "pid" | "exitCode">;
  /** Stops the process (state is kept until `remove`). */
  stop(): Promise<void>;
  /** Starts the process again on the same port and state. */
  restart(): Promise<void>;
  /** Stops and deletes the state directory. */
  remove(): Promise<void>;
  /** Everything the process printed (for failure messages). */
  output(): string;
}

/** What starts a site besides its port and state. */
export interface SiteOptions {
  vars?: Record<string, string>;
  state?: string;
  config?: string;
  args?: string[];
}

/** A site the pool booted, as it hands it over. */
export interface PooledSite {
  port: number;
  state: string;
  pid: number;
  /** The file the pool writes the site's output to. */
  log: string;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  // Below the kernel's ephemeral range (32768 and up on Linux): a process binding port 0 (workerd,
  // every client socket) can never take the port between this check and the site's listen.
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port below the ephemeral range");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

const repoRoot = resolve(import.meta.dirname, "../../..");

/**
 * Spawns scripts/start.mjs on `port` with `state` and resolves once it
 * listens; everything it prints goes to `onOutput`. Rejects (with that
 * output) if it exits or has not started within 60 s.
 */
export function launchSite(
  port: number,
  state: string,
  options: SiteOptions,
  onOutput: (text: string) => void,
): Promise<ChildProcess> {
  return new Promise((resolveReady, reject) => {
    const args = ["scripts/start.mjs", "--port", String(port), "--state", state, "--no-cron"];
    const bundle = process.env[WORKER_BUNDLE_ENV];
    if (options.config) args.push("--config", options.config);
    else if (bundle) args.push("--bundle", bundle);
    args.push(...(options.args ?? []));
    for (const [name, value] of Object.entries(options.vars ?? {}))
      args.push("--var", `${name}=${value}`);
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const timer = setTimeout(
      () => reject(new Error(`site did not start in 60 s:\n${log}`)),
      60_000,
    );
    child.stdout?.on("data", (data: Buffer) => {
      log += data.toString();
      onOutput(data.toString());
      if (log.includes("Floe listening on")) {
        clearTimeout(timer);
        resolveReady(child);
      }
    });
    child.stderr?.on("data", (data: Buffer) => {
      log += data.toString();
      onOutput(data.toString());
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`site exited with ${code}:\n${log}`));
    });
  });
}

/**
 * Launches a site, trying again when its port was taken before it bound it
 * (workerd, behind the site's front, listens on a random port of its own):
 * with `newPort`, on another free port; otherwise (a restart, which must
 * keep its port) on the same one a second later.
 */
export async function launchSiteRetrying(
  port: number,
  state: string,
  options: SiteOptions,
  onOutput: (text: string) => void,
  newPort: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { child: await launchSite(port, state, options, onOutput), port };
    } catch (error) {
      if (attempt >= 3 || !String(error).includes("EADDRINUSE")) throw error;
      if (newPort) port = await freePort();
      else await new Promise((resolveLater) => setTimeout(resolveLater, 1_000));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timeout = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timeout);
}

/** The same for a pooled site, the pool's child: the pool reaps it, and then its pid is gone. */
async function stopPooled(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, "SIGTERM");
  const killAt = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > killAt) process.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A booted default site from the run's pool, or null when there is no pool. */
async function leaseFromPool(): Promise<PooledSite | null> {
  const pool = process.env[SITE_POOL_ENV];
  if (!pool) return null;
  const res = await fetch(`${pool}/lease`, { method: "POST" });
  if (!res.ok) throw new Error(`site pool: ${res.status} ${await res.text()}`);
  return res.json<PooledSite>();
}

/** Starts a site; `vars` override wrangler vars (e.g. a smaller layout). */
export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const isDefault = !options.vars && !options.state && !options.config && !options.args;
  const pooled = isDefault ? await leaseFromPool() : null;
  let log = "";
  const onOutput = (text: string) => (log += text);
  let child: ChildProcess | null = null;
  let port: number;
  let state: string;
  if (pooled) {
    ({ port, state } = pooled);
  } else {
    state = options.state ?? mkdtempSync(join(tmpdir(), "floe-site-"));
    ({ child, port } = await launchSiteRetrying(await freePort(), state, options, onOutput, true));
  }
  // The pooled process until it is stopped (its pid may then be another process's).
  let pooledPid = pooled?.pid ?? null;
  const stop = async () => {
    if (child) return stopChild(child);
    if (pooledPid !== null) await stopPooled(pooledPid);
    pooledPid = null;
  };
  const pooledOutput = () =>
    pooled && existsSync(pooled.log) ? readFileSync(pooled.log, "utf8") : "";

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    get process() {
      // A pooled site's process is the pool's child, whose exit code only the pool sees.
      return (
        child ?? {
          pid: pooledPid ?? pooled?.pid,
          exitCode: pooledPid !== null && alive(pooledPid) ? null : -1,
        }
      );
    },
    stop,
    restart: async () => {
      await stop();
      ({ child } = await launchSiteRetrying(port, state, options, onOutput, false));
    },
    remove: async () => {
      await stop();
      rmSync(state, { recursive: true, force: true });
      if (pooled) rmSync(pooled.log, { force: true });
    },
    output: () => pooledOutput() + log,
  };
}
