/**
 * The admin API's answers as a client reads them: the shared zod schemas
 * (shared/admin-api/) accept what the server sends and refuse malformed
 * answers; the shared peer client (shared/peer/client.ts) turns every
 * answer into a typed outcome; the CLI's admin client reports a malformed
 * answer as an InvalidResponse error naming the call, never a crash.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { z } from "zod";
import { AdminApiError, AdminClient } from "../../cli/admin/client.ts";
import { CliError } from "../../cli/core/errors.ts";
import {
  deploymentInfoSchema,
  healSummarySchema,
  rebuildSummarySchema,
} from "../../shared/admin-api/deployment.ts";
import {
  groupListSchema,
  policySchema,
  serviceAccountSchema,
  userListSchema,
  userSchema,
} from "../../shared/admin-api/iam.ts";
import {
  diffPageSchema,
  remoteTargetListSchema,
  type remoteTargetSchema,
  replicationStatusSchema,
  resyncJobListSchema,
  verifyReportSchema,
} from "../../shared/admin-api/replication.ts";
import { PeerClient, type PeerDial } from "../../shared/peer/client.ts";
import type { RemoteTarget } from "../../shared/types/remote-target.ts";
import type { VerifyReport } from "../../workers/replication/verify/verify.ts";

const SITE = {
  endpoint: "http://127.0.0.1:9000",
  accessKey: "admin",
  secretKey: "admin-secret",
  region: "us-east-1",
};

function answering(status: number, body: string, seen?: (url: string, init: RequestInit) => void) {
  const dial: PeerDial = async (url, init) => {
    seen?.(url, init);
    return new Response(body, { status });
  };
  return new PeerClient(SITE, dial);
}

const health = { online: true, downtimeMs: 0 };
const target = {
  arn: "arn:floe:replication::abc:dst",
  sourceBucket: "src",
  endpoint: "http://127.0.0.1:9001",
  targetBucket: "dst",
  sync: false,
  bandwidth: null,
  health,
};
const job = {
  target: target.arn,
  jobId: "j1",
  mode: "resync",
  status: "Ongoing",
  startedAt: "2026-01-01T00:00:00Z",
  finishedAt: null,
  total: 3,
  replicatedCount: 1,
  replicatedBytes: 10,
  failedCount: 0,
  skippedCount: 0,
  pendingCount: 2,
};

/** A schema's type without the index signature of its loose objects (a server type has none). */
type Known<T> = T extends readonly (infer E)[]
  ? Known<E>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
    : T;

describe("admin API schemas", () => {
  const cases: [string, { safeParse(value: unknown): { success: boolean } }, unknown, unknown][] = [
    [
      "users",
      userListSchema,
      { users: [{ accessKey: "alice", status: "enabled" }] },
      { users: [{ accessKey: 7, status: "enabled" }] },
    ],
    [
      "user",
      userSchema,
      { accessKey: "alice", status: "enabled", policies: ["readonly"] },
      { accessKey: "alice" },
    ],
    [
      "groups",
      groupListSchema,
      { groups: [{ name: "ops", status: "enabled", members: ["alice"] }] },
      { groups: "ops" },
    ],
    [
      "policy",
      policySchema,
      { name: "readonly", builtin: true, document: { Version: "2012-10-17" } },
      { name: "readonly", builtin: "yes" },
    ],
    [
      "service account",
      serviceAccountSchema,
      { accessKey: "svc", parent: "alice", status: "on", secretKey: "s" },
      { parent: "alice" },
    ],
    [
      "info",
      deploymentInfoSchema,
      { deploymentId: "d", region: "us-east-1", faultInjection: false, buckets: 0, pools: [] },
      { deploymentId: "d", region: "us-east-1", faultInjection: false, buckets: "0", pools: [] },
    ],
    [
      "heal",
      healSummarySchema,
      {
        versionsChecked: 1,
        versionsHealed: 0,
        shardsRebuilt: 0,
        copiesRebuilt: 0,
        unrecoverableBlocks: 0,
        healed: [],
        incomplete: [],
      },
      { versionsChecked: 1 },
    ],
    [
      "rebuild",
      rebuildSummarySchema,
      { rebuilt: [], healthy: ["a"], unregistered: [], finished: true },
      { rebuilt: null, healthy: [], unregistered: [], finished: true },
    ],
    [
      "remote targets",
      remoteTargetListSchema,
      { targets: [target] },
      { targets: [{ ...target, sync: "no" }] },
    ],
    [
      "replication status",
      replicationStatusSchema,
      { bucket: "src", targets: [], received: { count: 0, bytes: 0 } },
      { bucket: "src", targets: [{ arn: target.arn }], received: { count: 0, bytes: 0 } },
    ],
    ["diff", diffPageSchema, { entries: [], next: null }, { entries: [{ key: "k" }], next: null }],
    ["resync jobs", resyncJobListSchema, { jobs: [job] }, { jobs: [{ ...job, total: "3" }] }],
    [
      "verify",
      verifyReportSchema,
      {
        equal: true,
        prefix: "",
        keysCompared: 0,
        versionsCompared: 0,
        rangesCompared: 0,
        rangesDiffering: 0,
        differences: [],
        truncated: false,
      },
      { equal: "true", differences: [] },
    ],
  ];

  it.each(cases)(
    "%s: accepts the server's answer, refuses a malformed one",
    (_, schema, good, bad) => {
      expect(schema.safeParse(good).success).toBe(true);
      expect(schema.safeParse(bad).success).toBe(false);
      expect(schema.safeParse("not an object").success).toBe(false);
    },
  );

  it("fit the types the server answers with", () => {
    expectTypeOf<RemoteTarget>().toExtend<Known<z.input<typeof remoteTargetSchema>>>();
    expectTypeOf<VerifyReport>().toExtend<Known<z.input<typeof verifyReportSchema>>>();
  });

  it("keeps fields a newer server adds", () => {
    const parsed = userSchema.parse({ accessKey: "a", status: "enabled", createdAt: "now" });
    expect(parsed).toMatchObject({ createdAt: "now", policies: [], groups: [] });
  });
});

