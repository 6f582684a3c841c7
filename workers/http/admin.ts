/**
 * The admin API's middleware, in the order a request meets it:
 * 1. `adminGate`: a path outside /floe/admin/v1/ is 404 NoSuchRoute and a
 *    segment that does not percent-decode is 400, both before anything
 *    else; then the caller is authenticated with SigV4 (any known, enabled
 *    key), so an unknown route is reported only to a signed caller. No
 *    admin route answers HEAD.
 * 2. `can(action)`: the route's admin action, checked before its body.
 * 3. `body(schema)`: the JSON body, read only once a permission check
 *    passed (readJson refuses otherwise), under the size cap while it
 *    streams, its SigV4 payload hash or chunk signatures verified as it is
 *    read, then validated with zod (`c.req.valid("json")`). Hono's own json
 *    validator is not used: it reads the whole body unbounded and unverified.
 * Routes written against `RouteCall` (the IAM, target, resync and verify
 * modules check their own permissions, then read their body) are mounted
 * with `routeCall`.
 */
import type { Handler, MiddlewareHandler } from "hono";
import type { z } from "zod";
import {
  AdminError,
  authenticateAdmin,
  readJson,
  requireAdminAction,
  type AdminCaller,
} from "../admin/http.ts";
import type { RouteCall } from "../admin/iam-routes.ts";
import type { Edge } from "./middleware.ts";
import { ADMIN_API, adminSegments } from "./paths.ts";
import { rawPath } from "../s3/classify.ts";

/** What an admin route sees: the signed caller and the decoded path segments after /floe/admin/v1/. */
export interface AdminEdge {
  Bindings: Env;
  Variables: Edge["Variables"] & { caller: AdminCaller; segments: string[] };
}

function noSuchRoute(method: string, segments: string[]): AdminError {
  return new AdminError(404, "NoSuchRoute", `No admin route ${method} ${segments.join("/")}.`);
}

/** Checks the path, then authenticates the caller. */
export const adminGate: MiddlewareHandler<AdminEdge> = async (c, next) => {
  const path = rawPath(c.req.raw.url);
  if (!path.startsWith(ADMIN_API))
    throw new AdminError(404, "NoSuchRoute", `No admin route ${path}.`);
  const segments = adminSegments(path);
  const caller = await authenticateAdmin(c.req.raw, c.env);
  // Hono serves HEAD with the GET route; the admin API has no HEAD routes.
  if (c.req.method === "HEAD") throw noSuchRoute(c.req.method, segments);
  c.set("caller", caller);
  c.set("segments", segments);
  await next();
};

/** Answers an admin path no route matched (the caller is already authenticated). */
export const noSuchAdminRoute: Handler<AdminEdge> = (c) => {
  throw noSuchRoute(c.req.method, c.var.segments);
};

/** Requires an admin action of the caller. */
export function can(action: string): MiddlewareHandler<AdminEdge> {
  return async (c, next) => {
    await requireAdminAction(c.var.caller, action);
    await next();
  };
}

/** Reads and validates the JSON body (an empty body is `{}`); only after a permission check. */
export function body<T extends z.ZodType<object>>(
  schema: T,
): MiddlewareHandler<AdminEdge, string, { in: { json: z.input<T> }; out: { json: z.output<T> } }> {
  return async (c, next) => {
    c.req.addValidatedData("json", await readJson(c.req.raw, c.var.caller, schema));
    await next();
  };
}

/** Mounts a route written against RouteCall. */
export function routeCall(handler: (call: RouteCall) => Promise<Response>): Handler<AdminEdge> {
  return (c) =>
    handler({ request: c.req.raw, env: c.env, caller: c.var.caller, segments: c.var.segments });
}
