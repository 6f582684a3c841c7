/**
 * Health probes for load balancers and orchestrators, as MinIO's
 * /minio/health/* are: unauthenticated (they tell only up or down), GET or
 * HEAD, no body.
 *   /floe/health/live          200 whenever the Worker answers;
 *   /floe/health/cluster       200 when every erasure set has at least its
 *                              write quorum of drives online, else 503;
 *   /floe/health/cluster/read  the same with the read quorum.
 * The cluster probes ask each drive one cheap question (is it online), in
 * parallel; a drive that does not answer counts as offline. The answer
 * carries the quorum it checked (x-floe-write-quorum / x-floe-read-quorum,
 * the smallest over the sets) and, when unhealthy, the first set short of
 * it (x-floe-unhealthy-set). Any other method is 405.
 */
import type { Context } from "hono";
import { loadConfig } from "../../shared/config.ts";
import { quorumFor } from "../../shared/layout/quorum.ts";
import { setName } from "../../shared/layout/placement.ts";
import { driveStub } from "../objects/stubs.ts";

type HealthEdge = { Bindings: Env };

function answer(c: Context<HealthEdge>, status: number, headers: Record<string, string> = {}) {
  if (c.req.method !== "GET" && c.req.method !== "HEAD")
    return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
  return new Response(null, { status, headers: { "cache-control": "no-store", ...headers } });
}

export function live(c: Context<HealthEdge>): Response {
  return answer(c, 200);
}

/** 200 when every set has `which` quorum of online drives. */
export function cluster(which: "write" | "read") {
  return async (c: Context<HealthEdge>): Promise<Response> => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return answer(c, 405);
    const config = loadConfig(c.env);
    let smallest = Number.POSITIVE_INFINITY;
    let short: string | null = null;
    await Promise.all(
      config.pools.map(async (pool, p) => {
        const parity = config.parity[p]?.standard ?? 0;
        const quorum = quorumFor(pool.drivesPerSet - parity, parity);
        const needed = which === "write" ? quorum.writeQuorum : quorum.readQuorum;
        smallest = Math.min(smallest, needed);
        await Promise.all(
          Array.from({ length: pool.sets }, async (_, s) => {
            const online = await Promise.all(
              Array.from({ length: pool.drivesPerSet }, (_, d) =>
                driveStub(c.env, { pool: p, set: s }, d)
                  .isOnline()
                  .catch(() => false),
              ),
            );
            if (online.filter(Boolean).length < needed) short ??= setName({ pool: p, set: s });
          }),
        );
      }),
    );
    const headers: Record<string, string> = { [`x-floe-${which}-quorum`]: String(smallest) };
    if (short !== null) headers["x-floe-unhealthy-set"] = short;
    return answer(c, short === null ? 200 : 503, headers);
  };
}
