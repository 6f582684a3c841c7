/**
 * Attacks on authorization against one real local site, each by a user
 * with the readwrite policy (or less) and no admin rights: bucket policies
 * that try to grant admin actions, service accounts that try to reach the
 * root user, another user or more than their parent, re-enabling what an
 * administrator disabled, reading IAM state through read and mutating
 * routes, and malformed policies that would silently never deny.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, adminOk, s3Client, type AdminResponse } from "../harness/clients.ts";
import { s3Error } from "../harness/errors.ts";
import { ROOT_USER, startSite, type Site } from "../harness/site.ts";

let site: Site;
let root: S3Client;

type Credentials = { accessKeyId: string; secretAccessKey: string };
const creds = (accessKeyId: string, secretAccessKey: string): Credentials => ({
  accessKeyId,
  secretAccessKey,
});
const mallory = creds("mallory", "mallory-secret");
const BUCKET = "attack";

async function addUser(accessKey: string, secretKey: string, policies: string[] = []) {
  await adminOk(site, "POST", "users", { accessKey, secretKey });
  if (policies.length)
    await adminOk(site, "POST", "policies/attach", { policies, user: accessKey });
  return creds(accessKey, secretKey);
}

const refused = (res: AdminResponse<Record<string, unknown>>) => [res.status, res.body.code];

const put = (client: S3Client, key: string) =>
  client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
const get = (client: S3Client, key: string) =>
  client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
const errorName = async (promise: Promise<unknown>) => (await s3Error(promise)).name;

const policy = (...statements: object[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

beforeAll(async () => {
  site = await startSite();
  root = s3Client(site);
  await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await put(root, "seed.txt");
  await addUser("mallory", "mallory-secret", ["readwrite"]);
  await addUser("victim", "victim-secret", ["readwrite"]);
  await adminOk(site, "POST", "groups", { name: "staff", members: ["victim"] });
  await adminOk(
    site,
    "PUT",
    "policies/victim-only",
    JSON.parse(policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::v/*" })),
  );
  await adminOk(site, "POST", "policies/attach", { policies: ["victim-only"], user: "victim" });
});

afterAll(async () => {
  await site?.remove();
});

describe("bucket policies never grant admin actions", () => {
  const adminProbes: [string, string, unknown?][] = [
    ["GET", "users"],
    ["GET", "info"],
    ["POST", "users", { accessKey: "mallory2", secretKey: "mallory2-secret" }],
    ["POST", "policies/attach", { policies: ["consoleAdmin"], user: "mallory" }],
    ["GET", `buckets/${BUCKET}/remote-targets`],
  ];

  it.each([
    ["Action *", { Action: "*" }],
    ["NotAction", { NotAction: "s3:DeleteBucket" }],
  ])("a readwrite user's own bucket policy with %s leaves admin routes 403", async (_, grant) => {
    const client = s3Client(site, mallory);
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policy({
          Effect: "Allow",
          Principal: { AWS: ["mallory"] },
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          ...grant,
        }),
      }),
    );
    for (const [method, path, body] of adminProbes) {
      const res = await admin(site, method, path, body, mallory);
      expect(refused(res), `${method} ${path}`).toEqual([403, "AccessDenied"]);
    }
  });

  it.each([
    ["an action without s3:", { Action: "*Create*", Resource: `arn:aws:s3:::${BUCKET}/*` }],
    ["an admin action", { Action: "admin:*", Resource: `arn:aws:s3:::${BUCKET}` }],
    ["a resource outside the bucket", { Action: "s3:*", Resource: "*" }],
    [
      "an account-root principal (which would never match)",
      {
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "s3:*",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      },
    ],
    [
      "a misspelled condition operator",
      {
        Action: "s3:*",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringEqual: { "aws:username": "victim" } },
      },
    ],
    [
      "an unknown condition key",
      {
        Action: "s3:*",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringEquals: { "aws:usrname": "victim" } },
      },
    ],
  ])("refuses a bucket policy with %s as MalformedPolicy", async (_, statement) => {
    const attempt = root.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policy({ Effect: "Deny", Principal: "*", ...statement }),
      }),
    );
    expect(await errorName(attempt)).toBe("MalformedPolicy");
  });
});

describe("service accounts never reach beyond their parent", () => {
  it("a user cannot create one for the root user or another user", async () => {
    for (const user of [ROOT_USER, "victim"]) {
      const res = await admin(site, "POST", "service-accounts", { user }, mallory);
      expect(refused(res), user).toEqual([403, "AccessDenied"]);
    }
  });

  it("admin:CreateServiceAccount reaches other users but never root", async () => {
    await adminOk(
      site,
      "PUT",
      "policies/sa-admin",
      JSON.parse(
        policy({
          Effect: "Allow",
          Action: ["admin:CreateServiceAccount", "admin:UpdateServiceAccount"],
        }),
      ),
    );
    const saAdmin = await addUser("sa-admin", "sa-admin-secret", ["sa-admin"]);
    const forRoot = await admin(site, "POST", "service-accounts", { user: ROOT_USER }, saAdmin);
    expect(refused(forRoot)).toEqual([403, "AccessDenied"]);
    const forVictim = await adminOk<{ accessKey: string; parent: string }>(
      site,
      "POST",
      "service-accounts",
      { user: "victim" },
      saAdmin,
    );
    expect(forVictim.parent).toBe("victim");
    // Root's own service accounts are root's alone to change.
    const rootAccount = await adminOk<{ accessKey: string }>(site, "POST", "service-accounts", {});
    const change = await admin(
      site,
      "PATCH",
      `service-accounts/${rootAccount.accessKey}`,
      { status: "disabled" },
      saAdmin,
    );
    expect(refused(change)).toEqual([403, "AccessDenied"]);
    // Its own service account, which inherits admin:CreateServiceAccount, creates nothing.
    const own = await adminOk<{ accessKey: string; secretKey: string }>(
      site,
      "POST",
      "service-accounts",
      {},
      saAdmin,
    );
    const asAccount = creds(own.accessKey, own.secretKey);
    for (const body of [{}, { user: "sa-admin" }, { user: "victim" }, { user: ROOT_USER }]) {
      const res = await admin(site, "POST", "service-accounts", body, asAccount);
      expect(refused(res), JSON.stringify(body)).toEqual([403, "AccessDenied"]);
    }
    const sibling = await admin(
      site,
      "PATCH",
      `service-accounts/${forVictim.accessKey}`,
      { status: "disabled" },
      asAccount,
    );
    expect(refused(sibling)).toEqual([403, "AccessDenied"]);
  });

  it("a service account with a broader policy than its parent gets only the parent's", async () => {
    const reader = await addUser("reader", "reader-secret", ["readonly"]);
    const broad = await adminOk<{ accessKey: string; secretKey: string }>(
      site,
      "POST",
      "service-accounts",
      {
        policy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }],
        },
      },
      reader,
    );
    const account = creds(broad.accessKey, broad.secretKey);
    expect(await (await get(s3Client(site, account), "seed.txt")).Body!.transformToString()).toBe(
      "seed.txt",
    );
    expect(await errorName(put(s3Client(site, account), "broad.txt"))).toBe("AccessDenied");
    for (const [method, path] of [
      ["GET", "users"],
      ["GET", "info"],
      ["GET", "policies"],
    ] as const) {
      expect(refused(await admin(site, method, path, undefined, account)), path).toEqual([
        403,
        "AccessDenied",
      ]);
    }
  });

  it("a restricted service account gets no bucket-policy grant beyond its own policy", async () => {
    const bare = await addUser("bare", "bare-secret");
    await root.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policy({
          Effect: "Allow",
          Principal: { AWS: ["bare"] },
          Action: ["s3:GetObject", "s3:PutObject"],
          Resource: [`arn:aws:s3:::${BUCKET}/*`],
        }),
      }),
    );
    await put(s3Client(site, bare), "bare/by-parent.txt");
    const narrow = await adminOk<{ accessKey: string; secretKey: string }>(
      site,
      "POST",
      "service-accounts",
      {
        policy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` },
          ],
        },
      },
      bare,
    );
    const client = s3Client(site, creds(narrow.accessKey, narrow.secretKey));
    expect(await (await get(client, "bare/by-parent.txt")).Body!.transformToString()).toBe(
      "bare/by-parent.txt",
    );
    expect(await errorName(put(client, "bare/by-account.txt"))).toBe("AccessDenied");
  });

  it("a user cannot re-enable a service account an administrator disabled", async () => {
    const account = await adminOk<{ accessKey: string }>(
      site,
      "POST",
      "service-accounts",
      {},
      mallory,
    );
    const path = `service-accounts/${account.accessKey}`;
    // The owner disables and re-enables its own account freely.
    await adminOk(site, "PATCH", path, { status: "disabled" }, mallory);
    await adminOk(site, "PATCH", path, { status: "enabled" }, mallory);
    // An administrator disables it while its owner had it disabled too, then the owner disables it again.
    await adminOk(site, "PATCH", path, { status: "disabled" }, mallory);
    const disabled = await adminOk<{ status: string; disabledBy: string }>(site, "PATCH", path, {
      status: "disabled",
    });
    expect([disabled.status, disabled.disabledBy]).toEqual(["disabled", ROOT_USER]);
    await adminOk(site, "PATCH", path, { status: "disabled" }, mallory);
    const again = await admin(site, "PATCH", path, { status: "enabled" }, mallory);
    expect(refused(again)).toEqual([403, "AccessDenied"]);
    // Nor remove it (to create it again with the same keys).
    const removed = await admin(site, "DELETE", path, undefined, mallory);
    expect(refused(removed)).toEqual([403, "AccessDenied"]);
    expect((await adminOk<{ status: string }>(site, "GET", path, undefined, mallory)).status).toBe(
      "disabled",
    );
    expect(
      (await adminOk<{ status: string }>(site, "PATCH", path, { status: "enabled" })).status,
    ).toBe("enabled");
  });
});

describe("IAM state is readable only with the matching admin action", () => {
  it("every read and mutating IAM route refuses a user without admin rights, before its body", async () => {
    const probes: [string, string, unknown?][] = [
      ["GET", "users"],
      ["GET", "users/victim"],
      ["PUT", "users/victim/status", { status: "enabled" }],
      ["PUT", "users/victim/status", "not json"],
      ["GET", "groups"],
      ["GET", "groups/staff"],
      ["POST", "groups", { name: "staff" }],
      ["POST", "groups/staff/members", {}],
      ["POST", "groups/staff/members", { add: [] }],
      ["POST", "groups/staff/members", "not json"],
      ["PUT", "groups/staff/status", { status: "enabled" }],
      ["PUT", "groups/staff/status", "not json"],
      ["DELETE", "groups/staff"],
      ["GET", "policies"],
      ["GET", "policies/victim-only"],
      ["PUT", "policies/victim-only", { Version: "2012-10-17", Statement: [] }],
      ["POST", "policies/attach", { policies: ["readonly"], user: "victim" }],
      ["POST", "policies/detach", { policies: ["victim-only"], user: "victim" }],
      ["DELETE", "policies/victim-only"],
      ["GET", "service-accounts"],
      ["GET", "service-accounts?user=victim"],
    ];
    for (const [method, path, body] of probes) {
      const res = await admin(site, method, path, body, mallory);
      expect(refused(res), `${method} ${path} ${JSON.stringify(body)}`).toEqual([
        403,
        "AccessDenied",
      ]);
      expect(JSON.stringify(res.body), `${method} ${path}`).not.toContain("victim");
      expect(Object.keys(res.body).sort()).toEqual(["code", "message"]);
    }
  });

  it("a mutating route answers with state only to callers who may read it", async () => {
    await adminOk(
      site,
      "PUT",
      "policies/iam-writer",
      JSON.parse(
        policy({
          Effect: "Allow",
          Action: [
            "admin:AddUserToGroup",
            "admin:EnableGroup",
            "admin:CreatePolicy",
            "admin:AttachUserOrGroupPolicy",
            "admin:CreateUser",
            "admin:EnableUser",
          ],
        }),
      ),
    );
    const writer = await addUser("writer", "writer-secret", ["iam-writer"]);
    const members = await adminOk(
      site,
      "POST",
      "groups/staff/members",
      { add: ["writer"] },
      writer,
    );
    expect(members).toEqual({ name: "staff", status: "enabled" });
    const status = await adminOk(site, "PUT", "groups/staff/status", { status: "enabled" }, writer);
    expect(JSON.stringify(status)).not.toContain("victim");
    const created = await adminOk(
      site,
      "PUT",
      "policies/writer-made",
      JSON.parse(policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::v/*" })),
      writer,
    );
    expect(created).toEqual({ name: "writer-made", builtin: false });
    const attached = await adminOk(
      site,
      "POST",
      "policies/attach",
      { policies: ["writer-made"], user: "victim" },
      writer,
    );
    expect(attached).toEqual({ user: "victim" });
    const user = await adminOk(site, "PUT", "users/victim/status", { status: "enabled" }, writer);
    expect(user).toEqual({ accessKey: "victim", status: "enabled" });
    // Root, who may read everything, still gets the whole state.
    const full = await adminOk<{ members: string[] }>(site, "POST", "groups/staff/members", {});
    expect(full.members).toEqual(["victim", "writer"]);
  });

  it("admin errors carry a code and a message only", async () => {
    const res = await admin(site, "GET", "users/%E0%A4%A", undefined, mallory);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(["code", "message"]);
  });
});

describe("policies are validated", () => {
  it.each([
    ["StringEqual", { StringEqual: { "aws:username": "mallory" } }],
    ["ForAnyValues:StringEquals", { "ForAnyValues:StringEquals": { "aws:username": "x" } }],
    ["aws:usrname", { StringEquals: { "aws:usrname": "mallory" } }],
  ])("an IAM policy naming %s is refused with 400 MalformedPolicy", async (problem, condition) => {
    const res = await admin(site, "PUT", "policies/typo", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: condition }],
    });
    expect(refused(res)).toEqual([400, "MalformedPolicy"]);
    expect(String(res.body.message)).toContain(problem);
    expect((await admin(site, "GET", "policies/typo")).status).toBe(404);
  });

  it("a service account policy with an unknown operator is refused too", async () => {
    const res = await admin(
      site,
      "POST",
      "service-accounts",
      {
        policy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { Sometimes: {} } },
          ],
        },
      },
      mallory,
    );
    expect(refused(res)).toEqual([400, "MalformedPolicy"]);
  });
});
