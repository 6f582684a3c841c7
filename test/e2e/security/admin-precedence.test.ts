/**
 * The order in which an admin route refuses, against one real local site:
 * a caller without the route's permission is refused before the route
 * looks at the bucket the path names, the query or the body (so a refused
 * caller learns nothing from a malformed request); where the body picks the
 * action, the caller needs one of the route's actions before the body is
 * read and the one the body asks for after; a malformed path segment is 400
 * for anyone.
 */
import { CreateBucketCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, adminOk, s3Client, type AdminResponse } from "../harness/clients.ts";
import { startSite, type Site } from "../harness/site.ts";

let site: Site;

type Credentials = { accessKeyId: string; secretAccessKey: string };
type Probe = [method: string, path: string, body?: unknown];
const BUCKET = "precedence";
const NOT_JSON = "not json";

async function addUser(name: string, policies: string[]): Promise<Credentials> {
  const secretKey = `${name}-secret`;
  await adminOk(site, "POST", "users", { accessKey: name, secretKey });
  await adminOk(site, "POST", "policies/attach", { policies, user: name });
  return { accessKeyId: name, secretAccessKey: secretKey };
}

async function addPolicy(name: string, action: string[]): Promise<void> {
  await adminOk(site, "PUT", `policies/${name}`, {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::*" }],
  });
}

const answer = (res: AdminResponse<Record<string, unknown>>) => [res.status, res.body.code];

async function expectAll(probes: Probe[], as: Credentials, expected: [number, string]) {
  for (const [method, path, body] of probes) {
    const res = await admin(site, method, path, body, as);
    expect(answer(res), `${method} ${path} ${JSON.stringify(body)}`).toEqual(expected);
  }
}

let reader: Credentials;

