/**
 * `npm run bench:s3`: Floe's S3 data path against a raw baseline measured in
 * the same run. Both run as local sites exactly as `npm start` runs them (one
 * Miniflare process each): Floe with its default layout (8 drives, 4+4), the
 * baseline a bench-only Worker that streams bodies into one Durable Object
 * with no coding (bench/baseline/). Measured:
 *   - PUT and GET MB/s of 64 MiB objects at concurrency 1 and 4;
 *   - 4 KiB PUT, GET, HEAD, DELETE ops/s at concurrency 16;
 *   - peak RSS growth of Floe's workerd process during a 1 GiB PUT and GET;
 *   - a 1 GiB multipart upload in 64 MiB parts at concurrency 4;
 *   - ListObjectsV2 page latency (1000 keys) in a bucket of 100,000 keys.
 * Figures and ratios are printed and written to docs/performance.md; nothing
 * here fails on time. FLOE_BENCH_QUICK=1 shrinks every size for a fast check.
 */
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { startSite, type Site } from "../test/e2e/harness/site.ts";
import {
  consume,
  descendantsNamed,
  floeFetch,
  plainFetch,
  pool,
  repeatingBody,
  rss,
  sampleRss,
  type Body,
} from "./lib/http.ts";

const quick = process.env.FLOE_BENCH_QUICK === "1";
const MiB = 1024 * 1024;
const BIG = (quick ? 16 : 64) * MiB;
const BIG_COUNT = quick ? 4 : 8;
const SMALL_OPS = quick ? 400 : 2000;
const RSS_SIZE = (quick ? 256 : 1024) * MiB;
const MULTIPART_SIZE = (quick ? 256 : 1024) * MiB;
const PART_SIZE = (quick ? 16 : 64) * MiB;
const LIST_KEYS = Number(process.env.FLOE_BENCH_LIST_KEYS ?? (quick ? 5000 : 100_000));

type Fetcher = (method: string, url: string, body?: Body, length?: number) => Promise<Response>;

interface Target {
  name: string;
  base: string;
  fetch: Fetcher;
}

const random = new Uint8Array(MiB).map(() => Math.floor(Math.random() * 256));
const big = new Uint8Array(BIG);
for (let i = 0; i < BIG; i += MiB) big.set(random.subarray(0, Math.min(MiB, BIG - i)), i);
const small = random.subarray(0, 4096);

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function throughput(
  target: Target,
  concurrency: number,
): Promise<{ put: number; get: number }> {
  const prefix = `${target.base}/big-c${concurrency}`;
  const putSeconds = await timed(() =>
    pool(
      BIG_COUNT,
      concurrency,
      async (i) => void (await target.fetch("PUT", `${prefix}-${i}`, big)),
    ),
  );
  const getSeconds = await timed(() =>
    pool(BIG_COUNT, concurrency, async (i) => {
      const length = await consume(await target.fetch("GET", `${prefix}-${i}`));
      if (length !== BIG) throw new Error(`GET returned ${length} bytes`);
    }),
  );
  const mb = (BIG_COUNT * BIG) / MiB;
  return { put: mb / putSeconds, get: mb / getSeconds };
}

async function smallOps(target: Target, methods: string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const method of methods) {
    const seconds = await timed(() =>
      pool(SMALL_OPS, 16, async (i) => {
        const response = await target.fetch(
          method,
          `${target.base}/small-${i}`,
          method === "PUT" ? small : null,
        );
        await consume(response);
      }),
    );
    result[method] = SMALL_OPS / seconds;
  }
  return result;
}

async function rssDuringBigObject(
  site: Site,
  bucketUrl: string,
): Promise<{ before: number; put: number; get: number }> {
  const pids = descendantsNamed(site.process.pid!, "workerd");
  const before = pids.reduce((sum, pid) => sum + rss(pid), 0);
  let sampler = sampleRss(pids);
  await floeFetch("PUT", `${bucketUrl}/rss`, repeatingBody(RSS_SIZE, random), RSS_SIZE);
  const put = sampler.stop();
  sampler = sampleRss(pids);
  const length = await consume(await floeFetch("GET", `${bucketUrl}/rss`));
  if (length !== RSS_SIZE) throw new Error(`GET returned ${length} bytes`);
  const get = sampler.stop();
  return { before, put, get };
}

async function multipart(bucketUrl: string): Promise<number> {
  const key = `${bucketUrl}/multipart`;
  const create = await (await floeFetch("POST", `${key}?uploads`)).text();
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create)?.[1];
  if (!uploadId) throw new Error(`no upload id in ${create}`);
  const parts = MULTIPART_SIZE / PART_SIZE;
  const etags: string[] = [];
  const seconds = await timed(async () => {
    await pool(parts, 4, async (i) => {
      const response = await floeFetch(
        "PUT",
        `${key}?partNumber=${i + 1}&uploadId=${uploadId}`,
        repeatingBody(PART_SIZE, random),
        PART_SIZE,
      );
      etags[i] = response.headers.get("etag") ?? "";
    });
    const xml = `<CompleteMultipartUpload>${etags
      .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join("")}</CompleteMultipartUpload>`;
    await consume(
      await floeFetch("POST", `${key}?uploadId=${uploadId}`, new TextEncoder().encode(xml)),
    );
  });
  return MULTIPART_SIZE / MiB / seconds;
}

