/**
 * `npm run bench:resync [-- --quick]`: recovery after the total loss of a
 * site, and `replicate verify` at scale, on two real local sites A and B
 * (each in its own process, started as `npm start` starts one; buckets,
 * remote user, target and rules set up as an operator does).
 *
 * 1. Baseline: A is filled by a plain PUT loop (signed PUTs, 16 at a time
 *    for 1 KiB objects, 8 for 1 MiB) into buckets with no rule yet: what A
 *    takes to store the data, the same-run yardstick.
 * 2. Rules with existing-object replication are added: the existing-object
 *    job copies everything to B (timed).
 * 3. Total loss of B: stopped, its state deleted, started again empty on
 *    the same port, buckets and remote user recreated. `replicate resync
 *    start` on A, timed until each job ends, then verify proves the sites
 *    equal.
 * 4. Verify at scale: a bucket on A is filled with 0-byte objects, A's
 *    state is copied into a third site C (so C holds exactly the same
 *    versions without sending each twice), A gets a remote target on C,
 *    and `replicate verify` of the two equal sites is timed, then again
 *    after one tag changed on C.
 * Sizes: 10,000 × 1 KiB, 1,000 × 1 MiB, 100,000 versions to verify;
 * --quick: 1,000, 100, 10,000. Options: --small N, --large N, --verify N,
 * --skip-resync, --skip-verify.
 * Targets (printed, never enforced): resync ≥ 200 small versions/s,
 * ≥ 60 MB/s of 1 MiB versions, verify of 100,000 versions < 10 s. A full
 * run writes docs/performance.md's "## Resync and verify" section.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../test/e2e/harness/clients.ts";
import {
  addTarget,
  putReplication,
  remoteUser,
  versionedBucket,
} from "../test/e2e/harness/replication.ts";
import { startSite, type Site } from "../test/e2e/harness/site.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { MachineFacts } from "./lib/machine.ts";
import { formatMarkdown, table, writeSection } from "./lib/report.ts";
import { meanTransferMs, targetCounts } from "./lib/replication-status.ts";
import {
  awaitJob,
  cloneSite,
  fill,
  loseSite,
  startResync,
  timeVerify,
  type Phase,
  type VerifyTiming,
} from "./lib/resync-drill.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const SMALL = option("--small", quick ? 1_000 : 10_000);
const LARGE = option("--large", quick ? 100 : 1_000);
const VERIFY = option("--verify", quick ? 10_000 : 100_000);
const DOC = resolve(import.meta.dirname, "../docs/performance.md");
const HEADING = "## Resync and verify (`npm run bench:resync`)";
const MB = 1e6;

const rate = (phase: Phase) => phase.versions / phase.seconds;
const mbps = (phase: Phase) => phase.bytes / MB / phase.seconds;
const f = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function setUp(a: Site, b: Site, buckets: string[]): Promise<void> {
  await remoteUser(b);
  for (const bucket of buckets) {
    await versionedBucket(a, bucket);
    await versionedBucket(b, bucket);
  }
}

async function rule(a: Site, b: Site, bucket: string): Promise<string> {
  const arn = await addTarget(a, bucket, b);
  const res = await putReplication(a, bucket, [{ arn, existing: true }]);
  if (res.status !== 200) throw new Error(`put replication: ${res.status} ${res.body}`);
  return arn;
}

interface ResyncFigures {
  putSmall: Phase;
  putLarge: Phase;
  existing: Record<string, { seconds: number }>;
  resync: Record<string, Phase & { status: string }>;
  verified: Record<string, VerifyTiming>;
}

async function resyncDrill(a: Site, b: Site): Promise<ResyncFigures> {
  await setUp(a, b, ["small", "large"]);
  const small = randomBytes(1024);
  const large = randomBytes(1024 * 1024);
  console.log(`baseline: plain PUT loop on A, ${SMALL} × 1 KiB and ${LARGE} × 1 MiB…`);
  const putSmall = await fill(a, "small", SMALL, small, 16);
  const putLarge = await fill(a, "large", LARGE, large, 8);
  console.log(`  ${f(rate(putSmall))} PUT/s; ${f(mbps(putLarge), 1)} MB/s`);

  console.log("existing-object replication to the empty B…");
  const arns: Record<string, string> = {};
  const existing: Record<string, { seconds: number }> = {};
  for (const bucket of ["small", "large"]) {
    const started = performance.now();
    arns[bucket] = await rule(a, b, bucket);
    existing[bucket] = await awaitJob(a, bucket, arns[bucket], started);
    console.log(`  ${bucket}: ${f(existing[bucket].seconds, 1)} s`);
  }

  console.log("total loss of B; resync from A…");
  await loseSite(b, ["small", "large"]);
  const resync: Record<string, Phase & { status: string }> = {};
  const verified: Record<string, VerifyTiming> = {};
  for (const bucket of ["small", "large"]) {
    const arn = arns[bucket];
    const before = await targetCounts(a, bucket);
    const { state, seconds } = await awaitJob(a, bucket, arn, await startResync(a, bucket, arn));
    const transferMs = meanTransferMs(before, await targetCounts(a, bucket));
    const count = bucket === "small" ? SMALL : LARGE;
    resync[bucket] = {
      seconds,
      versions: count,
      bytes: count * (bucket === "small" ? small : large).byteLength,
      status: `${state.status}: ${state.replicatedCount} sent, ${state.skippedCount} skipped, ${state.failedCount} failed; mean ${f(transferMs)} ms per version from the skip check to B's answer`,
    };
    verified[bucket] = await timeVerify(a, bucket, arn);
    console.log(
      `  ${bucket}: ${f(seconds, 1)} s (${resync[bucket].status}); verify equal: ${verified[bucket].equal}`,
    );
  }
  return { putSmall, putLarge, existing, resync, verified };
}

interface VerifyFigures {
  filled: Phase;
  equalRun: VerifyTiming;
  oneDiff: VerifyTiming;
}

async function verifyAtScale(a: Site, cleanup: Cleanup): Promise<VerifyFigures> {
  console.log(`verify at scale: ${VERIFY} versions on A, A's state cloned into a site C…`);
  await versionedBucket(a, "verify");
  await remoteUser(a);
  const filled = await fill(a, "verify", VERIFY, new Uint8Array(0), 16);
  console.log(`  filled at ${f(rate(filled))} PUT/s`);
  const c = await cloneSite(a, cleanup);
  const arn = await addTarget(a, "verify", c);
  const equalRun = await timeVerify(a, "verify", arn);
  await s3Client(c).send(
    new PutObjectTaggingCommand({
      Bucket: "verify",
      Key: "d00/obj-0000000",
      Tagging: { TagSet: [{ Key: "drift", Value: "c" }] },
    }),
  );
  const oneDiff = await timeVerify(a, "verify", arn);
  console.log(
    `  equal sites: ${f(equalRun.seconds, 2)} s (equal: ${equalRun.equal}); one difference: ${f(oneDiff.seconds, 2)} s (${oneDiff.differences} found)`,
  );
  return { filled, equalRun, oneDiff };
}

async function main(): Promise<void> {
  const machine = new MachineFacts();
  const cleanup = new Cleanup().onSignals("the sites");
  const [a, b] = await Promise.all([
    cleanup.track(startSite({ state: cleanup.tempDir("floe-bench-resync-a-") })),
    cleanup.track(startSite({ state: cleanup.tempDir("floe-bench-resync-b-") })),
  ]);
  try {
    const drill = args.includes("--skip-resync") ? null : await resyncDrill(a, b);
    const scale = args.includes("--skip-verify") ? null : await verifyAtScale(a, cleanup);
    const markdown = await formatMarkdown(report(machine, drill, scale), DOC);
    console.log(`\n${HEADING}\n\n${markdown}`);
    if (args.length > 0) console.log("Not a full default run: docs/performance.md left as it is.");
    else {
      writeSection(DOC, "Performance", HEADING, markdown);
      console.log("Written to docs/performance.md.");
    }
  } catch (error) {
    console.error(`\nsite A output:\n${a.output().slice(-4000)}`);
    console.error(`\nsite B output:\n${b.output().slice(-4000)}`);
    throw error;
  } finally {
    await cleanup.run();
  }
}

function report(
  machine: MachineFacts,
  drill: ResyncFigures | null,
  scale: VerifyFigures | null,
): string {
  const met = (ok: boolean) => (ok ? "met" : "not met");
  const rows: string[][] = [];
  const notes: string[] = [];
  if (drill) {
    const rs = drill.resync.small;
    const rl = drill.resync.large;
    rows.push(
      [
        `resync, ${f(SMALL)} × 1 KiB`,
        `${f(rate(rs))} versions/s (${f(rs.seconds, 1)} s)`,
        `${f(rate(drill.putSmall))} PUT/s`,
        `${f(rate(rs) / rate(drill.putSmall), 2)}×`,
        `≥ 200/s (${met(rate(rs) >= 200)})`,
      ],
      [
        `resync, ${f(LARGE)} × 1 MiB`,
        `${f(mbps(rl), 1)} MB/s (${f(rl.seconds, 1)} s)`,
        `${f(mbps(drill.putLarge), 1)} MB/s`,
        `${f(mbps(rl) / mbps(drill.putLarge), 2)}×`,
        `≥ 60 MB/s (${met(mbps(rl) >= 60)})`,
      ],
      [
        `existing-object replication, ${f(SMALL)} × 1 KiB`,
        `${f(SMALL / (drill.existing.small?.seconds ?? NaN))} versions/s`,
        `${f(rate(drill.putSmall))} PUT/s`,
        `${f(SMALL / (drill.existing.small?.seconds ?? NaN) / rate(drill.putSmall), 2)}×`,
        "",
      ],
      [
        `existing-object replication, ${f(LARGE)} × 1 MiB`,
        `${f((LARGE * 1024 * 1024) / MB / (drill.existing.large?.seconds ?? NaN), 1)} MB/s`,
        `${f(mbps(drill.putLarge), 1)} MB/s`,
        `${f((LARGE * 1024 * 1024) / MB / (drill.existing.large?.seconds ?? NaN) / mbps(drill.putLarge), 2)}×`,
        "",
      ],
    );
    notes.push(
      `Resync jobs: small ${rs.status}; large ${rl.status}. Verify after each resync: ${drill.verified.small?.equal && drill.verified.large?.equal ? "equal" : "NOT equal"}.`,
    );
  }
  if (scale) {
    rows.push(
      [
        `verify, ${f(VERIFY)} versions, equal sites`,
        `${f(scale.equalRun.seconds, 2)} s (${f(scale.equalRun.rangesCompared)} ranges)`,
        `${f(rate(scale.filled))} PUT/s (0 B)`,
        "",
        `< 10 s for 100,000 (${VERIFY === 100_000 ? met(scale.equalRun.seconds < 10) : "not measured at that size"})`,
      ],
      [
        `verify, ${f(VERIFY)} versions, one tag changed on the copy`,
        `${f(scale.oneDiff.seconds, 2)} s (${scale.oneDiff.rangesDiffering} range compared by version)`,
        "",
        "",
        "",
      ],
    );
  }
  return [
    [
      "Two local sites.",
      drill
        ? `Resync: A holds ${f(SMALL)} × 1 KiB and ${f(LARGE)} × 1 MiB versions, filled by a plain PUT loop (the same-run baseline); rules with existing-object replication copy them to B; B then loses all its state, comes back empty, and \`replicate resync start\` on A restores it, timed until the job ends.`
        : "",
      scale
        ? `Verify: ${f(VERIFY)} 0-byte versions on A, A's state copied into a second site, and \`replicate verify\` between the two timed through the admin API.`
        : "",
    ]
      .filter(Boolean)
      .join(" "),
    "",
    machine.describe(),
    "",
    table(
      ["figure", "measured", "baseline (plain PUT loop on A)", "ratio", "target"],
      "lrrrl",
      rows,
    ),
    "",
    ...notes,
  ].join("\n");
}

await main();
