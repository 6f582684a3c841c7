#!/usr/bin/env node
// Runs the bench baseline (bench/baseline/worker.ts) as scripts/start.mjs
// runs a Floe site: bundled with scripts/build-worker.mjs, served by
// Miniflare in this process's own workerd, one SQLite-backed Durable Object
// class persisted under --state, the same compatibility date and flags as
// Floe's wrangler.toml. Prints "Baseline listening on <url>" when ready and
// stops on SIGINT / SIGTERM.
//
//   node bench/baseline/run.mjs --port 8799 --state /tmp/baseline
import { Miniflare } from "miniflare";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import wrangler from "wrangler";
import { buildWorker } from "../../scripts/build-worker.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8799" },
    host: { type: "string", default: "127.0.0.1" },
    state: { type: "string", default: ".bench/baseline" },
  },
});

const root = resolve(import.meta.dirname, "../..");
const state = resolve(values.state);
mkdirSync(state, { recursive: true });

// Same runtime settings as the Floe site it is compared with.
const floeConfig = wrangler.unstable_readConfig({ config: join(root, "wrangler.toml") });

const outdir = join(state, "build");
const scriptPath = await buildWorker(join(import.meta.dirname, "worker.ts"), outdir);

const mf = new Miniflare({
  name: "floe-bench-baseline",
  modules: true,
  scriptPath,
  modulesRoot: outdir,
  compatibilityDate: floeConfig.compatibility_date,
  compatibilityFlags: floeConfig.compatibility_flags,
  durableObjects: { STORE: { className: "Store", useSQLite: true } },
  host: values.host,
  port: Number(values.port),
  durableObjectsPersist: join(state, "do"),
  log: undefined,
});

const entry = await mf.ready;
console.log(`Baseline listening on ${entry.href.replace(/\/$/, "")} (state: ${values.state})`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
