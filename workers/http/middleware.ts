/**
 * Middleware every request passes through, outermost first:
 * - request id: assigns one (request-id.ts) and makes sure the response
 *   carries it as x-amz-request-id (S3 responses already set it);
 * - timing: `Server-Timing: total;dur=<ms>`, the request's wall time in the
 *   Worker (on Workers the clock moves only across I/O, so this is time
 *   spent waiting on drives, coordinators and peers, not CPU);
 * - hash ready: the bitrot hash kernel (xxHash64, WebAssembly) is loaded
 *   before any handler runs (handlers call it synchronously).
 * And the one error mapping (Hono's onError): a failure on an S3 path is
 * S3 XML, on an admin path the admin API's `{ code, message }` JSON; both
 * drain a body refused before it was read, within bounds
 * (bounded-body.ts). The metrics endpoint answers JSON errors and has no
 * body to drain.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bitrotReady } from "../../shared/bitrot.ts";
import { adminErrorResponse } from "../admin/http.ts";
import { drainRefusedBody } from "../auth/bounded-body.ts";
import { rawPath } from "../s3/classify.ts";
import { errorResponse, toS3Error } from "../s3/response.ts";
import { ADMIN_ROOT, METRICS_PATH } from "./paths.ts";
import { newRequestId } from "./request-id.ts";

/** What every route sees: the Worker's bindings and the request id. */
export interface Edge {
  Bindings: Env;
  Variables: { requestId: string };
}

/** Sets a response header; a response whose headers are immutable is copied first. */
function setHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    const copy = new Response(c.res.body, c.res);
    copy.headers.set(name, value);
    // Cleared first: assigning over a response merges the old one's headers in again.
    c.res = undefined;
    c.res = copy;
  }
}

/** Assigns the request id; every response carries it. */
export const requestId: MiddlewareHandler<Edge> = async (c, next) => {
  const id = newRequestId();
  c.set("requestId", id);
  await next();
  if (!c.res.headers.has("x-amz-request-id")) setHeader(c, "x-amz-request-id", id);
};

/** Reports the request's wall time in the Worker as Server-Timing. */
export const timing: MiddlewareHandler<Edge> = async (c, next) => {
  const start = Date.now();
  await next();
  setHeader(c, "server-timing", `total;dur=${Date.now() - start}`);
};

/** Waits for the bitrot hash kernel (once per isolate). */
export const hashReady: MiddlewareHandler<Edge> = async (_c, next) => {
  await bitrotReady();
  await next();
};

/** Renders any failure of a route as its API's error (Hono's onError). */
export async function renderError(error: unknown, c: Context<Edge>): Promise<Response> {
  const request = c.req.raw;
  const id = c.var.requestId;
  const path = rawPath(request.url);
  if (path === METRICS_PATH) return adminErrorResponse(error, id);
  // Refused before the body was read (signature, authorization): drained only within bounds.
  await drainRefusedBody(request);
  if (path.startsWith(ADMIN_ROOT)) return adminErrorResponse(error, id);
  return errorResponse(toS3Error(error, id), request.method, decodeResource(path), id);
}

function decodeResource(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
