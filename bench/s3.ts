/**
 * `npm run bench:s3`: Floe's S3 data path against a raw baseline, both
 * measured in the same run on the same machine. Prints figures and
 * Floe ÷ baseline ratios; it never fails on time.
 *
 * What runs:
 *   - Floe: a fresh local site started exactly as `npm start` starts one
 *     (test/e2e/harness/site.ts: scripts/start.mjs, wrangler.toml's default
 *     layout, one workerd process), reached with @aws-sdk/client-s3 (path
 *     style, root credentials, SigV4) through bench/lib/floe-client.ts.
 *   - baseline: bench/baseline/worker.ts in its own process and workerd
 *     (bench/baseline/run.mjs): the body cut into 1 MiB pieces, each sent
 *     over RPC to ONE Durable Object that inserts it as a SQLite row, and
 *     streamed back row by row; no coding, no metadata, no auth. Reached
 *     with plain fetch.
 *
 * What is measured (sizes shrink with FLOE_BENCH_QUICK=1):
 *   - PUT and GET MiB/s of 64 MiB objects (8 per run, one random buffer made
 *     once) at concurrency 1 and 4; GET bodies are read and discarded. The
 *     SDK signs a body in memory with its SHA-256 (which Floe verifies), so
 *     at concurrency 1 the same buffer is also PUT as a 1 MiB-chunk stream,
 *     which the SDK signs UNSIGNED-PAYLOAD;
 *   - 4 KiB PUT then GET ops/s of the same 2000 keys at concurrency 16;
 *   - the VmRSS of each site's workerd process (found by walking /proc from
 *     the site's node process), sampled every 100 ms: before, peak during a
 *     1 GiB streamed PUT (1 MiB chunks of a repeated random buffer; never
 *     1 GiB in this process) and peak during its GET. This runs before the
 *     64 MiB figures, after a small warm-up, so the large transfers have not
 *     already grown the heap the growth is measured against;
 *   - for each of those runs, the CPU time the site's processes (node and
 *     workerd, from /proc/<pid>/stat) used per MiB or per op: a figure that
 *     depends far less on other load and on the client than wall time;
 *   - as a control for the client's own cost (this process shares the two
 *     cores with both workerds), the 64 MiB and 4 KiB figures of the
 *     baseline reached with the same S3 client as Floe ("baseline via SDK";
 *     the baseline ignores the bucket part of the path and the auth);
 *   - with FLOE_BENCH_EXTRA=1, also a multipart upload (1 GiB in 64 MiB
 *     parts, 4 at a time) and ListObjectsV2 page latency in a bucket of
 *     FLOE_BENCH_LIST_KEYS keys (default 10,000), Floe only.
 * Baseline and Floe alternate test by test, so drift on this shared machine
 * hits both. The result is printed as Markdown and written to
 * docs/performance.md under "## S3 throughput (`npm run bench:s3`)",
 * replacing only that section. Both processes and their temporary state
 * are removed at the end, on error and on SIGINT / SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { startSite, type Site } from "../test/e2e/harness/site.ts";
import { FloeClient } from "./lib/floe-client.ts";
import { MiB, PlainClient, chunkedStream, pool, repeatingStream, timed } from "./lib/load.ts";
import {
  descendantsNamed,
  sampleRss,
  startBaseline,
  totalRssMiB,
  treeCpuSeconds,
  type Baseline,
} from "./lib/processes.ts";
import { formatMarkdown, table, writeSection } from "./lib/report.ts";

const quick = process.env.FLOE_BENCH_QUICK === "1";
const extra = process.env.FLOE_BENCH_EXTRA === "1";
const BIG = (quick ? 16 : 64) * MiB;
const BIG_COUNT = quick ? 4 : 8;
const SMALL = 4096;
const SMALL_OPS = quick ? 500 : 2000;
const SMALL_CONCURRENCY = 16;
const RSS_SIZE = (quick ? 256 : 1024) * MiB;
const MULTIPART_SIZE = (quick ? 256 : 1024) * MiB;
const PART_SIZE = (quick ? 16 : 64) * MiB;
const LIST_KEYS = Number(process.env.FLOE_BENCH_LIST_KEYS ?? (quick ? 2000 : 10_000));

const TARGETS = { put: 0.7, get: 0.8, small: 0.8, rssMiB: 64 };
const DOC = resolve(import.meta.dirname, "../docs/performance.md");
const HEADING = "## S3 throughput (`npm run bench:s3`)";

/** What the bench does to either side. */
interface Side {
  name: string;
  put(key: string, body: Uint8Array): Promise<void>;
  putStream(key: string, body: Readable, size: number): Promise<void>;
  /** Returns the body length. */
  get(key: string, large: boolean): Promise<number>;
  /** The node process whose workerd child is measured. */
  pid: number;
}