describe("the peer client's admin calls", () => {
  it("signs the JSON body's SHA-256 and parses the answer", async () => {
    let sent: RequestInit | undefined;
    let called = "";
    const client = answering(200, JSON.stringify({ users: [] }), (url, init) => {
      called = url;
      sent = init;
    });
    const answer = await client.admin("POST", "users", userListSchema, { body: { a: 1 } });
    expect(answer).toEqual({ ok: true, status: 200, value: { users: [] } });
    expect(called).toBe("http://127.0.0.1:9000/floe/admin/v1/users");
    const headers = sent?.headers as Record<string, string>;
    expect(headers["x-amz-content-sha256"]).toBe(
      createHash("sha256").update('{"a":1}').digest("hex"),
    );
    expect(headers["content-type"]).toBe("application/json");
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=admin\//);
  });

  it("gives a malformed answer as invalid, naming the field", async () => {
    const answer = await answering(200, '{"users":[{"accessKey":5}]}').admin(
      "GET",
      "users",
      userListSchema,
    );
    expect(answer).toMatchObject({ ok: false, problem: "invalid" });
    expect(answer.ok === false && answer.problem === "invalid" && answer.issue).toMatch(
      /^users\.0\.accessKey /,
    );
  });

  it("gives an answer that is not JSON, or too long, as such", async () => {
    expect(await answering(200, "<html>").admin("GET", "users", userListSchema)).toEqual({
      ok: false,
      problem: "not-json",
      status: 200,
    });
    const long = JSON.stringify({ users: [], pad: "x".repeat(200) });
    expect(
      await answering(200, long).admin("GET", "users", userListSchema, { maxBytes: 100 }),
    ).toEqual({ ok: false, problem: "too-large", status: 200 });
  });

  it("takes only a plausible code from an error answer", async () => {
    expect(
      await answering(404, '{"code":"NoSuchUser","message":"No such user."}').admin(
        "GET",
        "users/x",
        userSchema,
      ),
    ).toEqual({
      ok: false,
      problem: "error",
      status: 404,
      json: true,
      code: "NoSuchUser",
      message: "No such user.",
    });
    const odd = await answering(500, '{"code":"\\u001b[31mred","message":5}').admin(
      "GET",
      "users",
      userListSchema,
    );
    expect(odd).toMatchObject({ problem: "error", code: null, message: null });
    const xml = await answering(403, "<Error><Code>AccessDenied</Code></Error>").admin(
      "GET",
      "users",
      userListSchema,
    );
    expect(xml).toMatchObject({ problem: "error", json: false, code: "AccessDenied" });
  });
});

describe("the CLI's admin client", () => {
  afterEach(() => vi.unstubAllGlobals());

  const alias = {
    name: "local",
    source: "env" as const,
    url: "http://127.0.0.1:9000",
    accessKey: "admin",
    secretKey: "admin-secret",
    region: "us-east-1",
  };

  function serving(status: number, body: string): void {
    vi.stubGlobal("fetch", async () => new Response(body, { status }));
  }

  it("reports a malformed answer as InvalidResponse naming the call", async () => {
    serving(200, '{"users":"alice"}');
    const call = new AdminClient(alias).call("GET", "users", userListSchema);
    await expect(call).rejects.toBeInstanceOf(CliError);
    await expect(call).rejects.toMatchObject({
      code: "InvalidResponse",
      message: expect.stringMatching(/^Unexpected admin API answer to GET users: users /),
    });
  });

  it("reports an answer that is not JSON", async () => {
    serving(200, "hello");
    await expect(new AdminClient(alias).call("GET", "users", userListSchema)).rejects.toMatchObject(
      {
        code: "InvalidResponse",
        message: "GET users: the endpoint did not answer JSON (is it a Floe site?).",
      },
    );
    serving(502, "<html>bad gateway</html>");
    await expect(new AdminClient(alias).call("GET", "users", userListSchema)).rejects.toMatchObject(
      { code: "HTTP502" },
    );
  });

  it("keeps the admin API's error code and message", async () => {
    serving(409, '{"code":"UserExists","message":"The user exists."}');
    const call = new AdminClient(alias).call("POST", "users", userSchema, { accessKey: "a" });
    await expect(call).rejects.toBeInstanceOf(AdminApiError);
    await expect(call).rejects.toMatchObject({
      status: 409,
      code: "UserExists",
      message: "The user exists.",
    });
    serving(500, "{}");
    await expect(new AdminClient(alias).call("GET", "users", userListSchema)).rejects.toMatchObject(
      { status: 500, code: "HTTP500", message: "The admin API answered 500." },
    );
  });
});
