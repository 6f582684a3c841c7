/**
 * `npm run bench:checksums`: Floe's CRC32, CRC32C and CRC64NVME against the
 * AWS SDK's implementations, in Node and inside workerd (a bench Worker under
 * Miniflare), in 4 KiB and 1 MiB updates. In Node the clock is the process's
 * CPU time (MB per CPU second, steadier on a shared machine); a Worker can
 * only read wall time. Prints figures; never fails on time.
 */
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWorker } from "../scripts/build-worker.mjs";
import { runChecksumBench, type ChecksumRow } from "./checksums-suite.ts";

function table(where: string, rows: ChecksumRow[]): string {
  const lines = [
    `### ${where}`,
    "",
    "| algorithm | update size | Floe MB/s | AWS SDK MB/s | Floe ÷ AWS |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const size =
      row.chunk >= 1024 * 1024 ? `${row.chunk / 1024 / 1024} MiB` : `${row.chunk / 1024} KiB`;
    lines.push(
      `| ${row.algorithm} | ${size} | ${row.floeMBps.toFixed(0)} | ${row.awsMBps.toFixed(0)} | ${(row.floeMBps / row.awsMBps).toFixed(2)}× |`,
    );
  }
  return lines.join("\n");
}

async function inWorkerd(): Promise<ChecksumRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "floe-bench-checksums-"));
  try {
    const scriptPath = await buildWorker(
      new URL("./checksums-worker.ts", import.meta.url).pathname,
      dir,
    );
    const mf = new Miniflare({
      modules: true,
      scriptPath,
      modulesRoot: dir,
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["nodejs_compat"],
    });
    try {
      const response = await mf.dispatchFetch("http://bench/");
      return (await response.json()) as ChecksumRow[];
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  table(`Node ${process.version}`, await runChecksumBench(async () => performance.now())),
);
console.log("");
console.log(table("workerd (Miniflare)", await inWorkerd()));