const random = randomBytes(BIG);
const piece = random.subarray(0, MiB);
const small = random.subarray(0, SMALL);

// ---------------------------------------------------------------- cleanup

const temps: string[] = [];
const starting: Promise<unknown>[] = [];
const running: { remove(): Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(starting);
    await Promise.allSettled(running.map((process) => process.remove()));
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    console.error(`\n${signal}: stopping both sites and removing their state…`);
    void cleanup().finally(() => process.exit(130));
  });

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

async function startBoth(): Promise<{ site: Site; baseline: Baseline }> {
  const site = startSite({ state: tempDir("floe-bench-site-") });
  const baseline = startBaseline(tempDir("floe-bench-baseline-"));
  starting.push(site, baseline);
  const [s, b] = await Promise.allSettled([site, baseline]);
  if (s.status === "fulfilled") running.push(s.value);
  if (b.status === "fulfilled") running.push(b.value);
  if (s.status === "rejected") throw s.reason;
  if (b.status === "rejected") throw b.reason;
  return { site: s.value, baseline: b.value };
}

// ---------------------------------------------------------------- measurements

const log = (line: string) => console.log(`  ${line}`);
const fixed = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function warmUp(side: Side): Promise<void> {
  await pool(32, 8, async (i) => {
    await side.put(`warm-${i}`, small);
    await side.get(`warm-${i}`, false);
  });
  await side.put("warm-big", random.subarray(0, 8 * MiB));
  await side.get("warm-big", true);
}

interface Memory {
  found: number;
  before: number;
  putPeak: number;
  getPeak: number;
  putMiBps: number;
  getMiBps: number;
}

async function memory(side: Side): Promise<Memory> {
  const pids = descendantsNamed(side.pid, "workerd");
  await new Promise((settle) => setTimeout(settle, 1000));
  const before = totalRssMiB(pids);
  let sampler = sampleRss(pids);
  const putSeconds = await timed(() =>
    side.putStream("rss", repeatingStream(RSS_SIZE, piece), RSS_SIZE),
  );
  const put = sampler.stop();
  sampler = sampleRss(pids);
  let length = 0;
  const getSeconds = await timed(async () => void (length = await side.get("rss", true)));
  const get = sampler.stop();
  if (length !== RSS_SIZE) throw new Error(`${side.name}: GET rss returned ${length} bytes`);
  const result = {
    found: pids.length,
    before,
    putPeak: put.peak,
    getPeak: get.peak,
    putMiBps: RSS_SIZE / MiB / putSeconds,
    getMiBps: RSS_SIZE / MiB / getSeconds,
  };
  log(
    `${side.name}: ${RSS_SIZE / MiB} MiB PUT ${fixed(result.putMiBps)} MiB/s, GET ${fixed(result.getMiBps)} MiB/s; ` +
      `workerd RSS ${fixed(before)} MiB before, peak ${fixed(put.peak)} (PUT) / ${fixed(get.peak)} (GET)`,
  );
  return result;
}

/** A throughput and the site's CPU time per unit (MiB or op), in ms. */
interface Figure {
  rate: number;
  cpuMs: number;
}

