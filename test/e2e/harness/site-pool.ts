/**
 * Vitest global setup for the e2e suite: a pool of sites with the default
 * configuration, booted ahead of need, so a test file's `startSite()` takes
 * one that already listens rather than waiting a second or more for
 * Miniflare and workerd to start (most files start such a site, some two or
 * three).
 *
 * - A pooled site is new and unused: it is handed out once, to one caller,
 *   which owns it from then on exactly as if it had started it (it stops,
 *   restarts and removes it; site.ts). Files stay independent.
 * - The pool keeps POOL_SIZE sites booted, booting one as soon as one is
 *   handed out; a caller with none ready waits for the next.
 * - It runs in vitest's main process and answers `POST /lease` on a
 *   loopback port named by FLOE_E2E_SITE_POOL; each site's output goes to
 *   a file beside its state directory.
 * - At the end of the run it waits for the boots under way, then stops every
 *   site it started that still runs and removes those it never handed out.
 *
 * Runs after bundles.ts (globalSetup order), whose Worker bundle the sites run.
 */
import type { ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, launchSiteRetrying, SITE_POOL_ENV, type PooledSite } from "./site.ts";

/** Sites kept booted: about one for the next file of each worker. */
const POOL_SIZE = 3;

export default async function setup(): Promise<() => Promise<void>> {
  const ready: PooledSite[] = [];
  const waiting: ((site: PooledSite | Error) => void)[] = [];
  const started = new Set<ChildProcess>();
  const booting = new Set<Promise<void>>();
  let closed = false;

  const handOut = (site: PooledSite | Error) => {
    const next = waiting.shift();
    if (next) next(site);
    else if (!(site instanceof Error)) ready.push(site);
  };

  const boot = async (): Promise<PooledSite> => {
    const state = mkdtempSync(join(tmpdir(), "floe-site-"));
    const log = `${state}.log`;
    const { child, port } = await launchSiteRetrying(
      await freePort(),
      state,
      {},
      (text) => appendFileSync(log, text),
      true,
    );
    started.add(child);
    child.once("exit", () => started.delete(child));
    return { port, state, pid: child.pid ?? 0, log };
  };

  const fill = () => {
    while (!closed && ready.length + booting.size < POOL_SIZE + waiting.length) {
      const boots: Promise<void> = boot().then(
        (site) => handOut(site),
        (error: unknown) => handOut(error instanceof Error ? error : new Error(String(error))),
      );
      booting.add(boots);
      void boots.finally(() => booting.delete(boots));
    }
  };

  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/lease") {
      res.writeHead(404).end();
      return;
    }
    const answer = (site: PooledSite | Error) => {
      if (site instanceof Error) res.writeHead(500).end(site.message);
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(site));
    };
    const site = ready.shift();
    if (site) answer(site);
    else waiting.push(answer);
    fill();
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  process.env[SITE_POOL_ENV] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fill();

  return async () => {
    closed = true;
    server.close();
    // A site still booting is stopped with the others once it is up.
    await Promise.all(booting);
    const exits = [...started].map((child) => new Promise((r) => child.once("exit", r)));
    for (const child of started) child.kill("SIGTERM");
    await Promise.all(exits);
    for (const site of ready) rmSync(site.log, { force: true });
    for (const site of ready) rmSync(site.state, { recursive: true, force: true });
  };
}
