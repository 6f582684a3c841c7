/**
 * Replication lag under a steady write load: PUTs of one body issued on the
 * source open-loop at `rate` per second for `seconds` (PUT i is due at
 * start + i/rate, whether or not earlier PUTs have answered; at most
 * `maxInFlight` are outstanding, and a PUT that has to wait for a slot is
 * late, which shows as an achieved rate below the target). Each version's
 * lag runs from its PUT's response on the source until a HEAD of that key
 * and version on the target succeeds (bench/lib/arrival-poller.ts).
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ArrivalPoller, type Arrival } from "./arrival-poller.ts";
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
  /** Versions found by their first HEAD (their lag is then at most the HEAD's round trip). */
  firstPollHits: number;
  heads: number;
  headErrors: number;
  headMs: Summary;
  /** HEADs per second over the whole measurement. */
  headRate: number;
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
  const poller = new ArrivalPoller(
    options.target,
    options.bucket,
    options.pollIntervalMs,
    options.pollConcurrency,
  );
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
  const heads = poller.heads;
  const headErrors = poller.errors;
  const missing = timedOut ? poller.outstanding : 0;
  poller.stop();
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
  };
}
