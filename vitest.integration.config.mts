import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      // Secrets, as `npm start` supplies them locally.
      miniflare: {
        bindings: {
          FLOE_ROOT_USER: "floeadmin",
          FLOE_ROOT_PASSWORD: "floeadmin-secret",
          FLOE_MASTER_KEY: "integration-master-key-0123456789",
        },
      },
    }),
  ],
  test: {
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
