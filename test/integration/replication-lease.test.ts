/**
 * Attempt leases on the bucket coordinator's replication log rows: one
 * attempt at a time per row, a second one skips, a lapsed lease is taken
 * over, a drain leases rows so no two drains get the same one.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Bucket } from "../../workers/bucket-coordinator.ts";

const TARGET = "arn:floe:replication::lease:target";

async function bucketWithRows(name: string, keys: string[]) {
  const stub = env.BUCKET.get(env.BUCKET.idFromName(`bucket:${name}`));
  await stub.create(name, "alice");
  // Version deletes need no version row: the log rows alone are the work (no Queue wake-up sent).
  await runInDurableObject(stub, (_: Bucket, state) => {
    const now = Date.now();
    for (const [i, key] of keys.entries())
      state.storage.sql.exec(
        `INSERT INTO replication_log
           (key, version_id, target, kind, status, attempts, size, created_at, updated_at, due)
         VALUES (?, 'v1', ?, 'delete', 'PENDING', 0, 0, ?, ?, ?)`,
        key,
        TARGET,
        now + i,
        now,
        now + 30_000,
      );
  });
  return stub;
}

function lease(stub: DurableObjectStub<Bucket>, key: string) {
  return runInDurableObject(
    stub,
    (_: Bucket, state) =>
      state.storage.sql
        .exec<{ lease_owner: string | null; lease_until: number; lease_contended: number }>(
          "SELECT lease_owner, lease_until, lease_contended FROM replication_log WHERE key = ?",
          key,
        )
        .toArray()[0],
  );
}

describe("replication log leases", () => {
  it("lets one attempt hold a row; a second skips until the holder reports", async () => {
    const stub = await bucketWithRows("lease-one", ["k"]);
    const first = await stub.replicationTask("k", "v1", TARGET, "attempt-a");
    expect(first).toMatchObject({ op: { key: "k", kind: "delete" } });
    expect(await stub.replicationTask("k", "v1", TARGET, "attempt-b")).toBe("leased");
    expect(await lease(stub, "k")).toMatchObject({ lease_owner: "attempt-a", lease_contended: 1 });
    // The holder asking again (a renewal) keeps it.
    expect(await stub.replicationTask("k", "v1", TARGET, "attempt-a")).not.toBe("leased");
    await stub.replicationResult("k", "v1", TARGET, {
      ok: false,
      error: "target said 503",
      final: false,
      owner: "attempt-a",
    });
    expect(await lease(stub, "k")).toMatchObject({ lease_owner: null, lease_contended: 0 });
    expect(await stub.replicationTask("k", "v1", TARGET, "attempt-b")).toMatchObject({
      op: { attempts: 1 },
    });
  });

  it("lets an attempt take over a lease that lapsed; the old holder then releases nothing", async () => {
    const stub = await bucketWithRows("lease-lapsed", ["k"]);
    expect(await stub.replicationTask("k", "v1", TARGET, "dead")).not.toBe("leased");
    await runInDurableObject(stub, (_: Bucket, state) => {
      state.storage.sql.exec("UPDATE replication_log SET lease_until = ?", Date.now() - 1);
    });
    expect(await stub.replicationTask("k", "v1", TARGET, "alive")).not.toBe("leased");
    expect(await lease(stub, "k")).toMatchObject({ lease_owner: "alive" });
    await stub.replicationResult("k", "v1", TARGET, {
      ok: false,
      error: "late",
      final: false,
      owner: "dead",
    });
    expect(await lease(stub, "k")).toMatchObject({ lease_owner: "alive" });
    await stub.replicationResult("k", "v1", TARGET, {
      ok: true,
      bytes: 0,
      latencyMs: 1,
      owner: "alive",
    });
    // A version delete's row goes once the target confirmed it.
    expect(await lease(stub, "k")).toBeUndefined();
  });

  it("hands each due change to one drain only, oldest first, and skips leased rows", async () => {
    const keys = ["a", "b", "c", "d", "e"];
    const stub = await bucketWithRows("lease-drain", keys);
    expect(await stub.replicationTask("c", "v1", TARGET, "a-message")).not.toBe("leased");
    const one = await stub.leaseDrainable(TARGET, "drain-1", null, 2);
    expect(one.map((row) => row.key)).toEqual(["a", "b"]);
    const two = await stub.leaseDrainable(TARGET, "drain-2", null, 10);
    expect(two.map((row) => row.key)).toEqual(["d", "e"]);
    expect(await stub.leaseDrainable(TARGET, "drain-1", one[1] ?? null, 10)).toEqual([]);
    // The rows' own messages find them leased.
    expect(await stub.replicationTask("a", "v1", TARGET, "a-message")).toBe("leased");
    expect(await stub.replicationTask("d", "v1", TARGET, "d-message")).toBe("leased");
    // The drain's own attempt of a row it leased goes ahead.
    expect(await stub.replicationTask("a", "v1", TARGET, "drain-1")).not.toBe("leased");
  });

  it("renews a multipart attempt's lease with each acknowledged part, for its holder only", async () => {
    const stub = await bucketWithRows("lease-parts", ["k"]);
    expect(await stub.replicationTask("k", "v1", TARGET, "holder")).not.toBe("leased");
    await runInDurableObject(stub, (_: Bucket, state) => {
      state.storage.sql.exec("UPDATE replication_log SET lease_until = ?", Date.now() + 1_000);
    });
    const progress = { uploadId: "u", parts: { "1": "etag-1" } };
    await stub.saveReplicationUpload("k", "v1", TARGET, progress, "someone-else");
    expect((await lease(stub, "k"))?.lease_until).toBeLessThan(Date.now() + 2_000);
    await stub.saveReplicationUpload("k", "v1", TARGET, progress, "holder");
    expect((await lease(stub, "k"))?.lease_until).toBeGreaterThan(Date.now() + 20_000);
  });

  it("drains a retry only once its backoff has passed", async () => {
    const stub = await bucketWithRows("lease-backoff", ["early", "late"]);
    await runInDurableObject(stub, (_: Bucket, state) => {
      state.storage.sql.exec(
        "UPDATE replication_log SET status = 'FAILED', attempts = 4, due = ? WHERE key = 'early'",
        Date.now() - 1,
      );
      state.storage.sql.exec(
        "UPDATE replication_log SET attempts = 1, due = ? WHERE key = 'late'",
        Date.now() + 60_000,
      );
    });
    const rows = await stub.leaseDrainable(TARGET, "drain", null, 10);
    expect(rows.map((row) => [row.key, row.attempts])).toEqual([["early", 4]]);
  });

  it("drains the FAILED work requeued afresh when its target came back online", async () => {
    const stub = await bucketWithRows("lease-target-back", ["failed", "pending"]);
    await runInDurableObject(stub, (_: Bucket, state) => {
      state.storage.sql.exec(
        "UPDATE replication_log SET status = 'FAILED', attempts = 3, due = ? WHERE key = 'failed'",
        Date.now() + 300_000,
      );
    });
    expect((await stub.leaseDrainable(TARGET, "before", null, 10)).map((r) => r.key)).toEqual([
      "pending",
    ]);
    await stub.retryTarget(TARGET);
    const rows = await stub.leaseDrainable(TARGET, "after", null, 10);
    expect(rows.map((row) => [row.key, row.attempts])).toContainEqual(["failed", 0]);
  });
});
