/**
 * The request as the client sent it. Signatures cover the client's headers,
 * but the runtime rewrites one on the way in, so it is restored first:
 * - Cloudflare's edge, and Miniflare imitating it, replace Accept-Encoding
 *   with `br, gzip` and keep the client's value in
 *   `request.cf.clientAcceptEncoding` (absent or "" when the client sent
 *   none).
 * - The local runner's front (scripts/http-front.mjs) does not relay
 *   Accept-Encoding at all, so Miniflare never compresses a response, and
 *   sends the client's value in x-floe-front-accept-encoding (absent when the
 *   client sent none) with x-floe-front-secret set to the
 *   FLOE_LOCAL_FRONT_SECRET binding. That value is believed only when the
 *   secret matches, compared in constant time: anything that reaches
 *   workerd without the front could send the header, and then it is ignored.
 * x-floe-front-* headers are always removed, believed or not, so nothing
 * after this point sees them.
 */
import { signaturesEqual } from "./auth/signature.ts";

const FRONT_SECRET = "x-floe-front-secret";
const FRONT_ACCEPT_ENCODING = "x-floe-front-accept-encoding";

/** The client's Accept-Encoding (null: it sent none), or undefined when nothing says. */
function clientAcceptEncoding(request: Request, env: Env): string | null | undefined {
  const secret = request.headers.get(FRONT_SECRET);
  const expected = env.FLOE_LOCAL_FRONT_SECRET;
  if (secret !== null && expected && signaturesEqual(expected, secret))
    return request.headers.get(FRONT_ACCEPT_ENCODING);
  const original = request.cf?.clientAcceptEncoding;
  if (typeof original !== "string") return undefined;
  return original === "" ? null : original;
}

/** `request` with Accept-Encoding as the client sent it and the front's headers removed. */
export function withClientHeaders(request: Request, env: Env): Request {
  const acceptEncoding = clientAcceptEncoding(request, env);
  const frontHeaders =
    request.headers.has(FRONT_SECRET) || request.headers.has(FRONT_ACCEPT_ENCODING);
  const restore =
    acceptEncoding !== undefined && acceptEncoding !== request.headers.get("accept-encoding");
  if (!frontHeaders && !restore) return request;
  const headers = new Headers(request.headers);
  headers.delete(FRONT_SECRET);
  headers.delete(FRONT_ACCEPT_ENCODING);
  if (acceptEncoding === null) headers.delete("accept-encoding");
  else if (acceptEncoding !== undefined) headers.set("accept-encoding", acceptEncoding);
  return new Request(request, { headers });
}
