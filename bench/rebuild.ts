/**
 * `npm run bench:rebuild`: how fast a lost bucket coordinator is rebuilt
 * from the drives. A local site (started as `npm start` starts one) gets a
 * versioned bucket of FLOE_BENCH_KEYS keys (default 5,000) × 2 versions of
 * 1 KiB (inline: decoded from the drives' shards) plus a delete marker on
 * every tenth key, written through S3 at concurrency 16; its coordinator is
 * then wiped and rebuilt through the admin API. Beside it, in the same run:
 * the rate the same versions were written at, and a full
 * ListObjectVersions walk of the rebuilt bucket. Prints figures; never
 * fails on time.
 */
import { startSite } from "../test/e2e/harness/site.ts";
import { pool } from "./lib/load.ts";
import { signedCall as call } from "./lib/signed-call.ts";

const KEYS = Number(process.env.FLOE_BENCH_KEYS ?? 5_000);
const BODY = new Uint8Array(1024).fill(7);

const site = await startSite();
try {
  const bucket = `${site.url}/rebuild-bench`;
  await call("PUT", bucket);
  await call(
    "PUT",
    `${bucket}?versioning`,
    "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
  );
  const key = (i: number) =>
    `dir-${String(i % 50).padStart(2, "0")}/object-${String(i).padStart(7, "0")}`;
  const fillStarted = performance.now();
  await pool(KEYS * 2, 16, async (i) =>
    call("PUT", `${bucket}/${key(i % KEYS)}`, BODY).then(() => undefined),
  );
  await pool(Math.ceil(KEYS / 10), 16, async (i) =>
    call("DELETE", `${bucket}/${key(i * 10)}`).then(() => undefined),
  );
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const versions = KEYS * 2 + Math.ceil(KEYS / 10);

  await call(
    "POST",
    `${site.url}/floe/admin/v1/coordinator/fault`,
    JSON.stringify({ bucket: "rebuild-bench", fault: "wipe" }),
  );
  const rebuildStarted = performance.now();
  let restored = 0;
  let calls = 0;
  for (;;) {
    const summary = JSON.parse(
      await call(
        "POST",
        `${site.url}/floe/admin/v1/rebuild`,
        JSON.stringify({ bucket: "rebuild-bench" }),
      ),
    ) as { rebuilt: { versions: number }[]; finished: boolean };
    restored += summary.rebuilt[0].versions;
    calls++;
    if (summary.finished) break;
  }
  const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;

  const walkStarted = performance.now();
  let listed = 0;
  let markers = "";
  for (;;) {
    const xml = await call("GET", `${bucket}?versions&max-keys=1000${markers}`);
    listed += (xml.match(/<(Version|DeleteMarker)>/g) ?? []).length;
    const next = /<NextKeyMarker>([^<]+)</.exec(xml)?.[1];
    const version = /<NextVersionIdMarker>([^<]+)</.exec(xml)?.[1];
    if (!/<IsTruncated>true</.test(xml) || !next) break;
    markers = `&key-marker=${encodeURIComponent(next)}${version ? `&version-id-marker=${version}` : ""}`;
  }
  const walkSeconds = (performance.now() - walkStarted) / 1000;

  const rate = (n: number, s: number) => (n / s).toFixed(0);
  console.log(
    `Namespace rebuild of a bucket of ${KEYS} keys: ${versions} versions (1 KiB inline, delete markers on every tenth key), EC 4+4`,
  );
  console.log(
    `written at        ${rate(versions, fillSeconds)} versions/s (${fillSeconds.toFixed(1)} s, S3 at concurrency 16)`,
  );
  console.log(
    `rebuilt at        ${rate(restored, rebuildSeconds)} versions/s (${rebuildSeconds.toFixed(1)} s, ${calls} admin call(s), ${restored} restored)`,
  );
  console.log(
    `listed back at    ${rate(listed, walkSeconds)} versions/s (${walkSeconds.toFixed(1)} s, ${listed} listed)`,
  );
  console.log(`rebuild ÷ write   ${(fillSeconds / rebuildSeconds).toFixed(2)}×`);
  if (restored !== versions || listed !== versions) {
    console.log(`MISMATCH: wrote ${versions}, restored ${restored}, listed ${listed}`);
    process.exitCode = 1;
  }
} finally {
  await site.remove();
}
