/**
 * The admin API's Hono middleware, the pieces every route chain is built
 * from (workers/http/routes.ts). A chain runs in the order it is written:
 * - path and query validators first where a malformed path is refused
 *   before anything else (`param`, `query`: zod, first value of a repeated
 *   query parameter, as URLSearchParams.get), read with `c.req.valid`;
 * - a permission check before any body: `can(action)` on the deployment,
 *   `canOnBucket(action)` on the path's bucket (bucket-scoped actions such
 *   as admin:SetBucketTarget or s3:GetReplicationConfiguration), `canAny`
 *   where the body picks between actions (the caller needs one of them
 *   first), or a route's own check (callers acting on their own entries);
 * - `body(schema)`: the JSON body, read only once a permission check passed
 *   (readJson refuses otherwise), under the size cap while it streams, its
 *   SigV4 payload hash or chunk signatures verified as it is read, then
 *   validated with zod (`c.req.valid("json")`). Hono's own json validator
 *   is not used: it reads the whole body unbounded and unverified;
 * - `canPerBody` / `canOnBucketPerBody`: the exact actions the body asks for.
 */
import type { Context, Input, MiddlewareHandler } from "hono";
import type { BlankInput } from "hono/types";
import type { z } from "zod";
import {
  AdminError,
  readJson,
  requireAdminAction,
  requireAnyAdminAction,
  requireBucketAction,
  type AdminCaller,
} from "./http.ts";

/** What an admin route sees: the signed caller and the decoded path segments after /floe/admin/v1/. */
export interface AdminEdge {
  Bindings: Env;
  Variables: { requestId: string; caller: AdminCaller; segments: string[] };
}

/** An admin route's context: validated data as `I`, variables set by its middleware as `V`. */
export type AdminContext<I extends Input = BlankInput, V extends object = object> = Context<
  { Bindings: Env; Variables: AdminEdge["Variables"] & V },
  string,
  I
>;

/** Validated data of a route, by where it came from. */
export interface Valid<T> {
  json: { out: { json: T } };
  param: { out: { param: T } };
  query: { out: { query: T } };
}

/** Requires an admin action of the caller on the deployment. */
export function can(action: string): MiddlewareHandler<AdminEdge> {
  return async (c, next) => {
    await requireAdminAction(c.var.caller, action);
    await next();
  };
}

/** Requires at least one of the actions, where the body picks which one the route needs. */
export function canAny(actions: readonly string[]): MiddlewareHandler<AdminEdge> {
  return async (c, next) => {
    await requireAnyAdminAction(c.var.caller, actions);
    await next();
  };
}

/** Requires an action on the bucket the path names. */
export function canOnBucket(action: string): MiddlewareHandler<AdminEdge> {
  return async (c, next) => {
    await requireBucketAction(c.var.caller, c.req.param("bucket") ?? "", action);
    await next();
  };
}

/** Requires, once the body is read, each deployment action it asks for. */
export function canPerBody<T>(
  actions: (body: T) => readonly string[],
): MiddlewareHandler<AdminEdge, string, Valid<T>["json"]> {
  return async (c, next) => {
    for (const action of actions(c.req.valid("json")))
      await requireAdminAction(c.var.caller, action);
    await next();
  };
}

/** Requires, once the body is read, each action it asks for on the path's bucket. */
export function canOnBucketPerBody<T>(
  actions: (body: T) => readonly string[],
): MiddlewareHandler<AdminEdge, string, Valid<T>["json"]> {
  return async (c, next) => {
    const bucket = c.req.param("bucket") ?? "";
    for (const action of actions(c.req.valid("json")))
      await requireBucketAction(c.var.caller, bucket, action);
    await next();
  };
}

/** Reads and validates the JSON body (an empty body is `{}`); only after a permission check. */
export function body<T extends z.ZodType>(
  schema: T,
): MiddlewareHandler<AdminEdge, string, { in: { json: z.input<T> }; out: { json: z.output<T> } }> {
  return async (c, next) => {
    c.req.addValidatedData("json", (await readJson(c.req.raw, c.var.caller, schema)) as object);
    await next();
  };
}

/** Validates the path parameters; anything invalid is 400 InvalidRequest with `message`. */
export function param<T extends z.ZodType<Record<string, string>>>(
  schema: T,
  message: string,
): MiddlewareHandler<AdminEdge, string, Valid<z.output<T>>["param"]> {
  return async (c, next) => {
    const parsed = schema.safeParse(c.req.param());
    if (!parsed.success) throw new AdminError(400, "InvalidRequest", message);
    c.req.addValidatedData("param", parsed.data);
    await next();
  };
}

/** Validates the query string; `invalid` words the error (400 InvalidRequest unless given). */
export function query<T extends z.ZodType<object>>(
  schema: T,
  invalid: (error: z.ZodError) => AdminError = () =>
    new AdminError(400, "InvalidRequest", "Invalid query string."),
): MiddlewareHandler<AdminEdge, string, Valid<z.output<T>>["query"]> {
  return async (c, next) => {
    const values: Record<string, string> = {};
    for (const [name, value] of new URL(c.req.url).searchParams) values[name] ??= value;
    const parsed = schema.safeParse(values);
    if (!parsed.success) throw invalid(parsed.error);
    c.req.addValidatedData("query", parsed.data);
    await next();
  };
}
