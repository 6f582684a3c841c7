/**
 * The Markdown `npm run bench:replication` prints and writes to
 * docs/performance.md: how it measures, the lag table and the bulk table.
 * Targets are shown as met or not met; nothing here fails on time.
 */
import type { BulkResult, PutPhase } from "./replication-bulk.ts";
import type { LagResult } from "./replication-lag.ts";
import type { ReplicationSettings } from "./replication-settings.ts";
import { table } from "./report.ts";

const fixed = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "–";
const ms = (n: number) => `${fixed(n)} ms`;
const MB = 1e6;

/** The paragraphs that say what was run and how. */
export function methodSection(s: ReplicationSettings): string {
  return [
    "Two local sites, A and B, each in its own process and workerd, started as `npm start` " +
      `starts a site (${s.config === "wrangler.toml" ? "wrangler.toml's default layout" : `configuration ${s.config}`}, the cron scanner off), with one-way ` +
      "asynchronous replication A → B per bucket set up as an operator does (versioning on both " +
      "buckets, the remote user on B, a remote target and one rule with default elements on A). " +
      "Replication goes through the local Cloudflare Queue (batches of up to 10 messages, or " +
      "whatever has come after 1 s); a consumer woken for the bucket drains every change " +
      "awaiting its first attempt, 64 transfers at a time, so a version does not wait for its " +
      "own message (docs/replication.md, Failures and retries). The bench drives both sites with `@aws-sdk/client-s3` " +
      "configured as the e2e tests configure it (path style, one attempt, a connection per " +
      "request). The bench process and both sites share the machine's cores, so polling B and " +
      "writing A both take CPU from the replication being measured.",
    "",
    `Lag: ${fixed(s.lagObjectSize / 1024)} KiB PUTs on A issued open-loop at ${fixed(s.rate)} ` +
      `PUT/s for ${fixed(s.seconds)} s (at most ${s.maxPutsInFlight} outstanding). A version's lag ` +
      "runs from its PUT's response on A until B shows that key and version ID. " +
      (s.poll === "list"
        ? `B is listed (ListObjectVersions, one request at a time) every ${s.pollIntervalMs} ms, ` +
          "from the lowest key not yet seen to the highest written, so seeing arrivals costs " +
          "the same however many versions are in flight. The granularity row is how precisely " +
          "an arrival is known: from the start of the last pass that missed it to the response " +
          "of the page that showed it."
        : `Each version is polled with a HEAD at most every ${s.pollIntervalMs} ms, from its ` +
          `PUT's response on, with at most ${s.pollConcurrency} HEADs in flight. The granularity ` +
          "row is how precisely an arrival is known: the time from sending the last HEAD that " +
          "missed to the response of the one that found it.") +
      " A's own mean transfer time (from its consumer starting to send a version " +
      "to B's answer, read from A's admin status route) shows how much of the lag is the " +
      "transfer; the rest is the wait for a free transfer slot, the consumer's bookkeeping and the " +
      "polling. After a 2 s " +
      "warm-up of 20 replicated PUTs.",
    "",
    `Bulk: ${fixed(s.objects)} PUTs of ${fixed(s.bulkObjectSize / 1024 / 1024)} MiB on A, ` +
      `${s.bulkConcurrency} at a time, first into an unreplicated bucket (the in-run baseline: ` +
      "what A takes without replicating), then into a replicated one, timed from the first PUT " +
      "until B holds every version (the replicated count of A's admin status route, read every " +
      `${s.statusPollMs} ms, confirmed by listing B's versions). One random buffer of each size ` +
      "is sent again and again. MB = 10^6 bytes.",
  ].join("\n");
}

