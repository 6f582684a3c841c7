#!/usr/bin/env node
/**
 * Checks that the committed worker-configuration.d.ts is exactly what
 * `wrangler types` generates now from wrangler.toml and the pinned
 * wrangler/workerd. The file is generated, never edited by hand: a binding,
 * variable or compatibility change in wrangler.toml, or a wrangler upgrade,
 * must come with `npm run types` and the regenerated file in the same commit.
 *
 * The fresh copy is written beside the committed one (so its relative import
 * paths are the same) and compared line by line; only the command named in
 * the header differs, and that is ignored. Exits 1 with the first differing
 * line when they differ.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const committedPath = join(root, "worker-configuration.d.ts");
const freshName = ".worker-configuration.check.d.ts";
const freshPath = join(root, freshName);

/** The header names the command that generated the file; the rest must match. */
function normalised(text) {
  return text.replace(/running `wrangler types[^`]*`/, "running `wrangler types`").split("\n");
}

try {
  const run = spawnSync("npx", ["wrangler", "types", freshName], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    console.error("check-worker-types: `wrangler types` failed.");
    process.exit(1);
  }
  const committed = normalised(readFileSync(committedPath, "utf8"));
  const fresh = normalised(readFileSync(freshPath, "utf8"));
  const length = Math.max(committed.length, fresh.length);
  for (let i = 0; i < length; i++) {
    if (committed[i] === fresh[i]) continue;
    console.error(
      `worker-configuration.d.ts differs from \`wrangler types\` output at line ${i + 1}:\n` +
        `  committed: ${committed[i] ?? "(end of file)"}\n` +
        `  generated: ${fresh[i] ?? "(end of file)"}\n` +
        "Run `npm run types` and commit the result.",
    );
    process.exit(1);
  }
  console.log("worker-configuration.d.ts matches `wrangler types`.");
} finally {
  rmSync(freshPath, { force: true });
}
