/**
 * What `npm run bench:replication` runs, from its command line: --quick
 * (or FLOE_BENCH_QUICK=1) for a short run (5 s of lag load, 200 bulk
 * objects, nothing written to the docs), --seconds N and --rate N for the
 * lag load, --objects N for the bulk run, --poll-ms N and
 * --poll-concurrency N for the HEAD polling of B, --config PATH for another
 * wrangler configuration (e.g. other queue batch settings) on both sites,
 * --lag-only to skip the bulk run (nothing is written to the docs then),
 * --poll list|head for how arrivals on B are seen (default list).
 * Everything else is fixed here so the report can state it.
 */
import { parseArgs } from "node:util";
import { MiB } from "./load.ts";

export interface ReplicationSettings {
  quick: boolean;
  /** Only the lag measurement (no bulk run, docs left as they are). */
  lagOnly: boolean;
  /** How arrivals on B are seen: list passes or a HEAD per version. */
  poll: "list" | "head";
  /** The wrangler configuration both sites run with (scripts/start.mjs --config). */
  config: string;
  /** Lag load: PUTs per second, for `seconds`, of `lagObjectSize` bytes. */
  rate: number;
  seconds: number;
  lagObjectSize: number;
  /** PUTs outstanding at most before the load falls behind its schedule. */
  maxPutsInFlight: number;
  /**
   * Polling of B: a list pass every `pollIntervalMs`; or with HEADs, each
   * version at most every `pollIntervalMs`, `pollConcurrency` in flight.
   */
  pollIntervalMs: number;
  pollConcurrency: number;
  /** How long after the last PUT to wait for stragglers. */
  settleMs: number;
  /** Bulk: `objects` PUTs of `bulkObjectSize`, `bulkConcurrency` at a time. */
  objects: number;
  bulkObjectSize: number;
  bulkConcurrency: number;
  /** How often A's replication status is read during the bulk run. */
  statusPollMs: number;
  /** The bulk run gives up when nothing has arrived for this long. */
  stallMs: number;
  /** The target for p99 lag. */
  lagTargetMs: number;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} expects a positive number, got "${raw}"`);
  return n;
}

function pollMode(raw: string | undefined): "list" | "head" {
  if (raw === undefined || raw === "list" || raw === "head") return raw ?? "list";
  throw new Error(`--poll expects list or head, got "${raw}"`);
}

/** The settings for `args` (process.argv without node and the script). */
export function settingsFromArgs(args: string[]): ReplicationSettings {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: process.env.FLOE_BENCH_QUICK === "1" },
      seconds: { type: "string" },
      rate: { type: "string" },
      objects: { type: "string" },
      "poll-ms": { type: "string" },
      "poll-concurrency": { type: "string" },
      config: { type: "string" },
      "lag-only": { type: "boolean", default: false },
      poll: { type: "string", default: "list" },
    },
  });
  const quick = values.quick === true;
  return {
    quick,
    lagOnly: values["lag-only"] === true,
    poll: pollMode(values.poll),
    config: values.config ?? "wrangler.toml",
    rate: positive("rate", values.rate, 50),
    seconds: positive("seconds", values.seconds, quick ? 5 : 20),
    lagObjectSize: 64 * 1024,
    maxPutsInFlight: 32,
    pollIntervalMs: positive("poll-ms", values["poll-ms"], 50),
    pollConcurrency: Math.ceil(positive("poll-concurrency", values["poll-concurrency"], 8)),
    settleMs: 60_000,
    objects: Math.ceil(positive("objects", values.objects, quick ? 200 : 1000)),
    bulkObjectSize: MiB,
    bulkConcurrency: 8,
    statusPollMs: 250,
    stallMs: 60_000,
    lagTargetMs: 2000,
  };
}
