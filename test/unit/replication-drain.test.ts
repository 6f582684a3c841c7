/**
 * The consumer's drain (workers/replication/send/drain.ts) against a fake
 * bucket coordinator: it takes every due change in order, including
 * changes made while it runs, never more than DRAIN_CONCURRENCY at once,
 * each under its own lease owner, and stops once idle or at its row limit.
 */
import { describe, expect, it } from "vitest";
import {
  DRAIN_CONCURRENCY,
  DRAIN_MAX_ROWS,
  drainTarget,
} from "../../workers/replication/send/drain.ts";

interface Row {
  key: string;
  versionId: string;
  createdAt: number;
  attempts: number;
}

function fakeSite(initial: number) {
  const rows: Row[] = [];
  const add = (n: number) => {
    for (let i = 0; i < n; i++) {
      const index = rows.length;
      rows.push({
        key: `k${String(index).padStart(5, "0")}`,
        versionId: "v",
        createdAt: index,
        attempts: 0,
      });
    }
  };
  add(initial);
  const state = { running: 0, peak: 0, tasks: [] as string[], owners: new Set<string>() };
  const coordinator = {
    async leaseDrainable(_target: string, owner: string, after: Row | null, limit: number) {
      state.owners.add(owner);
      return rows
        .filter((row) => after === null || row.createdAt > after.createdAt)
        .slice(0, limit);
    },
    async replicationTask(key: string, _versionId: string, _target: string, owner: string) {
      state.owners.add(owner);
      state.running++;
      state.peak = Math.max(state.peak, state.running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      state.tasks.push(key);
      state.running--;
      // The change was done meanwhile: nothing to send.
      return null;
    },
  };
  const env = {
    BUCKET: { idFromName: (name: string) => name, get: () => coordinator },
  } as unknown as Env;
  return { env, add, state };
}

describe("replication drain", () => {
  it("attempts every waiting change once, oldest first, at most DRAIN_CONCURRENCY at a time", async () => {
    const site = fakeSite(100);
    const attempted = await drainTarget(site.env, "photos", "arn:t", {
      maxAttempts: 3,
      idleMs: 50,
    });
    expect(attempted).toBe(100);
    expect(site.state.tasks).toHaveLength(100);
    expect(new Set(site.state.tasks).size).toBe(100);
    expect(site.state.peak).toBeLessThanOrEqual(DRAIN_CONCURRENCY);
    expect(site.state.peak).toBeGreaterThan(1);
    // One lease owner for the whole drain.
    expect(site.state.owners.size).toBe(1);
  });

  it("takes changes made while it runs, and stops once idle", async () => {
    const site = fakeSite(10);
    setTimeout(() => site.add(20), 30);
    const started = Date.now();
    const attempted = await drainTarget(site.env, "photos", "arn:t", {
      maxAttempts: 3,
      idleMs: 300,
    });
    expect(attempted).toBe(30);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops at its row limit per invocation", async () => {
    const site = fakeSite(DRAIN_MAX_ROWS + 50);
    const attempted = await drainTarget(site.env, "photos", "arn:t", {
      maxAttempts: 3,
      idleMs: 50,
    });
    expect(attempted).toBe(DRAIN_MAX_ROWS);
  }, 30_000);
});
