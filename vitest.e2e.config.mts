import { defineConfig } from "vitest/config";
import { LongestFirst } from "./test/e2e/harness/longest-first.ts";

// End-to-end tests start real local sites (one Miniflare process per site,
// as `npm start` runs them). Two files run at a time: most of a file's time
// is spent waiting (replication, outages, polling), not computing, so a
// second file fills it; more would crowd 2 cores. The Worker and the CLI are
// bundled once per run (harness/bundles.ts), and sites with the default
// configuration are booted ahead of need (harness/site-pool.ts). Files start longest first
// (harness/longest-first.ts) so both workers finish together.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/harness/bundles.ts", "test/e2e/harness/site-pool.ts"],
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
