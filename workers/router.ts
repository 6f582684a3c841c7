/**
 * Top of the Worker's fetch: restores the headers the client sent
 * (client-headers.ts), assigns the request id, routes admin and S3
 * requests, and turns any failure into an S3 error response (or JSON for
 * the admin API). Every response carries x-amz-request-id.
 */
import { bitrotReady } from "../shared/bitrot.ts";
import { withClientHeaders } from "./client-headers.ts";
import { handleAdmin } from "./admin/routes.ts";
import { handleMetrics } from "./metrics/route.ts";
import { newRequestId } from "./request-id.ts";
import { drainRefusedBody } from "./auth/bounded-body.ts";
import { handleS3 } from "./s3/pipeline.ts";
import { errorResponse, toS3Error } from "./s3/response.ts";
import { rawPath } from "./s3/classify.ts";

/** The Worker's fetch handler. */
export async function handleFetch(
  received: Request,
  env: Env,
  exec: ExecutionContext,
): Promise<Response> {
  const request = withClientHeaders(received, env);
  const requestId = newRequestId();
  await bitrotReady();
  const path = rawPath(request.url);
  let response: Response;
  if (path.startsWith("/floe/admin/")) {
    response = await handleAdmin(request, env, exec, requestId);
  } else if (path === "/floe/metrics") {
    response = await handleMetrics(request, env, requestId);
  } else {
    try {
      response = await handleS3(request, env, exec, requestId);
    } catch (error) {
      // Refused before the body was read (signature, authorization): drained only within bounds.
      await drainRefusedBody(request);
      response = errorResponse(
        toS3Error(error, requestId),
        request.method,
        decodeResource(path),
        requestId,
      );
    }
  }
  if (!response.headers.has("x-amz-request-id")) {
    response = new Response(response.body, response);
    response.headers.set("x-amz-request-id", requestId);
  }
  return response;
}

function decodeResource(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
