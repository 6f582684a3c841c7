import { defineConfig } from "vitest/config";
import { LongestFirst } from "./test/e2e/harness/longest-first.ts";

// End-to-end tests start real local sites (one Miniflare process per site,
// as `npm start` runs them). Three files run at a time: most of a file's
// time is spent waiting (outages, replication retries, bandwidth limits,
// polling), not computing: one file at a time kept under half a core busy.
// On 2 cores, three at a time ran the suite in 312 s where two took 494 s.
// The Worker and the CLI are bundled once per run (harness/bundles.ts),
// sites with the default configuration are booted ahead of need
// (harness/site-pool.ts), and files start longest first
// (harness/longest-first.ts) so the workers finish together.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/harness/bundles.ts", "test/e2e/harness/site-pool.ts"],
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
