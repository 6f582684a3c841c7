/**
 * Vitest global setup for the e2e suite: builds, once per run, what every
 * test would otherwise build again on each start, into a temporary
 * directory removed at the end.
 *
 * - The Worker (`scripts/start.mjs --build-to`): FLOE_E2E_WORKER_BUNDLE
 *   names it and `startSite` passes it to every site (`--bundle`), so a
 *   boot skips esbuild and wrangler. A site started with another wrangler
 *   configuration still bundles its own.
 * - The `floe` executable (cli/bin/floe.mjs) bundled by esbuild, its
 *   TypeScript compiled here rather than by tsx's loader on every run:
 *   FLOE_E2E_CLI_BUNDLE names it and the CLI helpers run it. Only the
 *   loader differs; one test still runs cli/bin/floe.mjs itself.
 */
import { build, type Plugin } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { CLI_BUNDLE_ENV } from "../cli-helpers.ts";
import { WORKER_BUNDLE_ENV } from "./site.ts";

const repoRoot = resolve(import.meta.dirname, "../../..");

/** tsx's loader is not needed once esbuild has compiled the TypeScript. */
const noTsxLoader: Plugin = {
  name: "no-tsx-loader",
  setup(b) {
    b.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: "tsx", namespace: "no-tsx" }));
    b.onLoad({ filter: /.*/, namespace: "no-tsx" }, () => ({
      contents: "export function register() {}",
      loader: "js",
    }));
  },
};

async function bundleCli(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(repoRoot, "cli/bin/floe.mjs")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Some dependencies are CommonJS and require Node's built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "warning",
    plugins: [noTsxLoader],
  });
}

async function bundleWorker(outdir: string): Promise<void> {
  await promisify(execFile)(process.execPath, ["scripts/start.mjs", "--build-to", outdir], {
    cwd: repoRoot,
  });
}

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "floe-e2e-bundles-"));
  const worker = join(dir, "worker");
  const cli = join(dir, "floe.mjs");
  await Promise.all([bundleWorker(worker), bundleCli(cli)]);
  process.env[WORKER_BUNDLE_ENV] = worker;
  process.env[CLI_BUNDLE_ENV] = cli;
  return () => rmSync(dir, { recursive: true, force: true });
}
