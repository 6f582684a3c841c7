/**
 * The paths the edge routes on, taken from the raw request URL:
 * - `/floe/admin/` and everything under it is the admin API (a path outside
 *   `/floe/admin/v1/` is 404 NoSuchRoute); `/floe/admin` itself is not.
 * - `/floe/metrics`, exactly, is the Prometheus endpoint.
 * - Every other path is S3, routed on its raw form (keys are never
 *   rewritten).
 * Admin routes match on segments: empty segments are ignored (a doubled or
 * trailing slash names the same route) and each segment is percent-decoded
 * before matching, so `us%65rs` is `users` while `a%2Fb` stays one segment.
 * A segment that does not decode routes on its raw path, and the admin
 * gate answers 400.
 */
import { AdminError } from "../admin/http.ts";
import { rawPath } from "../s3/classify.ts";

export const ADMIN_ROOT = "/floe/admin/";
export const ADMIN_API = "/floe/admin/v1/";
export const METRICS_PATH = "/floe/metrics";

/** Decoded, non-empty path segments after /floe/admin/v1/; 400 InvalidRequest when one does not decode. */
export function adminSegments(path: string): string[] {
  return path
    .slice(ADMIN_API.length)
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new AdminError(400, "InvalidRequest", "Malformed path encoding.");
      }
    });
}

/** The path Hono matches routes against (its `getPath`). */
export function routingPath(request: Request): string {
  const path = rawPath(request.url);
  if (!path.startsWith(ADMIN_API)) return path;
  try {
    return ADMIN_API + adminSegments(path).map(encodeURIComponent).join("/");
  } catch {
    return path;
  }
}
