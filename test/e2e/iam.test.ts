/**
 * IAM end to end against one local site with @aws-sdk/client-s3 and the
 * admin API: users, groups, policies (built-in and custom, with conditions
 * and variables), service accounts, bucket policies with anonymous access,
 * admin actions as policy actions, and the replication permissions.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { admin, s3Client } from "./harness/clients.ts";
import { creds, denied, keys, put, read, useIamSite } from "./harness/iam.ts";

const iam = useIamSite();
const { ok, addUser } = iam;

describe("users and built-in policies", () => {
  it("a readonly user reads but cannot write, delete or list", async () => {
    const ro = await addUser("reader", "reader-secret", ["readonly"]);
    expect(await read(ro, "shared", "top.txt")).toBe("shared/top.txt");
    expect(await denied(put(ro, "shared", "new.txt"))).toBe("AccessDenied");
    expect(
      await denied(ro.send(new DeleteObjectCommand({ Bucket: "shared", Key: "top.txt" }))),
    ).toBe("AccessDenied");
    expect(await denied(keys(ro, "shared"))).toBe("AccessDenied");
    expect(await read(iam.root, "shared", "top.txt")).toBe("shared/top.txt");
  });

  it("a user with no policy may do nothing", async () => {
    const none = await addUser("nobody", "nobody-secret");
    expect(await denied(read(none, "shared", "top.txt"))).toBe("AccessDenied");
    expect(await denied(none.send(new ListBucketsCommand({})))).toBe("AccessDenied");
  });

  it("a disabled user is refused until enabled again", async () => {
    const rw = await addUser("switch", "switch-secret", ["readwrite"]);
    await put(rw, "shared", "switch.txt");
    await ok("PUT", "users/switch/status", { status: "disabled" });
    expect(await denied(read(rw, "shared", "switch.txt"))).toBe("InvalidAccessKeyId");
    await ok("PUT", "users/switch/status", { status: "enabled" });
    expect(await read(rw, "shared", "switch.txt")).toBe("shared/switch.txt");
  });

  it("a wrong secret is SignatureDoesNotMatch and an unknown key InvalidAccessKeyId", async () => {
    expect(
      await denied(
        read(s3Client(iam.site, creds("reader", "not-the-secret")), "shared", "top.txt"),
      ),
    ).toBe("SignatureDoesNotMatch");
    expect(
      await denied(read(s3Client(iam.site, creds("ghost", "ghost-secret")), "shared", "top.txt")),
    ).toBe("InvalidAccessKeyId");
  });

  it("lists users with their policies and groups, never their secrets", async () => {
    const { users } = await ok<{
      users: { accessKey: string; status: string; policies: string[] }[];
    }>("GET", "users");
    expect(users.find((u) => u.accessKey === "reader")).toMatchObject({
      status: "enabled",
      policies: ["readonly"],
    });
    expect(JSON.stringify(users)).not.toContain("reader-secret");
    expect(await ok("GET", "users/reader")).toMatchObject({ accessKey: "reader", groups: [] });
  });
});

describe("custom policies", () => {
  const home = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn:aws:s3:::shared"],
        Condition: {
          StringLike: { "s3:prefix": ["home/${aws:username}/*", "home/${aws:username}/"] },
        },
      },
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: ["arn:aws:s3:::shared/home/${aws:username}/*"],
      },
    ],
  };

  it("a prefix-scoped user sees and touches only its prefix", async () => {
    await ok("PUT", "policies/home-folder", home);
    const alice = await addUser("alice", "alice-secret", ["home-folder"]);
    expect(await keys(alice, "shared", "home/alice/")).toEqual(["home/alice/a.txt"]);
    expect(await denied(keys(alice, "shared", "home/bob/"))).toBe("AccessDenied");
    expect(await denied(keys(alice, "shared"))).toBe("AccessDenied");
    expect(await denied(keys(alice, "other"))).toBe("AccessDenied");
    await put(alice, "shared", "home/alice/new.txt");
    expect(await denied(put(alice, "shared", "home/bob/evil.txt"))).toBe("AccessDenied");
    expect(await denied(read(alice, "shared", "home/bob/b.txt"))).toBe("AccessDenied");
    // Copying out of someone else's folder needs read access to the source.
    expect(
      await denied(
        alice.send(
          new CopyObjectCommand({
            Bucket: "shared",
            Key: "home/alice/stolen.txt",
            CopySource: "shared/home/bob/b.txt",
          }),
        ),
      ),
    ).toBe("AccessDenied");
    // DeleteObjects authorizes every key on its own.
    const res = await alice.send(
      new DeleteObjectsCommand({
        Bucket: "shared",
        Delete: { Objects: [{ Key: "home/alice/new.txt" }, { Key: "home/bob/b.txt" }] },
      }),
    );
    expect(res.Deleted?.map((d) => d.Key)).toEqual(["home/alice/new.txt"]);
    expect(res.Errors?.map((e) => [e.Key, e.Code])).toEqual([["home/bob/b.txt", "AccessDenied"]]);
    expect(await read(iam.root, "shared", "home/bob/b.txt")).toBe("shared/home/bob/b.txt");
  });

  it("an explicit Deny wins over readwrite", async () => {
    await ok("PUT", "policies/no-private", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::shared/private/*" }],
    });
    const rw = await addUser("mostly", "mostly-secret", ["readwrite", "no-private"]);
    expect(await read(rw, "shared", "top.txt")).toBe("shared/top.txt");
    expect(await denied(read(rw, "shared", "private/q.txt"))).toBe("AccessDenied");
  });

  it("refuses malformed documents, changes to built-ins and removal of attached policies", async () => {
    const bad = await admin(iam.site, "PUT", "policies/bad", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow" }],
    });
    expect([bad.status, bad.body.code]).toEqual([400, "MalformedPolicy"]);
    const builtin = await admin(iam.site, "PUT", "policies/readonly", home);
    expect([builtin.status, builtin.body.code]).toEqual([409, "PolicyIsBuiltin"]);
    const inUse = await admin(iam.site, "DELETE", "policies/home-folder");
    expect([inUse.status, inUse.body.code]).toEqual([409, "PolicyInUse"]);
    const info = await ok<{ attachedTo: { users: string[] } }>("GET", "policies/home-folder");
    expect(info.attachedTo.users).toEqual(["alice"]);
    const missing = await admin(iam.site, "POST", "policies/attach", {
      policies: ["nope"],
      user: "alice",
    });
    expect([missing.status, missing.body.code]).toEqual([404, "NoSuchPolicy"]);
  });
});

describe("groups", () => {
  it("members act with the group's policies while the group is enabled", async () => {
    const dave = await addUser("dave", "dave-secret");
    expect(await denied(read(dave, "shared", "top.txt"))).toBe("AccessDenied");
    await ok("POST", "groups", { name: "readers", members: ["dave"] });
    await ok("POST", "policies/attach", { policies: ["readonly"], group: "readers" });
    expect(await read(dave, "shared", "top.txt")).toBe("shared/top.txt");
    expect(await ok("GET", "users/dave")).toMatchObject({ groups: ["readers"] });
    await ok("PUT", "groups/readers/status", { status: "disabled" });
    expect(await denied(read(dave, "shared", "top.txt"))).toBe("AccessDenied");
    await ok("PUT", "groups/readers/status", { status: "enabled" });
    expect(await read(dave, "shared", "top.txt")).toBe("shared/top.txt");
    const notEmpty = await admin(iam.site, "DELETE", "groups/readers");
    expect([notEmpty.status, notEmpty.body.code]).toEqual([409, "GroupNotEmpty"]);
    await ok("POST", "groups/readers/members", { remove: ["dave"] });
    expect(await denied(read(dave, "shared", "top.txt"))).toBe("AccessDenied");
    await ok("DELETE", "groups/readers");
    expect((await admin(iam.site, "GET", "groups/readers")).status).toBe(404);
  });
});

describe("service accounts", () => {
  it("inherit their parent's policies, or narrow them with their own", async () => {
    await addUser("carol", "carol-secret", ["readwrite"]);
    const carol = creds("carol", "carol-secret");
    // Carol manages her own service accounts without any admin permission.
    const inherit = await ok<{ accessKey: string; secretKey: string; parent: string }>(
      "POST",
      "service-accounts",
      {},
      carol,
    );
    expect(inherit.parent).toBe("carol");
    const inheritClient = s3Client(iam.site, creds(inherit.accessKey, inherit.secretKey));
    await put(inheritClient, "shared", "svc/inherited.txt");
    const narrow = await ok<{ accessKey: string; secretKey: string }>(
      "POST",
      "service-accounts",
      {
        accessKey: "carol-reader",
        secretKey: "carol-reader-secret",
        policy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/*" },
          ],
        },
      },
      carol,
    );
    const narrowClient = s3Client(iam.site, creds(narrow.accessKey, narrow.secretKey));
    expect(await read(narrowClient, "shared", "svc/inherited.txt")).toBe(
      "shared/svc/inherited.txt",
    );
    expect(await denied(put(narrowClient, "shared", "svc/narrow.txt"))).toBe("AccessDenied");
    expect(await denied(read(narrowClient, "other", "x.txt"))).toBe("AccessDenied");
    // A service account cannot act beyond its parent: carol without policies gives it nothing.
    await ok("POST", "policies/detach", { policies: ["readwrite"], user: "carol" });
    expect(await denied(read(narrowClient, "shared", "svc/inherited.txt"))).toBe("AccessDenied");
    await ok("POST", "policies/attach", { policies: ["readwrite"], user: "carol" });
    // Disabling the parent disables its service accounts.
    await ok("PUT", "users/carol/status", { status: "disabled" });
    expect(await denied(read(inheritClient, "shared", "svc/inherited.txt"))).toBe(
      "InvalidAccessKeyId",
    );
    await ok("PUT", "users/carol/status", { status: "enabled" });
    expect(await read(inheritClient, "shared", "svc/inherited.txt")).toBe(
      "shared/svc/inherited.txt",
    );
    const listed = await ok<{ serviceAccounts: { accessKey: string; impliedPolicy: boolean }[] }>(
      "GET",
      "service-accounts?user=carol",
      undefined,
      carol,
    );
    expect(listed.serviceAccounts.map((a) => [a.accessKey, a.impliedPolicy]).sort()).toEqual(
      [
        [inherit.accessKey, true],
        ["carol-reader", false],
      ].sort(),
    );
    expect(JSON.stringify(listed)).not.toContain(inherit.secretKey);
    // Carol may not create service accounts for others.
    const forOther = await admin(iam.site, "POST", "service-accounts", { user: "alice" }, carol);
    expect([forOther.status, forOther.body.code]).toEqual([403, "AccessDenied"]);
    await ok("DELETE", "service-accounts/carol-reader", undefined, carol);
    expect(await denied(read(narrowClient, "shared", "svc/inherited.txt"))).toBe(
      "InvalidAccessKeyId",
    );
  });

  it("stop working when they expire or are disabled", async () => {
    await addUser("erin", "erin-secret", ["readwrite"]);
    const expiring = await ok<{ accessKey: string; secretKey: string }>(
      "POST",
      "service-accounts",
      {
        user: "erin",
        expiration: new Date(Date.now() + 1500).toISOString(),
      },
    );
    const client = s3Client(iam.site, creds(expiring.accessKey, expiring.secretKey));
    expect(await read(client, "shared", "top.txt")).toBe("shared/top.txt");
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await denied(read(client, "shared", "top.txt"))).toBe("InvalidAccessKeyId");
    const other = await ok<{ accessKey: string; secretKey: string }>("POST", "service-accounts", {
      user: "erin",
    });
    await ok("PATCH", `service-accounts/${other.accessKey}`, { status: "disabled" });
    expect(
      await denied(
        read(s3Client(iam.site, creds(other.accessKey, other.secretKey)), "shared", "top.txt"),
      ),
    ).toBe("InvalidAccessKeyId");
  });
});

describe("bucket policies", () => {
  const anonymous = (path: string, init: RequestInit = {}) => fetch(`${iam.site.url}${path}`, init);

  it("anonymous reads work only where a bucket policy allows them", async () => {
    expect((await anonymous("/shared/public/p.txt")).status).toBe(403);
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: "*",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::shared/public/*"],
        },
      ],
    });
    await iam.root.send(new PutBucketPolicyCommand({ Bucket: "shared", Policy: policy }));
    const res = await anonymous("/shared/public/p.txt");
    expect([res.status, await res.text()]).toEqual([200, "shared/public/p.txt"]);
    const privateRead = await anonymous("/shared/private/q.txt");
    expect(privateRead.status).toBe(403);
    expect(await privateRead.text()).toContain("<Code>AccessDenied</Code>");
    expect((await anonymous("/shared/public/new.txt", { method: "PUT", body: "x" })).status).toBe(
      403,
    );
    expect((await anonymous("/shared?list-type=2")).status).toBe(403);
    expect((await anonymous("/")).status).toBe(403);
    expect(
      JSON.parse((await iam.root.send(new GetBucketPolicyCommand({ Bucket: "shared" }))).Policy!),
    ).toEqual(JSON.parse(policy));
    const status = await iam.root.send(new GetBucketPolicyStatusCommand({ Bucket: "shared" }));
    expect(status.PolicyStatus?.IsPublic).toBe(true);
    await iam.root.send(new DeleteBucketPolicyCommand({ Bucket: "shared" }));
    expect((await anonymous("/shared/public/p.txt")).status).toBe(403);
    expect(await denied(iam.root.send(new GetBucketPolicyCommand({ Bucket: "shared" })))).toBe(
      "NoSuchBucketPolicy",
    );
  });

  it("grants and denies named users on top of their own policies", async () => {
    const frank = await addUser("frank", "frank-secret");
    await iam.root.send(
      new PutBucketPolicyCommand({
        Bucket: "other",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: ["arn:aws:iam:::user/frank"] },
              Action: "s3:GetObject",
              Resource: "arn:aws:s3:::other/*",
            },
            {
              Effect: "Deny",
              Principal: "*",
              Action: "s3:DeleteObject",
              Resource: "arn:aws:s3:::other/*",
            },
          ],
        }),
      }),
    );
    expect(await read(frank, "other", "x.txt")).toBe("other/x.txt");
    const rw = await addUser("grace", "grace-secret", ["readwrite"]);
    expect(await denied(rw.send(new DeleteObjectCommand({ Bucket: "other", Key: "x.txt" })))).toBe(
      "AccessDenied",
    );
    // The root user is never locked out by a bucket policy.
    await iam.root.send(new DeleteBucketPolicyCommand({ Bucket: "other" }));
  });

  it("refuses malformed bucket policies", async () => {
    const attempts = [
      "not json",
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/*" }],
      }),
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::other/*",
          },
        ],
      }),
    ];
    for (const policy of attempts) {
      expect(
        await denied(
          iam.root.send(new PutBucketPolicyCommand({ Bucket: "shared", Policy: policy })),
        ),
      ).toBe("MalformedPolicy");
    }
  });
});

describe("admin actions are policy actions", () => {
  it("lets each built-in admin policy do its part and nothing else", async () => {
    await addUser("diag", "diag-secret", ["diagnostics"]);
    await addUser("boss", "boss-secret", ["consoleAdmin"]);
    await addUser("repladmin", "repladmin-secret", ["ReplicationAdmin"]);
    const diag = creds("diag", "diag-secret");
    const boss = creds("boss", "boss-secret");
    const repl = creds("repladmin", "repladmin-secret");
    expect((await admin(iam.site, "GET", "info", undefined, diag)).status).toBe(200);
    const diagUsers = await admin(iam.site, "GET", "users", undefined, diag);
    expect([diagUsers.status, diagUsers.body.code]).toEqual([403, "AccessDenied"]);
    expect((await admin(iam.site, "GET", "users", undefined, boss)).status).toBe(200);
    expect(
      (
        await admin(
          iam.site,
          "POST",
          "users",
          { accessKey: "made-by-boss", secretKey: "secret-by-boss" },
          boss,
        )
      ).status,
    ).toBe(200);
    for (const [method, path] of [
      ["GET", "info"],
      ["GET", "users"],
      ["POST", "heal"],
    ] as const) {
      expect(
        (await admin(iam.site, method, path, method === "POST" ? {} : undefined, repl)).status,
        path,
      ).toBe(403);
    }
    const ro = await admin(
      iam.site,
      "POST",
      "users",
      { accessKey: "sneaky", secretKey: "sneaky-secret" },
      creds("reader", "reader-secret"),
    );
    expect([ro.status, ro.body.code]).toEqual([403, "AccessDenied"]);
  });

  it("validates admin request bodies", async () => {
    const short = await admin(iam.site, "POST", "users", { accessKey: "ab", secretKey: "x" });
    expect([short.status, short.body.code]).toEqual([400, "InvalidRequest"]);
    const extra = await admin(iam.site, "POST", "users", {
      accessKey: "abc",
      secretKey: "abcdefgh",
      admin: true,
    });
    expect([extra.status, extra.body.code]).toEqual([400, "InvalidRequest"]);
    const rootKey = await admin(iam.site, "POST", "users", {
      accessKey: "floeadmin",
      secretKey: "abcdefgh",
    });
    expect([rootKey.status, rootKey.body.code]).toEqual([409, "AccessKeyInUse"]);
    expect((await admin(iam.site, "GET", "users/ghost")).status).toBe(404);
  });
});

describe("object lock permissions", () => {
  it("bypassing GOVERNANCE retention needs s3:BypassGovernanceRetention", async () => {
    await iam.root.send(
      new CreateBucketCommand({ Bucket: "locked", ObjectLockEnabledForBucket: true }),
    );
    const written = await iam.root.send(
      new PutObjectCommand({
        Bucket: "locked",
        Key: "doc.txt",
        Body: "kept",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
      }),
    );
    await ok("PUT", "policies/no-bypass", {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::locked/*" },
        { Effect: "Deny", Action: "s3:BypassGovernanceRetention", Resource: "*" },
      ],
    });
    const plain = await addUser("locksmith-apprentice", "apprentice-secret", ["no-bypass"]);
    const remove = (client: S3Client) =>
      client.send(
        new DeleteObjectCommand({
          Bucket: "locked",
          Key: "doc.txt",
          VersionId: written.VersionId,
          BypassGovernanceRetention: true,
        }),
      );
    expect(await denied(remove(plain))).toBe("AccessDenied");
    const master = await addUser("locksmith", "locksmith-secret", ["readwrite"]);
    await remove(master);
  });
});

describe("replication permissions", () => {
  it("a bucket-scoped ReplicationRemoteUser may write replicas there and cannot list other buckets", async () => {
    await ok("PUT", "policies/replica-shared", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "s3:GetReplicationConfiguration",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:GetBucketLocation",
            "s3:GetBucketVersioning",
            "s3:GetBucketObjectLockConfiguration",
          ],
          Resource: ["arn:aws:s3:::shared"],
        },
        {
          Effect: "Allow",
          Action: [
            "s3:ReplicateTags",
            "s3:AbortMultipartUpload",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectVersionTagging",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:ReplicateObject",
            "s3:ReplicateDelete",
          ],
          Resource: ["arn:aws:s3:::shared/*"],
        },
      ],
    });
    const replicator = await addUser("replicator", "replicator-secret", ["replica-shared"]);
    const buckets = await replicator.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(["shared"]);
    expect(await denied(keys(replicator, "other"))).toBe("AccessDenied");
    expect(await denied(read(replicator, "other", "x.txt"))).toBe("AccessDenied");
    expect(await keys(replicator, "shared", "public/")).toEqual(["public/p.txt"]);
    // Replicas need versioning; they keep the version id and mtime the source sends.
    await iam.root.send(
      new PutBucketVersioningCommand({
        Bucket: "shared",
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const versionId = crypto.randomUUID();
    const mtime = Date.parse("2026-06-01T10:00:00Z");
    replicator.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers["x-floe-replication-request"] = "true";
        request.headers["x-floe-source-version-id"] = versionId;
        request.headers["x-floe-source-mtime"] = String(mtime);
        return next(args);
      },
      { step: "build", name: "replicaHeader" },
    );
    await put(replicator, "shared", "replica/r.txt");
    expect(await read(iam.root, "shared", "replica/r.txt")).toBe("shared/replica/r.txt");
    const head = await iam.root.send(
      new HeadObjectCommand({ Bucket: "shared", Key: "replica/r.txt" }),
    );
    expect([head.VersionId, head.ReplicationStatus, head.LastModified?.getTime()]).toEqual([
      versionId,
      "REPLICA",
      mtime,
    ]);
    // A user who may write objects but not replicate is refused replica writes.
    const writer = await addUser("writer", "writer-secret", ["writeonly"]);
    await put(writer, "shared", "plain/w.txt");
    writer.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers[
          "x-floe-replication-request"
        ] = "true";
        return next(args);
      },
      { step: "build", name: "replicaHeader" },
    );
    expect(await denied(put(writer, "shared", "plain/replica.txt"))).toBe("AccessDenied");
  });
});

describe("secrets at rest", () => {
  it("never stores a secret key in plain text", () => {
    const secrets = ["reader-secret", "alice-secret", "carol-reader-secret", "replicator-secret"];
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(join(iam.site.state, "do"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const content = readFileSync(file).toString("latin1");
      for (const secret of secrets)
        expect(content.includes(secret), `${secret} in ${file}`).toBe(false);
    }
  });
});