/** Runs `fn` moving `units` (MiB or ops); the site's CPU is its node process and workerd together. */
async function measure(side: Side, units: number, fn: () => Promise<void>): Promise<Figure> {
  const cpuBefore = treeCpuSeconds(side.pid);
  const seconds = await timed(fn);
  const cpu = treeCpuSeconds(side.pid) - cpuBefore;
  return { rate: units / seconds, cpuMs: (cpu * 1000) / units };
}

async function bigPut(side: Side, concurrency: number, streamed = false): Promise<Figure> {
  const figure = await measure(side, (BIG_COUNT * BIG) / MiB, () =>
    pool(BIG_COUNT, concurrency, (i) =>
      streamed
        ? side.putStream(`big-s-${i}`, chunkedStream(random, MiB), BIG)
        : side.put(`big-c${concurrency}-${i}`, random),
    ),
  );
  log(
    `${side.name}: PUT${streamed ? " (streamed)" : ""} ${BIG / MiB} MiB × ${BIG_COUNT}, c=${concurrency}: ` +
      `${fixed(figure.rate)} MiB/s, ${fixed(figure.cpuMs, 1)} ms CPU per MiB`,
  );
  return figure;
}

async function bigGet(side: Side, concurrency: number): Promise<Figure> {
  const figure = await measure(side, (BIG_COUNT * BIG) / MiB, () =>
    pool(BIG_COUNT, concurrency, async (i) => {
      const length = await side.get(`big-c${concurrency}-${i}`, true);
      if (length !== BIG) throw new Error(`${side.name}: GET returned ${length} bytes`);
    }),
  );
  log(
    `${side.name}: GET ${BIG / MiB} MiB × ${BIG_COUNT}, c=${concurrency}: ` +
      `${fixed(figure.rate)} MiB/s, ${fixed(figure.cpuMs, 1)} ms CPU per MiB`,
  );
  return figure;
}

async function smallOps(side: Side, method: "PUT" | "GET"): Promise<Figure> {
  const figure = await measure(side, SMALL_OPS, () =>
    pool(SMALL_OPS, SMALL_CONCURRENCY, async (i) => {
      if (method === "PUT") return side.put(`small-${i}`, small);
      const length = await side.get(`small-${i}`, false);
      if (length !== SMALL)
        throw new Error(`${side.name}: GET small-${i} returned ${length} bytes`);
    }),
  );
  log(
    `${side.name}: ${method} 4 KiB × ${SMALL_OPS}, c=${SMALL_CONCURRENCY}: ` +
      `${fixed(figure.rate)} ops/s, ${fixed(figure.cpuMs, 2)} ms CPU per op`,
  );
  return figure;
}

async function extras(floe: FloeClient): Promise<string> {
  const parts = MULTIPART_SIZE / PART_SIZE;
  const multipartSeconds = await timed(() =>
    floe.multipart("multipart", parts, PART_SIZE, 4, () => repeatingStream(PART_SIZE, piece)),
  );
  const multipartMiBps = MULTIPART_SIZE / MiB / multipartSeconds;
  log(`Floe: multipart ${MULTIPART_SIZE / MiB} MiB: ${fixed(multipartMiBps)} MiB/s`);

  const list = new FloeClient(floe.url, "bench-list");
  await list.createBucket();
  const empty = new Uint8Array(0);
  const populateSeconds = await timed(() =>
    pool(LIST_KEYS, SMALL_CONCURRENCY, (i) =>
      list.put(
        `dir-${String(i % 100).padStart(3, "0")}/object-${String(i).padStart(7, "0")}`,
        empty,
      ),
    ),
  );
  const pageMs: number[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page++) {
    const start = performance.now();
    token = await list.listPage(token);
    pageMs.push(performance.now() - start);
    if (!token) break;
  }
  list.destroy();
  const sorted = [...pageMs].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const max = sorted[sorted.length - 1];
  log(`Floe: ListObjectsV2 over ${LIST_KEYS} keys: median ${fixed(median, 1)} ms`);
  return [
    "### Extras (FLOE_BENCH_EXTRA=1, Floe only)",
    "",
    table(["test", "figure"], "lr", [
      [
        `multipart upload, ${MULTIPART_SIZE / MiB} MiB in ${PART_SIZE / MiB} MiB streamed parts, 4 at a time`,
        `${fixed(multipartMiBps)} MiB/s`,
      ],
      [
        `populating ${fixed(LIST_KEYS)} keys with 0-byte PUTs, c=${SMALL_CONCURRENCY}`,
        `${fixed(LIST_KEYS / populateSeconds)} PUT/s`,
      ],
      [
        `ListObjectsV2 1000-key pages (${pageMs.length} consecutive), median / max`,
        `${fixed(median, 1)} / ${fixed(max, 1)} ms`,
      ],
    ]),
  ].join("\n");
}

