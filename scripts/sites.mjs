#!/usr/bin/env node
// Runs N independent local Floe sites, one `scripts/start.mjs` process each,
// on consecutive ports with separate state, for trying replication between
// sites on one machine. Each site's log lines are prefixed with its name;
// once all are listening it prints, per site, its URL, a FLOE_HOST_ line and
// the `floe alias set` command. Ctrl-C or SIGTERM stops them all.
//
//   npm run sites -- 3                          # site1..site3 on 8787..8789, state in .floe/site-<i>
//   npm run sites -- 2 --base-port 9000 --state-dir /tmp/floe-sites
//
// Sites use the local root credentials of start.mjs (FLOE_ROOT_USER /
// FLOE_ROOT_PASSWORD from the environment, else floeadmin / floeadmin-secret).
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "base-port": { type: "string", default: "8787" },
    "state-dir": { type: "string", default: ".floe" },
    "no-cron": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const USAGE = "usage: npm run sites -- N [--base-port 8787] [--state-dir .floe] [--no-cron]";
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = Number(positionals[0] ?? "2");
const basePort = Number(values["base-port"]);
if (!Number.isInteger(count) || count < 1 || count > 16) fail(`N must be 1 to 16.\n${USAGE}`);
if (!Number.isInteger(basePort) || basePort < 1 || basePort + count - 1 > 65535)
  fail(`--base-port must leave room for ${count} ports.\n${USAGE}`);

const root = resolve(import.meta.dirname, "..");
const user = process.env.FLOE_ROOT_USER ?? "floeadmin";
const password = process.env.FLOE_ROOT_PASSWORD ?? "floeadmin-secret";
const sites = Array.from({ length: count }, (_, i) => ({
  name: `site${i + 1}`,
  port: basePort + i,
  state: join(values["state-dir"], `site-${i + 1}`),
  child: null,
  ready: false,
}));
let stopping = false;

function fail(message) {
  console.error(`sites: ${message}`);
  process.exit(2);
}

/** Writes each complete line of a stream with the site's name in front. */
function prefixLines(stream, name, out) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop();
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
  stream.on("end", () => {
    if (rest) out.write(`[${name}] ${rest}\n`);
  });
}

function start(site) {
  return new Promise((ready, failed) => {
    const args = ["scripts/start.mjs", "--port", String(site.port), "--state", site.state];
    if (values["no-cron"]) args.push("--no-cron");
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    site.child = child;
    prefixLines(child.stdout, site.name, process.stdout);
    prefixLines(child.stderr, site.name, process.stderr);
    child.stdout.on("data", (chunk) => {
      if (!site.ready && String(chunk).includes("Floe listening on")) {
        site.ready = true;
        ready();
      }
    });
    child.once("exit", (code, signal) => {
      if (!site.ready)
        failed(new Error(`${site.name} exited (${signal ?? code}) before listening`));
      else if (!stopping) console.error(`[${site.name}] exited (${signal ?? code})`);
      if (!stopping && sites.every((s) => s.child?.exitCode !== null || s.child?.signalCode))
        process.exit(1);
    });
  });
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const running = sites.filter((s) => s.child && s.child.exitCode === null && !s.child.signalCode);
  await Promise.all(
    running.map(
      (site) =>
        new Promise((done) => {
          const timer = setTimeout(() => site.child.kill("SIGKILL"), 10_000);
          site.child.once("exit", () => {
            clearTimeout(timer);
            done();
          });
          site.child.kill("SIGTERM");
        }),
    ),
  );
  process.exit(code);
}

process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

try {
  await Promise.all(sites.map(start));
} catch (error) {
  console.error(`sites: ${error.message}`);
  await stopAll(1);
}

const lines = [`\n${count} local Floe site(s) running (Ctrl-C stops them all):\n`];
for (const site of sites) {
  const url = `http://127.0.0.1:${site.port}`;
  lines.push(`${site.name}  ${url}  (state: ${site.state})`);
  lines.push(`  export FLOE_HOST_${site.name}=http://${user}:${password}@127.0.0.1:${site.port}`);
  lines.push(`  floe alias set ${site.name} ${url} ${user} ${password}`);
}
console.log(`${lines.join("\n")}\n`);
