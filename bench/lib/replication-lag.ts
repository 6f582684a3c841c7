/**
 * Replication lag under a steady write load: PUTs of one body issued on the
 * source open-loop at `rate` per second for `seconds` (PUT i is due at
 * start + i/rate, whether or not earlier PUTs have answered; at most
 * `maxInFlight` are outstanding, and a PUT that has to wait for a slot is
 * late, which shows as an achieved rate below the target). Each version's
 * lag runs from its PUT's response on the source until the target shows
 * that key and version, in a listing (bench/lib/listing-poller.ts) or to a
 * HEAD (bench/lib/arrival-poller.ts). Once a
 * second the backlog is sampled: the source's own count of versions not yet
 * replicated (`pending`, when given) and the versions written but not yet
 * seen on the target.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { loadavg } from "node:os";
import { ArrivalPoller, type Arrival } from "./arrival-poller.ts";
import { ListingPoller } from "./listing-poller.ts";
import { summarize, type Summary } from "./stats.ts";

export interface LagOptions {
  source: S3Client;
  target: S3Client;
  bucket: string;
  /** Keys are `prefix`NNNNNN. */
  prefix: string;
  body: Uint8Array;
  rate: number;
  seconds: number;
  maxInFlight: number;
  pollIntervalMs: number;
  pollConcurrency: number;
  /** How long to wait, after the last PUT answered, for the rest to arrive. */
  settleMs: number;
  /**
   * How arrivals are seen: "list" (ListObjectVersions passes, one request
   * at a time, listing-poller.ts) or "head" (a HEAD per version,
   * arrival-poller.ts).
   */
  poll: "list" | "head";
  /** The source's count of versions still to replicate (its status route), sampled each second. */
  pending?: () => Promise<number>;
}

/** One backlog sample. */
export interface BacklogSample {
  /** Seconds after PUT 0 was due. */
  at: number;
  /** Versions the source still had to replicate (NaN when not sampled or unreadable). */
  pending: number;
  /** Versions whose PUT had answered but which the target did not show yet. */
  unseen: number;
  /** The machine's 1-minute load average then. */
  load: number;
  /** PUTs answered so far. */
  written: number;
}

export interface LagResult {
  planned: number;
  issued: number;
  putErrors: number;
  /** Seconds from the first PUT's send to the last PUT's send. */
  issueSeconds: number;
  /** PUTs sent per second over the issue phase. */
  achievedRate: number;
  /** PUTs sent more than 5 ms after they were due (waiting for a slot or the event loop). */
  late: number;
  putMs: Summary;
  arrived: number;
  /** Versions written but never seen on the target within `settleMs`. */
  missing: number;
  lagMs: Summary;
  /** Lag of the versions whose PUTs were sent in each `sliceSeconds` of the load, in order. */
  lagBySlice: Summary[];
  sliceSeconds: number;
  windowMs: Summary;
  /** Versions found by their first poll (their lag is then at most its round trip). */
  firstPollHits: number;
  /** Requests sent to the target to see arrivals (HEADs or list pages). */
  heads: number;
  headErrors: number;
  headMs: Summary;
  /** Those requests per second over the whole measurement. */
  headRate: number;
  /** The backlog once a second, from the first PUT until the last version arrived. */
  backlog: BacklogSample[];
}

const SLICE_SECONDS = 5;

