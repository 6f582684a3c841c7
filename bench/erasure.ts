/**
 * `npm run bench:erasure`: Reed-Solomon throughput on 1 MiB blocks, in Node
 * and inside workerd (a bench Worker under Miniflare), WebAssembly SIMD vs
 * pure TypeScript vs memcpy, with same-run ratios. Prints figures; never
 * fails on time.
 */
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installErasureWasm } from "../shared/erasure/index.ts";
import { loadErasureWasmForNode } from "../shared/erasure/wasm-node.ts";
import { buildWorker } from "../scripts/build-worker.mjs";
import { runErasureBench, type ErasureResult } from "./erasure-suite.ts";

function table(where: string, result: ErasureResult): string {
  const lines = [
    `### ${where}`,
    "",
    `memcpy of a 1 MiB block: ${result.memcpyMBps.toFixed(0)} MB/s`,
    "",
    "| layout | kernel | encode MB/s | reconstruct MB/s | encode ÷ memcpy | wasm ÷ ts (encode) |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of result.rows) {
    const ts = result.rows.find((r) => r.layout === row.layout && r.kernel === "ts");
    const vsTs =
      row.kernel === "wasm" && ts ? `${(row.encodeMBps / ts.encodeMBps).toFixed(1)}×` : "";
    lines.push(
      `| ${row.layout} | ${row.kernel} | ${row.encodeMBps.toFixed(0)} | ${row.reconstructMBps.toFixed(0)} | ${(row.encodeMBps / result.memcpyMBps).toFixed(3)} | ${vsTs} |`,
    );
  }
  return lines.join("\n");
}

async function inWorkerd(): Promise<ErasureResult> {
  const dir = mkdtempSync(join(tmpdir(), "floe-bench-erasure-"));
  try {
    const scriptPath = await buildWorker(
      new URL("./erasure-worker.ts", import.meta.url).pathname,
      dir,
    );
    const mf = new Miniflare({
      modules: true,
      scriptPath,
      modulesRoot: dir,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["nodejs_compat"],
    });
    try {
      const response = await mf.dispatchFetch("http://bench/");
      return (await response.json()) as ErasureResult;
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

installErasureWasm(await loadErasureWasmForNode());
const node = await runErasureBench(async () => performance.now());
console.log(table(`Node ${process.version}`, node));
console.log("");
const workerd = await inWorkerd();
console.log(table("workerd (Miniflare)", workerd));
const enc84 = workerd.rows.find((r) => r.layout === "8+4" && r.kernel === "wasm");
if (enc84) {
  console.log(
    `\nRS 8+4 encode in workerd: ${enc84.encodeMBps.toFixed(0)} MB/s (target ≥ 2000), ` +
      `${(enc84.encodeMBps / workerd.memcpyMBps).toFixed(3)}× memcpy (target ≥ 0.1)`,
  );
}
