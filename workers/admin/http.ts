/**
 * Admin API plumbing: JSON responses, errors as `{ "code", "message" }` with
 * a fitting status, SigV4 authentication (the root user, IAM users and
 * service accounts), authorization of admin actions (`admin:CreateUser`,
 * ...) through the caller's policies, and request bodies read with a size
 * cap and validated with zod.
 * A body is read only after the caller was authorized for the route (a
 * route that reads one before any permission check is a bug, refused as
 * such), so an unknown or unauthorized caller never gets a byte read past
 * the refused-body drain; bodies are capped at MAX_ADMIN_BODY while they
 * stream (bounded-body.ts), 413 EntityTooLarge past it.
 */
import type { z } from "zod";
import { loadConfig } from "../../shared/config.ts";
import { isS3Error } from "../../shared/s3-errors.ts";
import { decodeRequestBody } from "../auth/aws-chunked.ts";
import { readBoundedBody } from "../auth/bounded-body.ts";
import { authenticateRequest, type Authenticated } from "../auth/sigv4.ts";
import { createAuthorizer, type Authorizer } from "../iam/authorize.ts";
import { requestConditionValues } from "../iam/condition-values.ts";
import { identityLookup, type Identity } from "../iam/identity.ts";

/** Largest admin request body (JSON documents are far smaller). */
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
  authorizer: Authorizer;
  /** Set once a permission check for the route passed: bodies are read only after. */
  cleared: boolean;
}

/** Authenticates an admin request (any known, enabled access key). */
export async function authenticateAdmin(request: Request, env: Env): Promise<AdminCaller> {
  const config = loadConfig(env);
  const who = identityLookup(env);
  const auth = await authenticateRequest(request, who.lookup, { region: config.region });
  const identity = auth.anonymous ? null : who.identity();
  if (auth.anonymous || !identity)
    throw new AdminError(403, "AccessDenied", "Admin requests must be signed.");
  const conditions = requestConditionValues({
    request,
    action: null,
    query: new URL(request.url).searchParams,
    identity,
    presigned: auth.presigned,
    signatureVersion: auth.signatureVersion,
  });
  return {
    identity,
    auth,
    authorizer: createAuthorizer({ env, identity, conditions }),
    cleared: false,
  };
}

/** Throws AccessDenied unless the caller may perform the admin action on the deployment. */
export async function requireAdminAction(caller: AdminCaller, action: string): Promise<void> {
  if (!(await caller.authorizer.allows({ action, resource: "arn:aws:s3:::*" })))
    throw new AdminError(403, "AccessDenied", `Access Denied: ${action} is not allowed.`);
  caller.cleared = true;
}

/**
 * For routes whose exact action depends on the body (enable or disable, add
 * or remove): throws AccessDenied unless the caller may perform at least one
 * of them, so the body is read only for a caller who could be allowed. The
 * route checks the exact action once the body is read.
 */
export async function requireAnyAdminAction(
  caller: AdminCaller,
  actions: readonly string[],
): Promise<void> {
  for (const action of actions) {
    if (await caller.authorizer.allows({ action, resource: "arn:aws:s3:::*" })) {
      caller.cleared = true;
      return;
    }
  }
  throw new AdminError(403, "AccessDenied", `Access Denied: ${actions.join(" or ")} not allowed.`);
}

/**
 * Lets the body be read for a route where any signed-in user may act on
 * their own entries (the route checks ownership, or the admin action, once
 * the body names the entry).
 */
export function clearForOwnEntries(caller: AdminCaller): void {
  caller.cleared = true;
}

/** True when the caller may perform the admin action (to decide what a response may show). */
export async function allowsAdminAction(caller: AdminCaller, action: string): Promise<boolean> {
  return caller.authorizer.allows({ action, resource: "arn:aws:s3:::*" });
}

/**
 * Throws AccessDenied unless the caller may perform the action on the
 * bucket: an S3 action, or a bucket-scoped admin action such as
 * admin:SetBucketTarget.
 */
export async function requireBucketAction(
  caller: AdminCaller,
  bucket: string,
  action: string,
): Promise<void> {
  if (!(await caller.authorizer.allows({ action, resource: `arn:aws:s3:::${bucket}` })))
    throw new AdminError(403, "AccessDenied", `Access Denied: ${action} is not allowed.`);
  caller.cleared = true;
}

/**
 * Reads and validates a JSON body (an empty body parses as `{}`); its
 * signature or hash is verified as read. Only after a permission check.
 */
export async function readJson<T extends z.ZodType>(
  request: Request,
  caller: AdminCaller,
  schema: T,
): Promise<z.infer<T>> {
  if (!caller.cleared) throw new Error("admin route read its body before any permission check");
  const decoded = decodeRequestBody(request.body, caller.auth, request.headers);
  const bytes = await readBoundedBody(
    decoded,
    request.headers,
    MAX_ADMIN_BODY,
    () => new AdminError(413, "EntityTooLarge", "Request body too large."),
  );
  const text = new TextDecoder().decode(bytes);
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
