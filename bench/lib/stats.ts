/**
 * Bench plumbing for summarising samples: nearest-rank percentiles (the
 * p-th percentile of n sorted samples is the ⌈p·n/100⌉-th, so p99 of 100
 * samples is the 99th and of 50 samples the largest), and a fixed summary
 * of a latency-like sample set.
 */

/** The nearest-rank `p`-th percentile of `sorted` (ascending); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Count, p50, p90, p99, max and mean of `samples` (in whatever unit they are). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, n) => total + n, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}
