/**
 * The admin API's route middleware without a server (`app.request()`), on
 * a caller whose policies allow a given set of actions: each chain refuses
 * in the order it is written, a body is never read before a permission
 * check passed, and validated data reaches the handler.
 */
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { adminErrorResponse, json, type AdminCaller } from "../../workers/admin/http.ts";
import { accessKeyPath, byStatus } from "../../workers/admin/iam-routes.ts";
import { statusBodySchema } from "../../workers/admin/iam-schemas.ts";
import {
  body,
  can,
  canAny,
  canOnBucket,
  canPerBody,
  query,
  type AdminEdge,
} from "../../workers/admin/middleware.ts";

const ENV = {} as Partial<Env> as Env;

/** A caller allowed `allowed` (as `action` or `action@resource`), recording what was asked. */
function callerAllowing(allowed: string[], asked: string[]): AdminCaller {
  const authorizer = {
    allows: async ({ action, resource }: { action: string; resource: string }) => {
      asked.push(`${action}@${resource}`);
      return allowed.includes(action) || allowed.includes(`${action}@${resource}`);
    },
  };
  return {
    identity: { kind: "user", user: "u", accessKeyId: "u" },
    auth: { payload: { kind: "unsigned" } },
    authorizer,
    cleared: false,
  } as unknown as AdminCaller;
}

function appFor(allowed: string[]) {
  const asked: string[] = [];
  const app = new Hono<AdminEdge>();
  app.onError((error) => adminErrorResponse(error, "test"));
  app.use(async (c, next) => {
    c.set("caller", callerAllowing(allowed, asked));
    await next();
  });
  const routes = app
    .post("/heal", can("admin:Heal"), body(z.object({ dryRun: z.boolean() }).strict()), (c) =>
      json(c.req.valid("json")),
    )
    .put(
      "/users/:accessKey/status",
      accessKeyPath,
      canAny(["admin:EnableUser", "admin:DisableUser"]),
      body(statusBodySchema),
      canPerBody(byStatus("admin:EnableUser", "admin:DisableUser")),
      (c) => json({ ...c.req.valid("param"), ...c.req.valid("json") }),
    )
    .get(
      "/buckets/:bucket/jobs",
      canOnBucket("s3:ResetBucketReplicationState"),
      query(z.object({ arn: z.string().min(2) })),
      (c) => json(c.req.valid("query")),
    )
    .post("/unchecked", body(z.object({})), (c) => json(c.req.valid("json")));
  return { app: routes, asked };
}

/** A request body that records whether anything read it. */
function watchedBody(text: string) {
  const watch = { read: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        watch.read = true;
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, watch };
}

async function send(app: Hono<AdminEdge>, method: string, path: string, text?: string) {
  const watched = text === undefined ? undefined : watchedBody(text);
  const response = await app.request(
    `http://127.0.0.1${path}`,
    { method, body: watched?.stream, duplex: "half" } as RequestInit,
    ENV,
  );
  return {
    status: response.status,
    body: await response.json<Record<string, unknown>>(),
    read: watched?.watch.read ?? false,
  };
}

describe("can and body", () => {
  it("refuses a caller without the action before reading the body", async () => {
    const { app } = appFor([]);
    const res = await send(app, "POST", "/heal", "not json");
    expect([res.status, res.body.code, res.read]).toEqual([403, "AccessDenied", false]);
  });

  it("reads and validates the body once allowed", async () => {
    const { app } = appFor(["admin:Heal"]);
    expect((await send(app, "POST", "/heal", "not json")).body.code).toBe("InvalidRequest");
    const bad = await send(app, "POST", "/heal", '{"dryRun":1}');
    expect([bad.status, bad.body.code]).toEqual([400, "InvalidRequest"]);
    const good = await send(app, "POST", "/heal", '{"dryRun":true}');
    expect([good.status, good.body, good.read]).toEqual([200, { dryRun: true }, true]);
  });

  it("never reads a body on a chain without a permission check", async () => {
    const { app } = appFor(["admin:Heal"]);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await send(app, "POST", "/unchecked", "{}");
    logged.mockRestore();
    expect([res.status, res.body.code, res.read]).toEqual([500, "InternalError", false]);
  });
});

describe("a body that picks the action", () => {
  it("validates the path before anything else", async () => {
    const { app, asked } = appFor([]);
    const res = await send(app, "PUT", "/users/a!b/status", "{}");
    expect([res.status, res.body]).toEqual([
      400,
      { code: "InvalidRequest", message: "Invalid access key in the path." },
    ]);
    expect(asked).toEqual([]);
  });

  it("needs one of the actions before the body and the one it asks for after", async () => {
    const none = appFor([]);
    const refused = await send(none.app, "PUT", "/users/alice/status", '{"status":"enabled"}');
    expect([refused.status, refused.read]).toEqual([403, false]);

    const { app } = appFor(["admin:EnableUser"]);
    expect((await send(app, "PUT", "/users/alice/status", "[]")).status).toBe(400);
    expect((await send(app, "PUT", "/users/alice/status", '{"status":"disabled"}')).status).toBe(
      403,
    );
    const enabled = await send(app, "PUT", "/users/alice/status", '{"status":"enabled"}');
    expect([enabled.status, enabled.body]).toEqual([
      200,
      { accessKey: "alice", status: "enabled" },
    ]);
  });
});

describe("canOnBucket and query", () => {
  it("asks for the action on the path's bucket, then validates the query", async () => {
    const { app, asked } = appFor(["s3:ResetBucketReplicationState@arn:aws:s3:::photos"]);
    const denied = await send(app, "GET", "/buckets/other/jobs?arn=x");
    expect(denied.status).toBe(403);
    const bad = await send(app, "GET", "/buckets/photos/jobs?arn=x");
    expect([bad.status, bad.body.code]).toEqual([400, "InvalidRequest"]);
    expect(asked).toEqual([
      "s3:ResetBucketReplicationState@arn:aws:s3:::other",
      "s3:ResetBucketReplicationState@arn:aws:s3:::photos",
    ]);
  });

  it("takes the first value of a repeated parameter", async () => {
    const { app } = appFor(["s3:ResetBucketReplicationState"]);
    const res = await send(app, "GET", "/buckets/photos/jobs?arn=first&arn=second");
    expect([res.status, res.body]).toEqual([200, { arn: "first" }]);
  });
});
