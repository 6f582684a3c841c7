/**
 * The Worker's Hono app without a server (`app.request()`): the route
 * table, how admin paths are matched, and every answer given before a
 * Durable Object is needed (path checks, unsigned callers, metrics method).
 */
import { describe, expect, it } from "vitest";
import { routingPath } from "../../workers/http/paths.ts";
import { app } from "../../workers/http/routes.ts";

const ENV = {} as Partial<Env> as Env;

async function call(method: string, path: string, headers: Record<string, string> = {}) {
  const response = await app.request(`http://127.0.0.1${path}`, { method, headers }, ENV);
  return { response, text: await response.text() };
}

describe("the route table", () => {
  it("lists every admin route by method and path", () => {
    // One entry per handler of a route (its middleware too): counted once.
    const admin = new Set(
      app.routes
        .filter((r) => r.path.startsWith("/floe/admin/v1/"))
        .map((r) => `${r.method} ${r.path.slice("/floe/admin/v1/".length)}`),
    );
    expect([...admin].sort()).toEqual(
      [
        "GET info",
        "POST heal",
        "POST rebuild",
        "POST lifecycle/run",
        "POST drives/fault",
        "POST coordinator/fault",
        "POST users",
        "GET users",
        "GET users/:accessKey",
        "DELETE users/:accessKey",
        "PUT users/:accessKey/status",
        "POST groups",
        "GET groups",
        "GET groups/:name",
        "DELETE groups/:name",
        "POST groups/:name/members",
        "PUT groups/:name/status",
        "GET policies",
        "POST policies/attach",
        "POST policies/detach",
        "PUT policies/:name",
        "GET policies/:name",
        "DELETE policies/:name",
        "POST service-accounts",
        "GET service-accounts",
        "GET service-accounts/:accessKey",
        "PATCH service-accounts/:accessKey",
        "DELETE service-accounts/:accessKey",
        "POST buckets/:bucket/remote-targets",
        "GET buckets/:bucket/remote-targets",
        "PATCH buckets/:bucket/remote-targets",
        "DELETE buckets/:bucket/remote-targets",
        "GET buckets/:bucket/replication/status",
        "GET buckets/:bucket/replication/diff",
        "POST buckets/:bucket/replication/resync",
        "GET buckets/:bucket/replication/resync",
        "DELETE buckets/:bucket/replication/resync",
        "GET buckets/:bucket/replication/digest",
        "POST buckets/:bucket/replication/verify",
      ].sort(),
    );
  });
});

describe("routingPath", () => {
  const path = (url: string) => routingPath(new Request(url));

  it.each([
    ["http://h/floe/admin/v1//users/", "/floe/admin/v1/users"],
    ["http://h/floe/admin/v1/us%65rs?x=1", "/floe/admin/v1/users"],
    ["http://h/floe/admin/v1/users/a%2Fb/status", "/floe/admin/v1/users/a%2Fb/status"],
    ["http://h/floe/admin/v1/", "/floe/admin/v1/"],
  ])("matches admin %s as %s", (url, expected) => expect(path(url)).toBe(expected));

  it.each([
    "http://h/floe/admin/v1/users/%E0%A4%A",
    "http://h/floe/admin/v2/x",
    "http://h/bucket/a%2F%2Fb//c/",
    "http://h/floe/admin",
    "http://h/floe/metrics/",
  ])("leaves %s raw", (url) => expect(path(url)).toBe(new URL(url).pathname));
});

describe("answers before any Durable Object", () => {
  it("refuses a path outside /floe/admin/v1/ with 404 JSON and a request id", async () => {
    const { response, text } = await call("GET", "/floe/admin/v2/x");
    expect(response.status).toBe(404);
    expect(JSON.parse(text)).toEqual({
      code: "NoSuchRoute",
      message: "No admin route /floe/admin/v2/x.",
    });
    expect(response.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
    expect(response.headers.get("server-timing")).toMatch(/^total;dur=\d+$/);
  });

  it("refuses a malformed segment with 400 before authentication", async () => {
    const { response, text } = await call("DELETE", "/floe/admin/v1/users/%E0%A4%A");
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      code: "InvalidRequest",
      message: "Malformed path encoding.",
    });
  });

  it.each([
    ["GET", "/floe/admin/v1/info"],
    ["GET", "/floe/admin/v1/no/such/route"],
    ["POST", "/floe/admin/v1/heal"],
    ["GET", "/floe/metrics"],
  ])("refuses unsigned %s %s with 403 JSON", async (method, path) => {
    const { response, text } = await call(method, path);
    expect(response.status).toBe(403);
    expect(JSON.parse(text)).toEqual({
      code: "AccessDenied",
      message: "Admin requests must be signed.",
    });
  });

  it("answers anything but GET on /floe/metrics with 405", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      const { response, text } = await call(method, "/floe/metrics");
      expect(response.status).toBe(405);
      expect(text).toBe("Method Not Allowed\n");
    }
  });

  it("refuses a wrong metrics bearer token", async () => {
    const { response, text } = await call("GET", "/floe/metrics", { authorization: "Bearer x" });
    expect(response.status).toBe(403);
    expect(JSON.parse(text)).toEqual({
      code: "AccessDenied",
      message: "The bearer token is not this site's metrics token.",
    });
  });
});
