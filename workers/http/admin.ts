/**
 * The admin API's gate, the first thing a request to /floe/admin/ meets: a
 * path outside /floe/admin/v1/ is 404 NoSuchRoute and a segment that does
 * not percent-decode is 400, both before anything else; then the caller is
 * authenticated with SigV4 (any known, enabled key), so an unknown route is
 * reported only to a signed caller. No admin route answers HEAD. Each
 * route's own chain (permission, body, handler) is built from
 * admin/middleware.ts.
 */
import type { Handler, MiddlewareHandler } from "hono";
import { AdminError, authenticateAdmin } from "../admin/http.ts";
import type { AdminEdge } from "../admin/middleware.ts";
import { ADMIN_API, adminSegments } from "./paths.ts";
import { rawPath } from "../s3/classify.ts";

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
