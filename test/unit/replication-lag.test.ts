import { describe, expect, it } from "vitest";
import {
  fineBound,
  fineBucket,
  lagBucket,
  lagObjectives,
  LAG_BUCKETS,
  percentiles,
} from "../../shared/replication/lag.ts";
import { resyncEta } from "../../durable-objects/bucket/replication/resync.ts";
import { jobText, lagRows } from "../../cli/commands/replicate/status.ts";
import type { TargetStatus } from "../../shared/admin-api/replication.ts";
import { parseLagSlo } from "../../cli/replication/targets.ts";

describe("lag buckets", () => {
  it("puts a lag in the smallest fine bucket whose bound holds it", () => {
    for (const lag of [0, 5, 10, 11, 99, 1_000, 34_200, 3_600_000]) {
      const i = fineBucket(lag);
      expect(fineBound(i)).toBeGreaterThanOrEqual(lag);
      if (i > 0) expect(fineBound(i - 1)).toBeLessThan(lag);
    }
  });

  it("maps a lag to its Prometheus bucket, +Inf past the last bound", () => {
    expect(lagBucket(100)).toBe(0);
    expect(lagBucket(101)).toBe(1);
    expect(lagBucket(30_000)).toBe(LAG_BUCKETS.indexOf(30));
    expect(lagBucket(3_600_001)).toBe(LAG_BUCKETS.length);
  });

  it("reads p50 and p99 from fine-bucket counts, within 20 % above the true value", () => {
    const samples = [
      ...Array.from({ length: 98 }, () => 200),
      ...Array.from({ length: 2 }, () => 5_000),
    ];
    const counts = new Map<number, number>();
    for (const s of samples) counts.set(fineBucket(s), (counts.get(fineBucket(s)) ?? 0) + 1);
    const { count, p50Ms, p99Ms } = percentiles(counts);
    expect(count).toBe(100);
    expect(p50Ms).toBeGreaterThanOrEqual(200);
    expect(p50Ms).toBeLessThanOrEqual(240);
    expect(p99Ms).toBeGreaterThanOrEqual(5_000);
    expect(p99Ms).toBeLessThanOrEqual(6_000);
    expect(percentiles(new Map())).toEqual({ count: 0, p50Ms: null, p99Ms: null });
  });

  it("maps targets to their lag objectives, leaving out those without", () => {
    expect(
      lagObjectives([
        { arn: "a", lagSloSeconds: 30 },
        { arn: "b", lagSloSeconds: null },
      ]),
    ).toEqual({ a: 30 });
  });
});

describe("resync ETA", () => {
  it("is the versions left at the rate so far; null before the first; 0 when none are left", () => {
    expect(resyncEta(100, 300, 10_000)).toBe(30);
    expect(resyncEta(0, 300, 10_000)).toBeNull();
    expect(resyncEta(300, 0, 10_000)).toBe(0);
  });
});

describe("replicate status text", () => {
  const job = {
    mode: "existing",
    status: "Ongoing",
    total: 1,
    replicatedCount: 2,
    skippedCount: 0,
    failedCount: 0,
    etaSeconds: 65,
  };

  it("never shows a job past 100 %, and shows its ETA", () => {
    expect(jobText(job)).toBe(
      "existing Ongoing: 1/1 (100%), replicated 2, skipped 0, failed 0, ETA 1m05s",
    );
  });

  it("shows lag percentiles per window and a breached objective", () => {
    const target = {
      lagMs: 45_000,
      lag: {
        lastMinute: { count: 37, p50Ms: 120, p99Ms: 1_400 },
        lastHour: { count: 0, p50Ms: null, p99Ms: null },
      },
      lagSloSeconds: 30,
      overSloCount: 4,
      sloBreached: true,
    } as unknown as TargetStatus;
    expect(lagRows(target)).toEqual([
      ["Lag:", "oldest unreplicated change 45s"],
      ["  last minute:", "p50 120ms, p99 1.4s over 37 change(s)"],
      ["  last hour:", "-"],
      ["Lag objective:", "30s, BREACHED, 4 change(s) older than it"],
    ]);
  });
});

describe("--lag-slo", () => {
  it("takes a duration of 1 s to 1 day, in seconds", () => {
    expect(parseLagSlo("30s")).toBe(30);
    expect(parseLagSlo("2m")).toBe(120);
    expect(parseLagSlo("1d")).toBe(86_400);
    expect(() => parseLagSlo("0s")).toThrow(/between 1s and 1d/);
    expect(() => parseLagSlo("2d")).toThrow(/between 1s and 1d/);
    expect(() => parseLagSlo("soon")).toThrow(/Invalid duration/);
  });
});
