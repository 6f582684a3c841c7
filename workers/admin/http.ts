/**
 * Admin API plumbing: JSON responses, errors as `{ "code", "message" }` with
 * a fitting status, SigV4 authentication (the root user, IAM users and
 * service accounts), authorization of admin actions (`admin:CreateUser`,
 * ...) through the caller's policies, and request bodies read with a size
 * cap and validated with zod.
 */
import type { z } from "zod";
import { loadConfig } from "../../shared/config.ts";
import { isS3Error } from "../../shared/s3-errors.ts";
import { decodeRequestBody } from "../auth/aws-chunked.ts";
import { authenticateRequest, type Authenticated } from "../auth/sigv4.ts";
import { createAuthorizer, type Authorizer } from "../iam/authorize.ts";
import { requestConditionValues } from "../iam/condition-values.ts";
import { identityLookup, type Identity } from "../iam/identity.ts";

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
  return { identity, auth, authorizer: createAuthorizer({ env, identity, conditions }) };
}

/**
 * Throws AccessDenied unless the caller may perform the admin action (on a
 * bucket, for bucket-scoped actions such as admin:SetBucketTarget).
 */
export async function requireAdminAction(
  caller: AdminCaller,
  action: string,
  bucket?: string,
): Promise<void> {
  const resource = bucket ? `arn:aws:s3:::${bucket}` : "arn:aws:s3:::*";
  if (!(await caller.authorizer.allows({ action, resource })))
    throw new AdminError(403, "AccessDenied", `Access Denied: ${action} is not allowed.`);
}

/** True when the caller may perform the admin action (to decide what a response may show). */
export async function allowsAdminAction(caller: AdminCaller, action: string): Promise<boolean> {
  return caller.authorizer.allows({ action, resource: "arn:aws:s3:::*" });
}

/**
 * Throws AccessDenied unless the caller may perform at least one of the
 * admin actions: checked before a body is read whose content picks the
 * exact action, so a caller with none learns nothing from the route.
 */
export async function requireAnyAdminAction(
  caller: AdminCaller,
  actions: readonly string[],
): Promise<void> {
  for (const action of actions) if (await allowsAdminAction(caller, action)) return;
  throw new AdminError(
    403,
    "AccessDenied",
    `Access Denied: ${actions.join(" or ")} is not allowed.`,
  );
}

/** Throws AccessDenied unless the caller may perform the S3 action on the bucket. */
export async function requireBucketAction(
  caller: AdminCaller,
  bucket: string,
  action: string,
): Promise<void> {
  if (!(await caller.authorizer.allows({ action, resource: `arn:aws:s3:::${bucket}` })))
    throw new AdminError(403, "AccessDenied", `Access Denied: ${action} is not allowed.`);
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