// ---------------------------------------------------------------- report

interface Row {
  op: string;
  concurrency: number;
  floe: Figure;
  base: Figure;
  /** The baseline through the S3 client. */
  sdk: Figure;
}

// Rounded down, so a ratio shown as 0.80× never misses a 0.8× target.
const ratio = (floe: number, base: number) =>
  `${(Math.floor((floe / base) * 100) / 100).toFixed(2)}×`;
const versus = (floe: number, base: number, target: number) =>
  `≥ ${target}× (${floe / base >= target ? "met" : "not met"})`;

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = loadavg()[0];
  console.log(
    `bench:s3${quick ? " (quick)" : ""}: starting a Floe site and the baseline, each in its own process…`,
  );
  const { site, baseline } = await startBoth();
  const floeClient = new FloeClient(site.url, "bench");
  const plain = new PlainClient(baseline.url);
  const sdkToBaseline = new FloeClient(baseline.url, "sdk");
  try {
    await floeClient.createBucket();
    const floe: Side = {
      name: "Floe",
      put: (key, body) => floeClient.put(key, body),
      putStream: (key, body, size) => floeClient.putStream(key, body, size),
      get: (key, large) => floeClient.get(key, large),
      pid: site.process.pid ?? 0,
    };
    const base: Side = {
      name: "baseline",
      put: (key, body) => plain.put(key, body),
      putStream: (key, body, size) => plain.putStream(key, body, size),
      get: (key) => plain.get(key),
      pid: baseline.process.pid ?? 0,
    };
    const baseSdk: Side = {
      name: "baseline via SDK",
      put: (key, body) => sdkToBaseline.put(key, body),
      putStream: (key, body, size) => sdkToBaseline.putStream(key, body, size),
      get: (key, large) => sdkToBaseline.get(key, large),
      pid: baseline.process.pid ?? 0,
    };

    console.log("warm-up…");
    await warmUp(base);
    await warmUp(baseSdk);
    await warmUp(floe);

    console.log(`workerd RSS during a ${RSS_SIZE / MiB} MiB PUT and GET…`);
    const floeMemory = await memory(floe);
    const baseMemory = await memory(base);

    console.log(`${BIG / MiB} MiB objects…`);
    const big: Row[] = [];
    for (const concurrency of [1, 4]) {
      const [basePut, sdkPut, floePut] = [
        await bigPut(base, concurrency),
        await bigPut(baseSdk, concurrency),
        await bigPut(floe, concurrency),
      ];
      const [baseGet, sdkGet, floeGet] = [
        await bigGet(base, concurrency),
        await bigGet(baseSdk, concurrency),
        await bigGet(floe, concurrency),
      ];
      big.push({ op: "PUT", concurrency, floe: floePut, base: basePut, sdk: sdkPut });
      if (concurrency === 1) {
        const [b, sdk, f] = [
          await bigPut(base, 1, true),
          await bigPut(baseSdk, 1, true),
          await bigPut(floe, 1, true),
        ];
        big.push({ op: "PUT, streamed body", concurrency, floe: f, base: b, sdk });
      }
      big.push({ op: "GET", concurrency, floe: floeGet, base: baseGet, sdk: sdkGet });
    }

    console.log("4 KiB objects…");
    const smallRows: Row[] = [];
    for (const op of ["PUT", "GET"] as const) {
      const [b, sdk, f] = [
        await smallOps(base, op),
        await smallOps(baseSdk, op),
        await smallOps(floe, op),
      ];
      smallRows.push({ op, concurrency: SMALL_CONCURRENCY, floe: f, base: b, sdk });
    }

    let extraSection = "";
    if (extra) {
      console.log("extras…");
      extraSection = await extras(floeClient);
    }

    const growth = (m: Memory) => Math.max(m.putPeak, m.getPeak) - m.before;
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    const sections = [
      "Floe (wrangler.toml's default layout: one set of 8 drives, EC 4+4) against a bench-only " +
        "Worker that streams bodies into ONE Durable Object as 1 MiB SQLite rows, with no " +
        "erasure coding, metadata or auth (`bench/baseline/`). Each runs in its own local " +
        "process and workerd, started as `npm start` starts a site; they run in the same bench " +
        "run and alternate test by test. Floe is reached with `@aws-sdk/client-s3` (path style, " +
        `SigV4; the SDK's optional CRC32 checksums ${FloeClient.checksums ? "on" : "off"}), the baseline with plain \`fetch\`. ` +
        "MiB/s = 2^20 bytes per second. Targets are for reference; the bench never fails on them. " +
        "The bench client shares the cores with both workerds, so the baseline is also measured " +
        "through the same S3 client as Floe (“baseline via SDK”): the gap between the two " +
        "baseline columns is the client's own cost.",
      "",
      "Locally, every Durable Object of a site shares its one workerd thread: a 4+4 Floe write " +
        "stores twice the bytes the baseline stores, in SQLite, and commits in the bucket's and " +
        "drives' Durable Objects instead of one, all on that thread. In production each drive is " +
        "its own Durable Object on its own machine, so these local ratios show how much more " +
        "work Floe does per byte on one thread, not what a deployment would deliver.",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${availableParallelism()} cores ` +
        `(nproc; ${cpu}), Node ${process.version}${quick ? ", quick mode (FLOE_BENCH_QUICK=1)" : ""}; ` +
        `1-minute load average ${loadBefore.toFixed(2)} at the start and ${loadavg()[0].toFixed(2)} at the end ` +
        "(other work on the machine moves these figures).",
      "",
      `### ${BIG / MiB} MiB objects (${BIG_COUNT} per run)`,
      "",
      table(
        [
          "operation",
          "concurrency",
          "Floe MiB/s",
          "baseline MiB/s",
          "Floe ÷ baseline",
          "target",
          "baseline via SDK MiB/s",
          "Floe ÷ baseline via SDK",
        ],
        "lrrrrlrr",
        big.map((row) => [
          row.op,
          String(row.concurrency),
          fixed(row.floe.rate),
          fixed(row.base.rate),
          ratio(row.floe.rate, row.base.rate),
          versus(row.floe.rate, row.base.rate, row.op === "GET" ? TARGETS.get : TARGETS.put),
          fixed(row.sdk.rate),
          ratio(row.floe.rate, row.sdk.rate),
        ]),
      ),
      "",
      `“PUT, streamed body”: the same ${BIG / MiB} MiB buffer sent as a stream of 1 MiB chunks with a ` +
        "Content-Length, which the SDK signs UNSIGNED-PAYLOAD; the plain PUT sends it from memory, " +
        "signed with its SHA-256, which Floe verifies as it reads the body.",
      "",
      `### 4 KiB objects, concurrency ${SMALL_CONCURRENCY} (${fixed(SMALL_OPS)} ops each)`,
      "",
      table(
        [
          "operation",
          "Floe ops/s",
          "baseline ops/s",
          "Floe ÷ baseline",
          "target",
          "baseline via SDK ops/s",
          "Floe ÷ baseline via SDK",
        ],
        "lrrrlrr",
        smallRows.map((row) => [
          row.op,
          fixed(row.floe.rate),
          fixed(row.base.rate),
          ratio(row.floe.rate, row.base.rate),
          versus(row.floe.rate, row.base.rate, TARGETS.small),
          fixed(row.sdk.rate),
          ratio(row.floe.rate, row.sdk.rate),
        ]),
      ),
      "",
      "### Site CPU time per unit of work",
      "",
      "CPU seconds used by each site's processes (its node process and workerd, from " +
        "/proc/<pid>/stat) during the runs above, over the MiB or operations moved. Unlike the " +
        "wall-clock figures, this barely depends on what else the machine is doing or on the " +
        "client: the ratio is how much more work Floe does per unit than the baseline (reached " +
        "with fetch here).",
      "",
      table(
        ["operation", "concurrency", "unit", "Floe CPU ms", "baseline CPU ms", "Floe ÷ baseline"],
        "lrlrrr",
        [...big, ...smallRows].map((row) => {
          const perOp = smallRows.includes(row);
          return [
            perOp ? `${row.op} 4 KiB` : `${row.op} ${BIG / MiB} MiB`,
            String(row.concurrency),
            perOp ? "per op" : "per MiB",
            fixed(row.floe.cpuMs, 2),
            fixed(row.base.cpuMs, 2),
            `${(row.floe.cpuMs / row.base.cpuMs).toFixed(1)}×`,
          ];
        }),
      ),
      "",
      `### Memory: workerd RSS during a ${RSS_SIZE / MiB} MiB PUT and GET`,
      "",
      table(["", "Floe", "baseline", "target"], "lrrl", [
        ["RSS before, MiB", fixed(floeMemory.before), fixed(baseMemory.before), ""],
        ["peak during PUT, MiB", fixed(floeMemory.putPeak), fixed(baseMemory.putPeak), ""],
        ["peak during GET, MiB", fixed(floeMemory.getPeak), fixed(baseMemory.getPeak), ""],
        [
          "growth (peak − before), MiB",
          fixed(growth(floeMemory)),
          fixed(growth(baseMemory)),
          `< ${TARGETS.rssMiB} MiB (${growth(floeMemory) < TARGETS.rssMiB ? "met" : "not met"})`,
        ],
        ["PUT MiB/s", fixed(floeMemory.putMiBps), fixed(baseMemory.putMiBps), ""],
        ["GET MiB/s", fixed(floeMemory.getMiBps), fixed(baseMemory.getMiBps), ""],
      ]),
      "",
      `The ${RSS_SIZE / MiB} MiB body is streamed from a repeated 1 MiB buffer with a Content-Length; ` +
        `RSS is VmRSS of the site's workerd process${floeMemory.found === 1 ? "" : `es (${floeMemory.found} found, summed)`}, ` +
        "sampled every 100 ms; it is measured after a small warm-up and before the large-object runs.",
    ];
    const resent = floeClient.retries + plain.resends + sdkToBaseline.retries;
    if (resent > 0)
      sections.push(
        "",
        `Requests sent again after a dropped kept-alive connection: Floe ${floeClient.retries}, ` +
          `baseline ${plain.resends}, baseline via SDK ${sdkToBaseline.retries}.`,
      );
    if (extraSection) sections.push("", extraSection);

    const markdown = await formatMarkdown(sections.join("\n"), DOC);
    console.log(`\n${HEADING}\n\n${markdown}`);
    writeSection(DOC, "Performance", HEADING, markdown);
    console.log(
      `Written to docs/performance.md; whole run ${fixed((performance.now() - began) / 1000)} s.`,
    );
  } catch (error) {
    console.error(`\nFloe site output:\n${site.output().slice(-4000)}`);
    console.error(`\nBaseline output:\n${baseline.output().slice(-4000)}`);
    throw error;
  } finally {
    floeClient.destroy();
    sdkToBaseline.destroy();
    await cleanup();
  }
}

try {
  await main();
} finally {
  await cleanup();
}
