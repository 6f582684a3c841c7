#!/usr/bin/env node
// Runs one local Floe site under Miniflare: the Worker bundled with esbuild,
// its options read from wrangler.toml, Durable Object state persisted under
// --state (default .floe/), and the cron triggers fired on their schedule
// (Miniflare never fires them by itself). Clients talk to an HTTP front in
// a worker thread of this process (see http-front.mjs), which answers
// `Expect: 100-continue` and relays each request to workerd, listening on a
// private loopback port, with the headers the client sent.
//
//   npm start                                   # http://127.0.0.1:8787, state in .floe/
//   npm start -- --port 8788 --state .floe/site-b
//
// Many sites can share one bundle (the e2e suite boots dozens): `--build-to
// DIR` bundles the Worker and its Miniflare options from wrangler.toml into
// DIR and exits; `--bundle DIR` then runs that bundle instead of bundling (and
// without loading wrangler). A bundle is fixed at build time: rebuild it after
// editing the code or the configuration.
//
// Local defaults: root user "floeadmin", password "floeadmin-secret", a fixed
// local master key, fault injection on, remote targets allowed on loopback
// (FLOE_TARGET_ALLOWLIST; `--var FLOE_TARGET_ALLOWLIST=` allows none). Override with FLOE_ROOT_USER /
// FLOE_ROOT_PASSWORD / FLOE_MASTER_KEY in the environment, or --var NAME=VALUE.
import { Miniflare } from "miniflare";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { cronMatches } from "./cron.mjs";
import { startHttpFrontThread } from "./http-front.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    host: { type: "string", default: "127.0.0.1" },
    state: { type: "string", default: ".floe" },
    config: { type: "string" },
    var: { type: "string", multiple: true, default: [] },
    "no-cron": { type: "boolean", default: false },
    "build-to": { type: "string" },
    bundle: { type: "string" },
  },
});

const root = resolve(import.meta.dirname, "..");
const configPath = resolve(root, values.config ?? "wrangler.toml");
const state = resolve(values.state);
const port = Number(values.port);

/** Bundles the Worker into `outdir` and reads its Miniflare options from the configuration. */
async function bundleWorker(outdir) {
  const { default: wrangler } = await import("wrangler");
  const { buildWorker } = await import("./build-worker.mjs");
  const { workerOptions, main } = wrangler.unstable_getMiniflareWorkerOptions(configPath);
  const { triggers } = wrangler.unstable_readConfig({ config: configPath });
  const script = relative(outdir, await buildWorker(main, outdir));
  return { workerOptions, crons: triggers?.crons ?? [], script };
}

if (values["build-to"]) {
  const outdir = resolve(values["build-to"]);
  const built = await bundleWorker(outdir);
  writeFileSync(join(outdir, "worker.json"), JSON.stringify(built));
  console.log(`Floe bundled into ${values["build-to"]}`);
  process.exit(0);
}
if (values.bundle && values.config) {
  throw new Error("--bundle runs the configuration it was built with; --config does not apply");
}

mkdirSync(state, { recursive: true });
const outdir = values.bundle ? resolve(values.bundle) : join(state, "build");
const { workerOptions, crons, script } = values.bundle
  ? JSON.parse(readFileSync(join(outdir, "worker.json"), "utf8"))
  : await bundleWorker(outdir);

const overrides = Object.fromEntries(
  values.var.map((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new Error(`--var expects NAME=VALUE, got ${pair}`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }),
);
const bindings = {
  ...workerOptions.bindings,
  FLOE_FAULT_INJECTION: "on",
  FLOE_TARGET_ALLOWLIST: "127.0.0.0/8,::1,localhost",
  FLOE_ROOT_USER: process.env.FLOE_ROOT_USER ?? "floeadmin",
  FLOE_ROOT_PASSWORD: process.env.FLOE_ROOT_PASSWORD ?? "floeadmin-secret",
  FLOE_MASTER_KEY: process.env.FLOE_MASTER_KEY ?? "floe-local-master-key-not-for-production",
  ...overrides,
  // Proves to the Worker that a request came through this process's front (see http-front.mjs).
  FLOE_LOCAL_FRONT_SECRET: randomBytes(32).toString("hex"),
};

const mf = new Miniflare({
  ...workerOptions,
  name: "floe",
  bindings,
  modules: true,
  scriptPath: join(outdir, script),
  modulesRoot: outdir,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  host: "127.0.0.1",
  port: 0,
  durableObjectsPersist: join(state, "do"),
  cachePersist: join(state, "cache"),
  kvPersist: join(state, "kv"),
  r2Persist: join(state, "r2"),
  d1Persist: join(state, "d1"),
  log: undefined,
  // `GET /cdn-cgi/handler/scheduled?cron=...` runs the cron scanner on demand, as under wrangler dev.
  unsafeTriggerHandlers: true,
});

const entry = await mf.ready;
const front = await startHttpFrontThread({
  host: values.host,
  port,
  target: entry.href,
  secret: bindings.FLOE_LOCAL_FRONT_SECRET,
});
const { address } = front;
const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
console.log(`Floe listening on http://${shownHost}:${address.port} (state: ${values.state})`);
console.log(`Root credentials: ${bindings.FLOE_ROOT_USER} / (FLOE_ROOT_PASSWORD)`);

let cronTimer = null;
if (!values["no-cron"] && crons.length > 0) {
  const worker = await mf.getWorker();
  const tick = async () => {
    const now = new Date();
    for (const cron of crons) {
      if (!cronMatches(cron, now)) continue;
      try {
        await worker.scheduled({ cron, scheduledTime: now });
      } catch (error) {
        console.error(`scheduled (${cron}) failed:`, error);
      }
    }
  };
  const schedule = () => {
    const wait = 60_000 - (Date.now() % 60_000);
    cronTimer = setTimeout(async () => {
      await tick();
      schedule();
    }, wait);
  };
  schedule();
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (cronTimer) clearTimeout(cronTimer);
  await front.close();
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
