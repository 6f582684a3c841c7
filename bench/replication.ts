/**
 * `npm run bench:replication [-- --quick]`: asynchronous bucket replication
 * between two real local sites, A → B, each started in its own process
 * exactly as `npm start` starts one (test/e2e/harness/site.ts), set up as
 * an operator does (test/e2e/harness/replication.ts: versioned buckets, the
 * remote user on B, a remote target and a rule with default elements on A),
 * and driven with @aws-sdk/client-s3 configured as the e2e tests configure
 * it. Prints figures; it never fails on time.
 *
 * What is measured:
 *   - lag: 64 KiB PUTs on A at a steady 50 PUT/s for 20 s (5 s with
 *     --quick), open-loop; each version's lag runs from its PUT's response
 *     on A until a HEAD of that key and version on B succeeds, polled every
 *     50 ms per version with at most 8 HEADs in flight
 *     (bench/lib/replication-lag.ts, bench/lib/arrival-poller.ts), with
 *     the backlog (A's pending count, versions not yet seen on B) sampled
 *     once a second;
 *   - bulk: 1,000 × 1 MiB PUTs on A (200 with --quick), 8 at a time, timed
 *     until B holds them all (A's admin status route, confirmed by listing
 *     B), against the same PUTs into an unreplicated bucket on A as the
 *     in-run baseline (bench/lib/replication-bulk.ts).
 * One random 64 KiB and one random 1 MiB buffer are made once and sent
 * again and again, so memory stays bounded. A full run writes its figures
 * to docs/performance.md under "## Replication (`npm run bench:replication`)";
 * a --quick run only prints them. Options (bench/lib/replication-settings.ts):
 * --quick, --seconds N, --rate N, --objects N, --poll-ms N,
 * --poll-concurrency N, --config PATH, --lag-only. Both sites and their state are removed at the end,
 * on error and on SIGINT / SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { s3Client } from "../test/e2e/harness/clients.ts";
import { remoteUser, replicate, versionedBucket } from "../test/e2e/harness/replication.ts";
import { startSite } from "../test/e2e/harness/site.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { MachineFacts } from "./lib/machine.ts";
import { measureBulk, putObjects } from "./lib/replication-bulk.ts";
import { measureLag } from "./lib/replication-lag.ts";
import {
  backlogSection,
  bulkSection,
  lagSection,
  methodSection,
} from "./lib/replication-report.ts";
import { settingsFromArgs } from "./lib/replication-settings.ts";
import { meanTransferMs, targetCounts } from "./lib/replication-status.ts";
import { formatMarkdown, writeSection } from "./lib/report.ts";

// The pinned SDK warns under Node 20 about its future releases (as cli/bin/floe.mjs says).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const SETTINGS = settingsFromArgs(process.argv.slice(2));
const quick = SETTINGS.quick;
const DOC = resolve(import.meta.dirname, "../docs/performance.md");
const HEADING = "## Replication (`npm run bench:replication`)";

async function main(): Promise<void> {
  const began = performance.now();
  const machine = new MachineFacts();
  const cleanup = new Cleanup().onSignals("both sites");
  try {
    console.log(
      `bench:replication${quick ? " (quick)" : ""}: starting sites A and B, each in its own process…`,
    );
    const [a, b] = await Promise.all([
      cleanup.track(
        startSite({ state: cleanup.tempDir("floe-bench-repl-a-"), config: SETTINGS.config }),
      ),
      cleanup.track(
        startSite({ state: cleanup.tempDir("floe-bench-repl-b-"), config: SETTINGS.config }),
      ),
    ]);
    try {
      await remoteUser(b);
      for (const bucket of ["lag", "bulk"]) {
        await versionedBucket(a, bucket);
        await versionedBucket(b, bucket);
        await replicate(a, b, bucket);
      }
      await versionedBucket(a, "control");
      const [sa, sb] = [s3Client(a), s3Client(b)];
      const small = randomBytes(SETTINGS.lagObjectSize);
      const big = randomBytes(SETTINGS.bulkObjectSize);
      const lagOptions = {
        source: sa,
        target: sb,
        bucket: "lag",
        body: small,
        maxInFlight: SETTINGS.maxPutsInFlight,
        pollIntervalMs: SETTINGS.pollIntervalMs,
        pollConcurrency: SETTINGS.pollConcurrency,
        poll: SETTINGS.poll,
        settleMs: SETTINGS.settleMs,
      };

      console.log("warm-up: 20 replicated PUTs…");
      await measureLag({ ...lagOptions, prefix: "warm/", rate: 10, seconds: 2 });

      console.log(`lag: ${SETTINGS.rate} PUT/s of 64 KiB for ${SETTINGS.seconds} s…`);
      const lagBefore = await targetCounts(a, "lag");
      const lag = await measureLag({
        ...lagOptions,
        prefix: "lag/",
        rate: SETTINGS.rate,
        seconds: SETTINGS.seconds,
        pending: async () => (await targetCounts(a, "lag")).pendingCount,
      });
      const lagTransferMs = meanTransferMs(lagBefore, await targetCounts(a, "lag"));
      console.log(
        `  ${lag.arrived}/${lag.issued} arrived; lag p50 ${lag.lagMs.p50.toFixed(0)} ms, ` +
          `p99 ${lag.lagMs.p99.toFixed(0)} ms, max ${lag.lagMs.max.toFixed(0)} ms`,
      );

      let bulkReport: string | null = null;
      if (!SETTINGS.lagOnly) {
        const count = SETTINGS.objects;
        console.log(`bulk, baseline: ${count} × 1 MiB PUTs on A into an unreplicated bucket…`);
        const control = await putObjects(
          sa,
          a,
          "control",
          "bulk/",
          count,
          big,
          SETTINGS.bulkConcurrency,
        );
        console.log(`  ${control.seconds.toFixed(1)} s`);

        console.log(`bulk: ${count} × 1 MiB PUTs on A, until B holds them all…`);
        const bulk = await measureBulk({
          source: a,
          target: b,
          sourceS3: sa,
          targetS3: sb,
          bucket: "bulk",
          count,
          body: big,
          concurrency: SETTINGS.bulkConcurrency,
          pollMs: SETTINGS.statusPollMs,
          stallMs: SETTINGS.stallMs,
        });
        console.log(
          `  PUTs ${bulk.put.seconds.toFixed(1)} s, all on B after ${bulk.replicatedSeconds.toFixed(1)} s ` +
            `(${bulk.onTarget} versions listed on B)`,
        );
        bulkReport = bulkSection(SETTINGS, control, bulk);
      }

      const markdown = await formatMarkdown(
        [
          methodSection(SETTINGS),
          "",
          machine.describe(),
          "",
          lagSection(SETTINGS, lag, lagTransferMs),
          "",
          backlogSection(lag),
          ...(bulkReport === null ? [] : ["", bulkReport]),
        ].join("\n"),
        DOC,
      );
      console.log(`\n${HEADING}\n\n${markdown}`);
      if (quick || SETTINGS.lagOnly)
        console.log("Quick or lag-only run: docs/performance.md left as it is.");
      else {
        writeSection(DOC, "Performance", HEADING, markdown);
        console.log("Written to docs/performance.md.");
      }
      console.log(`Whole run ${((performance.now() - began) / 1000).toFixed(0)} s.`);
    } catch (error) {
      console.error(`\nsite A output:\n${a.output().slice(-4000)}`);
      console.error(`\nsite B output:\n${b.output().slice(-4000)}`);
      throw error;
    }
  } finally {
    await cleanup.run();
  }
}

await main();