async function listing(site: Site): Promise<{ populateSeconds: number; pageMs: number[] }> {
  const bucketUrl = `${site.url}/bench-list`;
  await floeFetch("PUT", bucketUrl);
  const populateSeconds = await timed(() =>
    pool(LIST_KEYS, 32, async (i) => {
      const key = `dir-${String(i % 100).padStart(3, "0")}/object-${String(i).padStart(7, "0")}`;
      await consume(await floeFetch("PUT", `${bucketUrl}/${key}`, new Uint8Array(0)));
    }),
  );
  const pageMs: number[] = [];
  let token: string | null = null;
  for (let page = 0; page < 10; page++) {
    const query: string = `list-type=2&max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`;
    const start = performance.now();
    const xml: string = await (await floeFetch("GET", `${bucketUrl}?${query}`)).text();
    pageMs.push(performance.now() - start);
    token = /<NextContinuationToken>([^<]+)</.exec(xml)?.[1] ?? null;
    if (!token) break;
  }
  return { populateSeconds, pageMs };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

async function main(): Promise<void> {
  const floeSite = await startSite();
  const baseSite = await startSite({ config: "bench/baseline/wrangler.toml" });
  const lines: string[] = [];
  const say = (line = "") => {
    console.log(line);
    lines.push(line);
  };
  try {
    await floeFetch("PUT", `${floeSite.url}/bench`);
    const floe: Target = { name: "Floe", base: `${floeSite.url}/bench`, fetch: floeFetch };
    const base: Target = { name: "baseline", base: baseSite.url, fetch: plainFetch };

    say(
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Node ${process.version}${quick ? " (quick mode)" : ""}.`,
    );
    say();
    say(`### ${BIG / MiB} MiB objects (${BIG_COUNT} per run)`);
    say();
    say("| operation | concurrency | Floe MB/s | baseline MB/s | Floe ÷ baseline | target |");
    say("| --- | ---: | ---: | ---: | ---: | --- |");
    for (const concurrency of [1, 4]) {
      const b = await throughput(base, concurrency);
      const f = await throughput(floe, concurrency);
      say(
        `| PUT | ${concurrency} | ${fmt(f.put)} | ${fmt(b.put)} | ${ratio(f.put, b.put)} | ≥ 0.7× |`,
      );
      say(
        `| GET | ${concurrency} | ${fmt(f.get)} | ${fmt(b.get)} | ${ratio(f.get, b.get)} | ≥ 0.8× |`,
      );
    }
    say();
    say(`### 4 KiB objects, concurrency 16 (${SMALL_OPS} ops each)`);
    say();
    const bOps = await smallOps(base, ["PUT", "GET"]);
    const fOps = await smallOps(floe, ["PUT", "GET", "HEAD", "DELETE"]);
    say("| operation | Floe ops/s | baseline ops/s | Floe ÷ baseline | target |");
    say("| --- | ---: | ---: | ---: | --- |");
    for (const method of ["PUT", "GET", "HEAD", "DELETE"]) {
      const b = bOps[method];
      say(
        `| ${method} | ${fmt(fOps[method])} | ${b ? fmt(b) : "–"} | ${b ? ratio(fOps[method], b) : "–"} | ${b ? "≥ 0.8×" : ""} |`,
      );
    }
    say();
    const memory = await rssDuringBigObject(floeSite, `${floeSite.url}/bench`);
    say(`### Memory: workerd RSS during a ${RSS_SIZE / MiB} MiB PUT and GET`);
    say();
    say("| phase | peak RSS MB | growth MB | target |");
    say("| --- | ---: | ---: | --- |");
    say(`| before | ${fmt(memory.before / MiB)} | | |`);
    say(
      `| PUT | ${fmt(memory.put / MiB)} | ${fmt((memory.put - memory.before) / MiB)} | < 64 MB |`,
    );
    say(
      `| GET | ${fmt(memory.get / MiB)} | ${fmt((memory.get - memory.before) / MiB)} | < 64 MB |`,
    );
    say();
    const multipartMBps = await multipart(`${floeSite.url}/bench`);
    say(`### Multipart upload`);
    say();
    say(
      `${MULTIPART_SIZE / MiB} MiB in ${PART_SIZE / MiB} MiB parts, concurrency 4: ${fmt(multipartMBps)} MB/s.`,
    );
    say();
    const list = await listing(floeSite);
    const sorted = [...list.pageMs].sort((a, b) => a - b);
    say(`### ListObjectsV2 in a bucket of ${LIST_KEYS} keys`);
    say();
    say(
      `Populated with 0-byte PUTs at ${fmt(LIST_KEYS / list.populateSeconds)} PUT/s. ` +
        `1000-key pages (${list.pageMs.length} consecutive): median ${fmt(sorted[sorted.length >> 1], 1)} ms, ` +
        `max ${fmt(sorted[sorted.length - 1], 1)} ms (target < 100 ms).`,
    );
  } finally {
    await floeSite.remove();
    await baseSite.remove();
  }
  writeSection(lines.join("\n"));
}

function writeSection(body: string): void {
  const path = new URL("../docs/performance.md", import.meta.url);
  const heading = "## S3 data path (`npm run bench:s3`)";
  let doc = readFileSync(path, "utf8");
  const start = doc.indexOf(heading);
  if (start >= 0) {
    const next = doc.indexOf("\n## ", start + heading.length);
    doc = doc.slice(0, start) + (next >= 0 ? doc.slice(next + 1) : "");
  }
  writeFileSync(path, `${doc.trimEnd()}\n\n${heading}\n\n${body}\n`);
}

await main();