/** The lag table; `transferMs` is A's mean time to send one version to B, from its status route. */
export function lagSection(s: ReplicationSettings, lag: LagResult, transferMs: number): string {
  const met = lag.missing === 0 && lag.lagMs.p99 < s.lagTargetMs;
  const arrivals =
    lag.missing === 0 && lag.arrived === lag.issued - lag.putErrors
      ? `${fixed(lag.arrived)} of ${fixed(lag.issued - lag.putErrors)}: all arrived`
      : `${fixed(lag.arrived)} of ${fixed(lag.issued - lag.putErrors)}: ${fixed(lag.missing)} not seen ${s.settleMs / 1000} s after the last PUT`;
  return [
    `### Lag at ${fixed(s.rate)} PUT/s of ${fixed(s.lagObjectSize / 1024)} KiB for ${fixed(s.seconds)} s`,
    "",
    table(["", "figure"], "lr", [
      ["PUTs issued on A (planned)", `${fixed(lag.issued)} (${fixed(lag.planned)})`],
      ["PUTs failed", fixed(lag.putErrors)],
      [
        "achieved PUT rate",
        `${fixed(lag.achievedRate, 1)} PUT/s (${fixed(lag.late)} sent > 5 ms late)`,
      ],
      ["PUT latency on A, p50 / p99", `${ms(lag.putMs.p50)} / ${ms(lag.putMs.p99)}`],
      ["versions seen on B", arrivals],
      ["lag p50", ms(lag.lagMs.p50)],
      ["lag p90", ms(lag.lagMs.p90)],
      [
        "lag p99",
        `${ms(lag.lagMs.p99)} (target < ${fixed(s.lagTargetMs)} ms: ${met ? "met" : "not met"})`,
      ],
      ["lag max", ms(lag.lagMs.max)],
      ["lag mean", ms(lag.lagMs.mean)],
      ["of which A sending to B, mean (A's status route)", ms(transferMs)],
      [
        "polling granularity, p50 / p90",
        `${ms(lag.windowMs.p50)} / ${ms(lag.windowMs.p90)} (${fixed(lag.firstPollHits)} found by their first poll)`,
      ],
      [
        s.poll === "list" ? "list requests on B" : "HEADs on B",
        `${fixed(lag.heads)} (${fixed(lag.headRate)}/s; ${fixed(lag.headErrors)} errors${s.poll === "list" ? "" : " other than 404"})`,
      ],
      [
        `${s.poll === "list" ? "list" : "HEAD"} round trip, p50 / p99`,
        `${ms(lag.headMs.p50)} / ${ms(lag.headMs.p99)}`,
      ],
    ]),
    "",
    `Lag over the run, by when the PUT was sent (${lag.sliceSeconds} s slices): a lag that grows ` +
      "from slice to slice means replication falls behind the load.",
    "",
    table(
      ["PUTs sent", "versions", "lag p50", "lag p99", "lag max"],
      "lrrrr",
      lag.lagBySlice.map((slice, i) => [
        `${i * lag.sliceSeconds}–${(i + 1) * lag.sliceSeconds} s`,
        fixed(slice.count),
        ms(slice.p50),
        ms(slice.p99),
        ms(slice.max),
      ]),
    ),
  ].join("\n");
}

/** The backlog every `step` seconds (and the last sample): A's pending count and what B did not show yet. */
export function backlogSection(lag: LagResult, step = 5): string {
  const samples = lag.backlog.filter(
    (sample, i, all) =>
      sample.at >= 0 &&
      (i === all.length - 1 ||
        (Math.round(sample.at) % step === 0 &&
          Math.round(sample.at) !== Math.round(all[i - 1]?.at ?? -1))),
  );
  return [
    `Backlog over the run, every ${step} s from the first PUT until the last version arrived: ` +
      "versions A still counted as pending (its status route) and versions whose PUT had " +
      "answered but which B did not show yet (the bench's own polling). A backlog that stays " +
      "flat while PUTs go on means replication keeps up with the load. Load: the machine's " +
      "1-minute load average at the sample.",
    "",
    table(
      ["second", "PUTs answered", "pending on A", "not yet seen on B", "load"],
      "rrrrr",
      samples.map((sample) => [
        fixed(sample.at),
        fixed(sample.written),
        fixed(sample.pending),
        fixed(sample.unseen),
        sample.load.toFixed(1),
      ]),
    ),
  ].join("\n");
}

/** The bulk table: the baseline PUTs, the replicated PUTs and replication, and their ratios. */
export function bulkSection(s: ReplicationSettings, control: PutPhase, bulk: BulkResult): string {
  const bytes = s.objects * s.bulkObjectSize;
  const row = (what: string, seconds: number, cpuA: string, cpuB: string) => [
    what,
    fixed(seconds, 1),
    fixed(bytes / MB / seconds, 1),
    fixed(s.objects / seconds, 1),
    cpuA,
    cpuB,
  ];
  const complete = bulk.onTarget === s.objects && Number.isFinite(bulk.replicatedSeconds);
  const lines = [
    `### Bulk: ${fixed(s.objects)} × ${fixed(s.bulkObjectSize / 1024 / 1024)} MiB`,
    "",
    table(["phase", "seconds", "MB/s", "objects/s", "A CPU s", "B CPU s"], "lrrrrr", [
      row(
        "PUTs on A, unreplicated bucket (baseline)",
        control.seconds,
        fixed(control.sourceCpu, 1),
        "",
      ),
      row("PUTs on A, replicated bucket", bulk.put.seconds, "", ""),
      row(
        "replicated: first PUT on A until B holds all",
        bulk.replicatedSeconds,
        fixed(bulk.sourceCpu, 1),
        fixed(bulk.targetCpu, 1),
      ),
    ]),
    "",
    `Replication ÷ its own PUT phase: ${fixed(bulk.replicatedSeconds / bulk.put.seconds, 2)}×; ` +
      `replication ÷ the baseline PUTs: ${fixed(bulk.replicatedSeconds / control.seconds, 2)}×; ` +
      `the last version reached B ${fixed(bulk.replicatedSeconds - bulk.put.seconds, 1)} s after ` +
      `the last PUT answered; A took ${ms(bulk.transferMs)} on average to send one version to B. B lists ${fixed(bulk.onTarget)} of ${fixed(s.objects)} versions` +
      `${complete ? "" : " (not all arrived)"}; versions marked FAILED on A: ${fixed(bulk.failed)}. ` +
      "CPU s: seconds of CPU used by each site's processes (node and workerd, from /proc) " +
      "over the phase.",
  ];
  return lines.join("\n");
}
