/**
 * Admin API plumbing: JSON responses, errors as `{ "code", "message" }` with
 * a fitting status, SigV4 authentication (root only for now), and request
 * bodies read with a size cap and validated with zod.
 */
import type { z } from "zod";
import { loadConfig } from "../../shared/config.ts";
import { isS3Error } from "../../shared/s3-errors.ts";
import { decodeRequestBody } from "../auth/aws-chunked.ts";
import { authenticateRequest, type Authenticated } from "../auth/sigv4.ts";
import { credentialLookup, identify, type Identity } from "../credentials.ts";

const MAX_ADMIN_BODY = 1024 * 1024;

/** An admin API failure. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Renders any failure as the admin API's JSON error. */
export function adminErrorResponse(error: unknown, requestId: string): Response {
  if (error instanceof AdminError)
    return json({ code: error.code, message: error.message }, error.status);
  if (isS3Error(error)) return json({ code: error.code, message: error.message }, error.status);
  console.error(`[${requestId}] admin internal error:`, error);
  return json(
    { code: "InternalError", message: "We encountered an internal error. Please try again." },
    500,
  );
}

export interface AdminCaller {
  identity: Identity;
  auth: Authenticated;
}

/** Authenticates an admin request; only the root user may call the admin API for now. */
export async function authenticateAdmin(request: Request, env: Env): Promise<AdminCaller> {
  const config = loadConfig(env);
  const auth = await authenticateRequest(request, credentialLookup(env), { region: config.region });
  if (auth.anonymous) throw new AdminError(403, "AccessDenied", "Admin requests must be signed.");
  const identity = identify(env, auth.accessKeyId);
  if (!identity.isRoot) throw new AdminError(403, "AccessDenied", "Access Denied.");
  return { identity, auth };
}

/** Reads and validates a JSON body (an empty body parses as `{}`); its signature or hash is verified as read. */
export async function readJson<T extends z.ZodType>(
  request: Request,
  caller: AdminCaller,
  schema: T,
): Promise<z.infer<T>> {
  const decoded = decodeRequestBody(request.body, caller.auth, request.headers);
  const text = await new Response(decoded.stream).text();
  if (text.length > MAX_ADMIN_BODY)
    throw new AdminError(413, "EntityTooLarge", "Request body too large.");
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch {
      throw new AdminError(400, "InvalidRequest", "Request body is not valid JSON.");
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdminError(
      400,
      "InvalidRequest",
      `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}