/** Summaries of the lags of each `width` seconds of a `seconds`-long load (late PUTs count in the last). */
function slices(timeline: [number, number][], width: number, seconds: number): Summary[] {
  const count = Math.ceil(seconds / width);
  const lags: number[][] = Array.from({ length: count }, () => []);
  for (const [at, lag] of timeline)
    lags[Math.min(count - 1, Math.max(0, Math.floor(at / width)))].push(lag);
  return lags.map(summarize);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs the steady load and measures every version's lag. */
export async function measureLag(options: LagOptions): Promise<LagResult> {
  const planned = Math.round(options.rate * options.seconds);
  const period = 1000 / options.rate;
  const poller =
    options.poll === "head"
      ? new ArrivalPoller(
          options.target,
          options.bucket,
          options.pollIntervalMs,
          options.pollConcurrency,
        )
      : new ListingPoller(options.target, options.bucket, options.prefix, options.pollIntervalMs);
  const putMs: number[] = [];
  const lags: number[] = [];
  /** [seconds after PUT 0 was due, lag] per version. */
  const timeline: [number, number][] = [];
  const arrivals: Arrival[] = [];
  const puts: Promise<void>[] = [];
  const watching: Promise<void>[] = [];
  let issued = 0;
  let putErrors = 0;
  let late = 0;
  let inFlight = 0;
  let slotFreed: (() => void) | null = null;
  const began = performance.now();
  /** When PUT 0 is due. */
  const start = began + period;
  let written = 0;
  const backlog: BacklogSample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const at = (performance.now() - start) / 1000;
      const pending = options.pending
        ? await options.pending().catch(() => Number.NaN)
        : Number.NaN;
      backlog.push({ at, pending, unseen: written - lags.length, written, load: loadavg()[0] });
      await sleep(1000 - ((((performance.now() - start) % 1000) + 1000) % 1000));
    }
  })();

  const put = async (i: number): Promise<void> => {
    const key = `${options.prefix}${String(i).padStart(6, "0")}`;
    const sent = performance.now();
    let versionId: string | undefined;
    try {
      const output = await options.source.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: options.body }),
      );
      versionId = output.VersionId;
    } catch (error) {
      putErrors++;
      console.error(`  PUT ${key} failed: ${String(error)}`);
    } finally {
      inFlight--;
      slotFreed?.();
    }
    const done = performance.now();
    if (!versionId) return;
    putMs.push(done - sent);
    written++;
    watching.push(
      poller.watch(key, versionId).then((arrival) => {
        lags.push(arrival.at - done);
        timeline.push([(sent - start) / 1000, arrival.at - done]);
        arrivals.push(arrival);
      }),
    );
  };

  let first = 0;
  let last = 0;
  for (let i = 0; i < planned; i++) {
    const due = start + i * period;
    await sleep(due - performance.now());
    while (inFlight >= options.maxInFlight)
      await new Promise<void>((resolve) => (slotFreed = resolve));
    slotFreed = null;
    const now = performance.now();
    if (now - due > 5) late++;
    if (i === 0) first = now;
    last = now;
    inFlight++;
    issued++;
    puts.push(put(i));
  }
  const issueSeconds = (last - first) / 1000;
  await Promise.all(puts);
  // The settle time counts from when the last PUT has answered.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    Promise.all(watching).then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), options.settleMs))),
  ]);
  clearTimeout(timer);
  sampling = false;
  await sampler;
  const heads = poller instanceof ArrivalPoller ? poller.heads : poller.requests;
  const headErrors = poller.errors;
  const missing = timedOut ? poller.outstanding : 0;
  await poller.stop();
  const elapsed = (performance.now() - began) / 1000;
  return {
    planned,
    issued,
    putErrors,
    issueSeconds,
    achievedRate: issueSeconds > 0 ? (issued - 1) / issueSeconds : Number.NaN,
    late,
    putMs: summarize(putMs),
    arrived: lags.length,
    missing,
    lagMs: summarize(lags),
    lagBySlice: slices(timeline, SLICE_SECONDS, options.seconds),
    sliceSeconds: SLICE_SECONDS,
    windowMs: summarize(arrivals.filter((a) => a.polls > 1).map((a) => a.windowMs)),
    firstPollHits: arrivals.filter((a) => a.polls === 1).length,
    heads,
    headErrors,
    headMs: summarize(poller.roundTrips),
    headRate: heads / elapsed,
    backlog,
  };
}
