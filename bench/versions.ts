/**
 * `npm run bench:versions`: ListObjectVersions page latency in a versioned
 * bucket of many keys with several versions each (default 100,000 keys × 3
 * versions; FLOE_BENCH_KEYS / FLOE_BENCH_VERSIONS change it). The bucket is
 * filled through S3 with 0-byte PUTs at concurrency 32 on a local site
 * started as `npm start` starts one; then ten consecutive 1000-entry pages
 * are timed. Prints figures; never fails on time.
 */
import { startSite } from "../test/e2e/harness/site.ts";
import { pool } from "./lib/load.ts";
import { signedCall as call } from "./lib/signed-call.ts";

const KEYS = Number(process.env.FLOE_BENCH_KEYS ?? 100_000);
const VERSIONS = Number(process.env.FLOE_BENCH_VERSIONS ?? 3);
const site = await startSite();
try {
  const bucket = `${site.url}/versions-bench`;
  await call("PUT", bucket);
  await call(
    "PUT",
    `${bucket}?versioning`,
    "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
  );
  const started = performance.now();
  await pool(KEYS * VERSIONS, 32, async (i) => {
    const key = `dir-${String(i % 100).padStart(3, "0")}/object-${String(i % KEYS).padStart(7, "0")}`;
    await call("PUT", `${bucket}/${key}`, "");
  });
  const fillSeconds = (performance.now() - started) / 1000;
  const pages: number[] = [];
  let markers = "";
  for (let page = 0; page < 10; page++) {
    const start = performance.now();
    const xml = await call("GET", `${bucket}?versions&max-keys=1000${markers}`);
    pages.push(performance.now() - start);
    const key = /<NextKeyMarker>([^<]+)</.exec(xml)?.[1];
    const version = /<NextVersionIdMarker>([^<]+)</.exec(xml)?.[1];
    if (!key) break;
    markers = `&key-marker=${encodeURIComponent(key)}${version ? `&version-id-marker=${version}` : ""}`;
  }
  const sorted = [...pages].sort((a, b) => a - b);
  console.log(`ListObjectVersions in a bucket of ${KEYS} keys × ${VERSIONS} versions`);
  console.log(
    `filled with ${KEYS * VERSIONS} 0-byte PUTs at ${((KEYS * VERSIONS) / fillSeconds).toFixed(0)} PUT/s`,
  );
  console.log(`1000-entry pages: ${pages.map((ms) => ms.toFixed(1)).join(", ")} ms`);
  console.log(
    `median ${sorted[sorted.length >> 1].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`,
  );
} finally {
  await site.remove();
}
