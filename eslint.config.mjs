/**
 * Floe's lint: typescript-eslint with type information for every TypeScript
 * file (the project service reads tsconfig.json, which holds the whole tree),
 * and the plain recommended rules for the JavaScript runners.
 *
 * Promises are what this guards first: a promise nobody awaits in a Worker is
 * work that may be cut off when the response is sent, and an async callback
 * where a void one is expected swallows its rejection. Switches over unions
 * must name every member, so a new S3 action or record kind cannot fall
 * through silently. Rules of the recommended type-checked set that are off
 * say why below.
 */
import js from "@eslint/js";
import globals from "globals";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** Worker-side code never imports the Node-side tree. */
const NODE_SIDE = {
  group: ["**/cli/**", "**/bench/**", "**/scripts/**", "**/test/**"],
  message: "Worker code does not import the CLI, benches, scripts or tests.",
};

export default defineConfig(
  {
    ignores: [
      "node_modules/",
      "dist/",
      ".floe/",
      ".wrangler/",
      ".bench/",
      "worker-configuration.d.ts",
      "shared/erasure/wasm/*.wasm",
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    files: ["**/*.ts", "**/*.mts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allow: ["URLSearchParams"] },
      ],
      // Durable Object RPC methods and handlers are async by contract (callers
      // await a promise either way), and an async body turns a synchronous
      // throw into a rejection; awaiting nothing is not a defect here.
      "@typescript-eslint/require-await": "off",
      // XML 1.0 and header rules forbid control characters, so the regexes that
      // find them name them on purpose.
      "no-control-regex": "off",
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringMatching) are
    // typed `any`, and tests read untyped JSON to assert on it.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
  {
    // Layers flow one way: the Worker may use Durable Objects and shared/, a
    // Durable Object only shared/ and its own folder, shared/ nothing of
    // either; none of them reaches into the CLI, benches, scripts or tests.
    files: ["workers/**/*.ts", "durable-objects/**/*.ts", "shared/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NODE_SIDE] }] },
  },
  {
    files: ["durable-objects/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            NODE_SIDE,
            {
              group: ["**/workers/**"],
              message: "A Durable Object imports only shared/ and its own folder.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["shared/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            NODE_SIDE,
            {
              group: ["**/workers/**", "**/durable-objects/**"],
              message: "shared/ is used by both runtimes and imports neither.",
            },
          ],
        },
      ],
    },
  },
  {
    // Loads single @types/node files on purpose (see the file's header).
    files: ["types/workerd-node.d.ts"],
    rules: { "@typescript-eslint/triple-slash-reference": ["error", { path: "always" }] },
  },
  {
    files: ["**/*.mjs"],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
);
