import { defineConfig } from "vitest/config";

// End-to-end tests start real local sites (one Miniflare process per site,
// as `npm start` runs them); files run one at a time to keep 2 cores calm.
// The Worker and the CLI are bundled once per run (harness/bundles.ts).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/harness/bundles.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
