/**
 * The object layer's replication-state calls that can fail answer an
 * ObjectResult, whatever shape the coordinator replied in; the admin API
 * renders each failure with the status and code it always had.
 */
import { describe, expect, it } from "vitest";
import { adminErrorResponse } from "../../workers/admin/http.ts";
import {
  cancelResync,
  replicationStats,
  setReplicationTargets,
  startResync,
} from "../../workers/objects/replication-state.ts";
import { toS3Error, type ObjectResult } from "../../workers/objects/result.ts";

/** An env whose every bucket coordinator is `coordinator`. */
function envWith(coordinator: Record<string, (...args: never[]) => Promise<unknown>>): Env {
  const namespace = { idFromName: (name: string) => name, get: () => coordinator };
  return { BUCKET: namespace } as unknown as Env;
}

/** What the admin API answers for a failed result. */
async function answered(result: ObjectResult<unknown>) {
  if (result.ok) throw new Error("expected a failure");
  const response = adminErrorResponse(toS3Error(result.error), "test");
  return [response.status, await response.json()];
}

const SCOPE = { prefix: "", olderThan: null };

describe("resync results", () => {
  it.each([
    ["NoSuchBucket", 404, "The specified bucket does not exist"],
    [
      "NoExistingObjectReplication",
      400,
      "No enabled rule of photos for arn:t has existing-object replication.",
    ],
    ["ResyncRunning", 409, "A resync of photos to arn:t is already running."],
  ])("a start refused with %s is %i", async (code, status, message) => {
    const env = envWith({ startResync: async () => ({ ok: false, error: code }) });
    expect(await answered(await startResync(env, "photos", "arn:t", SCOPE))).toEqual([
      status,
      { code, message },
    ]);
  });

  it("a started job is the value", async () => {
    const job = { target: "arn:t", status: "running" };
    const env = envWith({ startResync: async () => ({ ok: true, job }) });
    expect(await startResync(env, "photos", "arn:t", SCOPE)).toEqual({ ok: true, value: job });
  });

  it("cancelling without a job is 404 NoSuchResyncJob", async () => {
    const env = envWith({ cancelResync: async () => null });
    expect(await answered(await cancelResync(env, "photos", "arn:t"))).toEqual([
      404,
      { code: "NoSuchResyncJob", message: "No resync job of photos for arn:t." },
    ]);
  });
});

describe("bucket replication state", () => {
  it("is NoSuchBucket when the coordinator holds no bucket", async () => {
    const env = envWith({
      replicationStats: async () => null,
      setReplicationTargets: async () => false,
    });
    for (const result of [
      await replicationStats(env, "gone"),
      await setReplicationTargets(env, "gone", []),
    ])
      expect((await answered(result))[0]).toBe(404);
  });

  it("passes statistics and a stored target list through", async () => {
    const stats = { targets: [], received: { count: 0, bytes: 0 } };
    const env = envWith({
      replicationStats: async () => stats,
      setReplicationTargets: async () => true,
    });
    expect(await replicationStats(env, "photos")).toEqual({ ok: true, value: stats });
    expect((await setReplicationTargets(env, "photos", [])).ok).toBe(true);
  });
});
