/**
 * GET /floe/metrics: Prometheus metrics (collect.ts). Authorized by a bearer
 * token equal to the FLOE_METRICS_TOKEN secret (compared in constant time),
 * or by a SigV4-signed request whose caller has admin:Prometheus (the root
 * user, consoleAdmin, diagnostics). Anything else is 403.
 */
import { timingSafeEqual } from "node:crypto";
import {
  AdminError,
  adminErrorResponse,
  authenticateAdmin,
  requireAdminAction,
} from "../admin/http.ts";
import { collectMetrics } from "./collect.ts";

function bearerMatches(request: Request, token: string | undefined): boolean {
  const header = request.headers.get("authorization") ?? "";
  if (!token || !header.startsWith("Bearer ")) return false;
  const given = new TextEncoder().encode(header.slice("Bearer ".length).trim());
  const wanted = new TextEncoder().encode(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function handleMetrics(
  request: Request,
  env: Env,
  requestId: string,
): Promise<Response> {
  try {
    if (request.method !== "GET") return new Response("Method Not Allowed\n", { status: 405 });
    const bearer = request.headers.get("authorization")?.startsWith("Bearer ") === true;
    if (bearer && !bearerMatches(request, env.FLOE_METRICS_TOKEN))
      throw new AdminError(
        403,
        "AccessDenied",
        "The bearer token is not this site's metrics token.",
      );
    if (!bearer) {
      const caller = await authenticateAdmin(request, env);
      await requireAdminAction(caller, "admin:Prometheus");
    }
    return new Response(await collectMetrics(env), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  } catch (error) {
    return adminErrorResponse(error, requestId);
  }
}
