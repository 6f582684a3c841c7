// Bundles a Worker entry with esbuild the way wrangler does for workerd:
// ESM, the "workerd" export condition, node:* and cloudflare:* left to the
// runtime, and every imported .wasm copied beside the bundle as a module.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** Bundles `entry` into `outdir/index.js`; returns the bundle's path. */
export async function buildWorker(entry, outdir) {
  mkdirSync(outdir, { recursive: true });
  const wasmPlugin = {
    name: "wasm-modules",
    setup(b) {
      b.onResolve({ filter: /\.wasm$/ }, (args) => {
        const source = resolve(args.resolveDir, args.path);
        const name = basename(source);
        copyFileSync(source, join(outdir, name));
        return { path: `./${name}`, external: true };
      });
    },
  };
  const outfile = join(outdir, "index.js");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [wasmPlugin],
  });
  return outfile;
}

/** Directory a bundle lives in. */
export function bundleDir(outfile) {
  return dirname(outfile);
}
