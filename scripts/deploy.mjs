#!/usr/bin/env node
// Deploys one Floe site, a `[env.<site>]` section of wrangler.toml, in one command:
//
//   npm run deploy -- --env <site> [--dry-run] [--outdir DIR]
//
// 1. Every queue the site's section names (producer, consumer, dead-letter) exists:
//    `wrangler queues list` (all pages), then `wrangler queues create` for each missing one.
// 2. The secrets a site cannot start without are set (`wrangler secret list`); for each
//    missing one it names the `wrangler secret put` to run, and stops before deploying.
//    A Worker that was never deployed has none: `secret put` creates it.
// 3. `wrangler deploy --env <site>`.
// With --dry-run, steps 1 and 2 need a Cloudflare account and change it, so they are only
// described; `wrangler deploy --dry-run` then bundles the site without uploading it.
// Every command gets `--env <site>`, so a site whose section sets its own account_id
// is created and checked there.
import { spawn } from "node:child_process";
import { delimiter, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import wrangler from "wrangler";

/** Secrets without which a deployed site refuses every request (docs/deployment.md). */
export const REQUIRED_SECRETS = ["FLOE_ROOT_USER", "FLOE_ROOT_PASSWORD", "FLOE_MASTER_KEY"];

/** `wrangler queues list` pages read at most, far beyond an account's queue limit. */
const MAX_QUEUE_PAGES = 100;

/** A deployment that cannot go on: its message says what to do. */
export class DeployError extends Error {}

/** Options from `npm run deploy -- …`; throws DeployError on bad usage. */
export function parseDeployArgs(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        outdir: { type: "string" },
        config: { type: "string", default: "wrangler.toml" },
      },
    }));
  } catch (error) {
    throw new DeployError(`${error.message}\n${USAGE}`);
  }
  if (!values.env) throw new DeployError(`--env <site> is required.\n${USAGE}`);
  return {
    env: values.env,
    dryRun: values["dry-run"],
    outdir: values.outdir,
    config: values.config,
  };
}

const USAGE = "usage: npm run deploy -- --env <site> [--dry-run] [--outdir DIR] [--config FILE]";

/** The queue names a site's section binds, in the order they appear. */
export function siteQueueNames(configPath, env) {
  let config;
  try {
    config = wrangler.unstable_readConfig({ config: configPath, env });
  } catch (error) {
    throw new DeployError(error.message);
  }
  const names = new Set();
  for (const producer of config.queues?.producers ?? []) names.add(producer.queue);
  for (const consumer of config.queues?.consumers ?? []) {
    names.add(consumer.queue);
    if (consumer.dead_letter_queue) names.add(consumer.dead_letter_queue);
  }
  return [...names];
}

/** Queue names in one page of `wrangler queues list` (a table with a `name` column). */
export function queueNamesInTable(text) {
  const rows = text
    .split("\n")
    .filter((line) => line.includes("│"))
    .map((line) =>
      line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const column = rows[0]?.indexOf("name") ?? -1;
  if (column < 0) return [];
  return rows.slice(1).map((cells) => cells[column]);
}

/** Secret names from `wrangler secret list --format json`. */
export function secretNamesInJson(text) {
  const start = text.indexOf("[");
  const end = text.lastIndexOf("]");
  if (start < 0 || end < start)
    throw new DeployError(`unexpected \`wrangler secret list\` output:\n${text}`);
  const list = JSON.parse(text.slice(start, end + 1));
  return list.map((secret) => secret.name);
}

/**
 * Runs the deployment. `run(args, { capture })` runs wrangler with `args`: captured, it
 * resolves `{ code, stdout, stderr }`; otherwise output goes to the terminal. Resolves
 * wrangler deploy's exit code; throws DeployError when a step fails.
 */
export async function deploySite(options, { run = runWrangler, log = console.log } = {}) {
  const { env, dryRun } = options;
  const queues = siteQueueNames(options.config, env);
  const envArgs = ["--env", env, "--config", options.config];

  if (dryRun) {
    log(`dry run: queues ${queues.join(", ") || "(none)"} are not checked or created`);
    log(`dry run: secrets ${REQUIRED_SECRETS.join(", ")} are not checked`);
  } else {
    await ensureQueues(queues, envArgs, run, log);
    await checkSecrets(env, envArgs, run, log);
  }

  const deployArgs = ["deploy", ...envArgs];
  if (dryRun) deployArgs.push("--dry-run");
  if (options.outdir) deployArgs.push("--outdir", options.outdir);
  log(`wrangler ${deployArgs.join(" ")}`);
  const { code } = await run(deployArgs, { capture: false });
  return code;
}

async function ensureQueues(queues, envArgs, run, log) {
  if (queues.length === 0) return;
  const existing = new Set();
  for (let page = 1; page <= MAX_QUEUE_PAGES; page++) {
    const listed = await run(["queues", "list", "--page", String(page), ...envArgs], {
      capture: true,
    });
    if (listed.code !== 0)
      throw new DeployError(`wrangler queues list failed:\n${listed.stderr || listed.stdout}`);
    const names = queueNamesInTable(listed.stdout);
    for (const name of names) existing.add(name);
    if (names.length === 0 || queues.every((queue) => existing.has(queue))) break;
  }
  for (const queue of queues) {
    if (existing.has(queue)) {
      log(`queue ${queue}: exists`);
      continue;
    }
    log(`queue ${queue}: creating`);
    const created = await run(["queues", "create", queue, ...envArgs], { capture: true });
    if (created.code !== 0) {
      throw new DeployError(
        `wrangler queues create ${queue} failed:\n${created.stderr || created.stdout}`,
      );
    }
  }
}

async function checkSecrets(env, envArgs, run, log) {
  const listed = await run(["secret", "list", "--format", "json", ...envArgs], { capture: true });
  let set = [];
  if (listed.code === 0) {
    set = secretNamesInJson(listed.stdout);
  } else if (!/does not exist|\[code: 10007\]/i.test(listed.stderr + listed.stdout)) {
    throw new DeployError(`wrangler secret list failed:\n${listed.stderr || listed.stdout}`);
  }
  const missing = REQUIRED_SECRETS.filter((name) => !set.includes(name));
  if (missing.length > 0) {
    const commands = missing.map((name) => `  npx wrangler secret put ${name} --env ${env}`);
    throw new DeployError(
      `site ${env} is missing required secrets; set each, then deploy again:\n${commands.join("\n")}`,
    );
  }
  log(`secrets: ${REQUIRED_SECRETS.join(", ")} are set`);
}

/** Runs the `wrangler` found on PATH, else the project's own. */
export function runWrangler(args, { capture }) {
  const root = resolve(import.meta.dirname, "..");
  const env = {
    ...process.env,
    PATH: [process.env.PATH, resolve(root, "node_modules/.bin")].filter(Boolean).join(delimiter),
  };
  return new Promise((resolveRun, reject) => {
    const child = spawn("wrangler", args, {
      env,
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolveRun({ code: code ?? 1, stdout, stderr }));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    process.exitCode = await deploySite(parseDeployArgs(process.argv.slice(2)));
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
