/**
 * Write-to-replica lag, as users feel it: from the source commit of a
 * change to the target's acknowledgement, queue wait and retries included.
 * Two views of the same samples:
 * - a cumulative Prometheus histogram per target over LAG_BUCKETS
 *   (`floe_replication_lag_seconds`);
 * - per-minute counts over fine geometric buckets (FINE_BASE_MS ·
 *   FINE_FACTOR^i), kept an hour, from which p50 and p99 over the last
 *   minute and hour are read. A percentile is the upper bound of the fine
 *   bucket it falls in, so it overstates the true value by at most 20 %.
 */

/** Upper bounds (seconds) of the lag histogram's buckets; the last count is +Inf. */
export const LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

const FINE_BASE_MS = 10;
const FINE_FACTOR = 1.2;
export const FINE_BUCKETS = 80;

/** The fine bucket of a lag in ms: the smallest i with lag ≤ FINE_BASE_MS · FINE_FACTOR^i. */
export function fineBucket(lagMs: number): number {
  if (lagMs <= FINE_BASE_MS) return 0;
  const i = Math.ceil(Math.log(lagMs / FINE_BASE_MS) / Math.log(FINE_FACTOR) - 1e-9);
  return Math.min(FINE_BUCKETS, i);
}

/** The upper bound (ms) of fine bucket i. */
export function fineBound(i: number): number {
  return FINE_BASE_MS * FINE_FACTOR ** i;
}

/** The index in LAG_BUCKETS (LAG_BUCKETS.length for +Inf) of a lag in ms. */
export function lagBucket(lagMs: number): number {
  const index = LAG_BUCKETS.findIndex((bound) => lagMs / 1000 <= bound);
  return index < 0 ? LAG_BUCKETS.length : index;
}

export interface LagWindow {
  count: number;
  /** Null when the window holds no sample. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** p50 and p99 of fine-bucket counts (bucket index → samples). */
export function percentiles(counts: ReadonlyMap<number, number>): LagWindow {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return { count: 0, p50Ms: null, p99Ms: null };
  const sorted = [...counts.entries()].sort((x, y) => x[0] - y[0]);
  const at = (q: number) => {
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [bucket, n] of sorted) {
      seen += n;
      if (seen >= rank) return Math.round(fineBound(bucket));
    }
    return Math.round(fineBound(sorted[sorted.length - 1][0]));
  };
  return { count: total, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Target ARN → lag objective (s), for the targets that have one. */
export function lagObjectives(
  targets: readonly { arn: string; lagSloSeconds: number | null }[],
): Record<string, number> {
  return Object.fromEntries(
    targets.flatMap((t) => (t.lagSloSeconds === null ? [] : [[t.arn, t.lagSloSeconds]])),
  );
}