beforeAll(async () => {
  site = await startSite();
  const root = s3Client(site);
  await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await root.send(
    new PutBucketVersioningCommand({
      Bucket: BUCKET,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  reader = await addUser("reader", ["readonly"]);
});

afterAll(async () => {
  await site?.remove();
});

describe("replication admin routes", () => {
  it("refuse a caller without the bucket action before the bucket, the query or the body", async () => {
    await expectAll(
      [
        ["POST", `buckets/${BUCKET}/replication/resync`, NOT_JSON],
        ["POST", "buckets/no-such-bucket/replication/resync", { arn: "x" }],
        ["GET", `buckets/${BUCKET}/replication/resync`],
        ["DELETE", `buckets/${BUCKET}/replication/resync`],
        ["GET", `buckets/${BUCKET}/replication/digest?bogus=1`],
        ["GET", "buckets/no-such-bucket/replication/digest"],
        ["POST", `buckets/${BUCKET}/replication/verify`, NOT_JSON],
        ["POST", "buckets/no-such-bucket/replication/verify", { arn: "x" }],
        ["GET", `buckets/${BUCKET}/replication/status`],
        ["GET", `buckets/${BUCKET}/replication/diff`],
        ["POST", `buckets/${BUCKET}/remote-targets`, NOT_JSON],
        ["GET", `buckets/${BUCKET}/remote-targets`],
        ["PATCH", `buckets/${BUCKET}/remote-targets`, NOT_JSON],
        ["DELETE", `buckets/${BUCKET}/remote-targets`],
      ],
      reader,
      [403, "AccessDenied"],
    );
  });

  it("read the body once allowed, and ask verify --fix for s3:PutReplicationConfiguration after it", async () => {
    await addPolicy("replication-reader", ["s3:GetReplicationConfiguration"]);
    const auditor = await addUser("auditor", ["replication-reader"]);
    const verify = `buckets/${BUCKET}/replication/verify`;
    await expectAll([["POST", verify, NOT_JSON]], auditor, [400, "InvalidRequest"]);
    await expectAll([["POST", verify, { arn: "x", fix: true }]], auditor, [403, "AccessDenied"]);
    await expectAll([["POST", verify, { arn: "x" }]], auditor, [404, "NoSuchRemoteTarget"]);
    await expectAll(
      [["POST", "buckets/no-such-bucket/replication/verify", { arn: "x" }]],
      auditor,
      [404, "NoSuchBucket"],
    );
  });

  it("check the bucket, then the query, then the body of a resync", async () => {
    await addPolicy("resyncer", ["s3:ResetBucketReplicationState"]);
    const resyncer = await addUser("resyncer", ["resyncer"]);
    const resync = `buckets/${BUCKET}/replication/resync`;
    await expectAll([["DELETE", "buckets/no-such-bucket/replication/resync"]], resyncer, [
      404,
      "NoSuchBucket",
    ]);
    await expectAll([["DELETE", resync]], resyncer, [400, "InvalidRequest"]);
    await expectAll([["DELETE", `${resync}?arn=x`]], resyncer, [404, "NoSuchResyncJob"]);
    await expectAll([["POST", resync, NOT_JSON]], resyncer, [400, "InvalidRequest"]);
    await expectAll([["POST", resync, { arn: "x" }]], resyncer, [404, "NoSuchRemoteTarget"]);
  });
});

describe("IAM routes", () => {
  it("need one of a route's actions before the body and the one it asks for after", async () => {
    await addPolicy("enabler", ["admin:EnableUser", "admin:AddUserToGroup"]);
    const enabler = await addUser("enabler", ["enabler"]);
    await adminOk(site, "POST", "groups", { name: "staff", members: ["reader"] });
    await expectAll(
      [
        ["PUT", "users/reader/status", NOT_JSON],
        ["POST", "groups/staff/members", NOT_JSON],
      ],
      enabler,
      [400, "InvalidRequest"],
    );
    await expectAll(
      [
        ["PUT", "users/reader/status", { status: "disabled" }],
        ["POST", "groups/staff/members", { remove: ["reader"] }],
        ["POST", "groups/staff/members", { add: ["enabler"], remove: ["reader"] }],
        ["PUT", "groups/staff/status", NOT_JSON],
      ],
      enabler,
      [403, "AccessDenied"],
    );
  });

  it("refuse a caller without the action before the body, and a malformed path for anyone", async () => {
    await expectAll(
      [
        ["POST", "users", NOT_JSON],
        ["POST", "users", { accessKey: "newcomer", secretKey: "newcomer-secret" }],
        ["DELETE", "users/enabler"],
        ["PUT", "policies/mine", NOT_JSON],
        ["POST", "policies/attach", NOT_JSON],
        ["POST", "groups", NOT_JSON],
      ],
      reader,
      [403, "AccessDenied"],
    );
    await expectAll(
      [
        ["DELETE", "users/a!b"],
        ["PUT", "groups/a!b/status", NOT_JSON],
        ["DELETE", "policies/a!b"],
      ],
      reader,
      [400, "InvalidRequest"],
    );
  });
});

describe("service-account routes", () => {
  it("refuse service accounts and callers who may not manage an account before the body", async () => {
    const account = await adminOk<{ accessKey: string; secretKey: string }>(
      site,
      "POST",
      "service-accounts",
      {},
      reader,
    );
    const asAccount = { accessKeyId: account.accessKey, secretAccessKey: account.secretKey };
    await expectAll(
      [
        ["POST", "service-accounts", NOT_JSON],
        ["PATCH", `service-accounts/${account.accessKey}`, NOT_JSON],
        ["DELETE", `service-accounts/${account.accessKey}`],
      ],
      asAccount,
      [403, "AccessDenied"],
    );
    const other = await addUser("other", ["readonly"]);
    await expectAll(
      [
        ["PATCH", `service-accounts/${account.accessKey}`, NOT_JSON],
        ["PATCH", "service-accounts/no-such-account", NOT_JSON],
        ["DELETE", "service-accounts/no-such-account"],
        ["GET", "service-accounts/no-such-account"],
        ["GET", "service-accounts?user=reader"],
      ],
      other,
      [403, "AccessDenied"],
    );
    // Its owner gets as far as the body.
    await expectAll([["PATCH", `service-accounts/${account.accessKey}`, NOT_JSON]], reader, [
      400,
      "InvalidRequest",
    ]);
  });
});
