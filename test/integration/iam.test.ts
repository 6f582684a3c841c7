/** The IAM Durable Object inside workerd: sealed secrets, resolution of users, groups and service accounts. */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../../shared/iam/policy-document.ts";
import type { Iam } from "../../durable-objects/iam/iam.ts";

const iam = () => env.IAM.get(env.IAM.idFromName("iam"));

const policy: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] }],
};

describe("IAM store", () => {
  it("stores secrets sealed and opens them only to resolve the key", async () => {
    const stub = iam();
    expect(await stub.addUser("alice", "alice-secret-1", "enabled")).toMatchObject({ ok: true });
    const stored = await runInDurableObject(stub, (_: Iam, state) =>
      state.storage.sql.exec<{ secret: string }>("SELECT secret FROM users").toArray(),
    );
    expect(stored[0].secret).toMatch(/^v1\./);
    expect(stored[0].secret).not.toContain("alice-secret-1");
    expect(await stub.resolve("alice")).toMatchObject({
      secretKey: "alice-secret-1",
      kind: "user",
      user: "alice",
      policies: [],
    });
    expect(await stub.resolve("nobody")).toBeNull();
  });

  it("resolves the policies of a user and its enabled groups, and of a service account's parent", async () => {
    const stub = iam();
    await stub.addUser("bob", "bob-secret-12", "enabled");
    expect(await stub.putPolicy("getter", policy)).toMatchObject({ ok: true });
    await stub.addGroupMembers("team", ["bob"]);
    await stub.setAttachment(["getter"], { kind: "group", name: "team" }, true);
    await stub.setAttachment(["readonly"], { kind: "user", name: "bob" }, true);
    const resolved = await stub.resolve("bob");
    expect(resolved?.groups).toEqual(["team"]);
    expect(resolved?.policies).toHaveLength(2);
    await stub.setGroupStatus("team", "disabled");
    expect((await stub.resolve("bob"))?.policies).toHaveLength(1);

    const account = await stub.addServiceAccount({ parent: "bob", policy });
    if (!account.ok) throw new Error(account.message);
    expect(account.value.secretKey).toHaveLength(40);
    const viaAccount = await stub.resolve(account.value.accessKey);
    expect(viaAccount).toMatchObject({
      kind: "serviceAccount",
      user: "bob",
      sessionPolicy: policy,
    });
    await stub.setUserStatus("bob", "disabled");
    expect(await stub.resolve(account.value.accessKey)).toBeNull();
    expect(await stub.removeUser("bob")).toMatchObject({ ok: true });
    expect(await stub.serviceAccountInfo(account.value.accessKey)).toMatchObject({
      ok: false,
      code: "NoSuchServiceAccount",
    });
  });

  it("keeps one identity per access key", async () => {
    const stub = iam();
    expect(await stub.addUser("floeadmin", "whatever-secret", "enabled")).toMatchObject({
      ok: false,
      code: "AccessKeyInUse",
    });
    await stub.addUser("carol", "carol-secret", "enabled");
    expect(
      await stub.addServiceAccount({
        parent: "carol",
        accessKey: "carol",
        secretKey: "x-secret-1",
      }),
    ).toMatchObject({ ok: false, code: "AccessKeyInUse" });
  });
});
