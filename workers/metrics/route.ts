/**
 * GET /floe/metrics: Prometheus metrics (collect.ts). Any other method is
 * 405, before authentication. Authorized by a bearer token equal to the
 * FLOE_METRICS_TOKEN secret (compared in constant time), or by a
 * SigV4-signed request whose caller has admin:Prometheus (the root user,
 * consoleAdmin, diagnostics). Anything else is 403.
 */
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { AdminError, authenticateAdmin, requireAdminAction } from "../admin/http.ts";
import { collectMetrics } from "./collect.ts";

type MetricsEdge = { Bindings: Env };

function bearerMatches(request: Request, token: string | undefined): boolean {
  const header = request.headers.get("authorization") ?? "";
  if (!token || !header.startsWith("Bearer ")) return false;
  const given = new TextEncoder().encode(header.slice("Bearer ".length).trim());
  const wanted = new TextEncoder().encode(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** 405 for anything but GET. */
export const metricsMethod: MiddlewareHandler<MetricsEdge> = async (c, next) => {
  if (c.req.method !== "GET") return new Response("Method Not Allowed\n", { status: 405 });
  await next();
};

/** The bearer token, or a SigV4 caller allowed admin:Prometheus. */
export const metricsAuth: MiddlewareHandler<MetricsEdge> = async (c, next) => {
  const request = c.req.raw;
  const bearer = request.headers.get("authorization")?.startsWith("Bearer ") === true;
  if (bearer && !bearerMatches(request, c.env.FLOE_METRICS_TOKEN))
    throw new AdminError(403, "AccessDenied", "The bearer token is not this site's metrics token.");
  if (!bearer) {
    const caller = await authenticateAdmin(request, c.env);
    await requireAdminAction(caller, "admin:Prometheus");
  }
  await next();
};

/** The exposition. */
export async function serveMetrics(env: Env): Promise<Response> {
  return new Response(await collectMetrics(env), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}
