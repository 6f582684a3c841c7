/**
 * The IAM Durable Object: one per site, holding users, groups, named
 * policies and their attachments, and service accounts. Rules:
 * - an access key names one identity: the root user, a user or a service
 *   account, never two; removing a user removes its memberships,
 *   attachments and service accounts;
 * - built-in policies (shared/iam/builtin-policies.ts) can be attached but
 *   not changed or removed; a policy still attached cannot be removed;
 * - a group is removed only when empty;
 * - a service account belongs to a user (or the root user), is refused when
 *   it or its parent is disabled or it has expired, and acts with its
 *   parent's policies narrowed by its own policy when it has one;
 * - secret keys are sealed with the master key (FLOE_MASTER_KEY) and opened
 *   only to answer `resolve` for SigV4.
 */
import { DurableObject } from "cloudflare:workers";
import { secretBox, type SecretBox } from "../../shared/crypto/secret-box.ts";
import { BUILTIN_POLICIES, isBuiltinPolicy } from "../../shared/iam/builtin-policies.ts";
import type { PolicyDocument } from "../../shared/iam/policy-document.ts";
import type { ColumnAt } from "../stored-json.ts";
import { POLICY_DOCUMENT } from "./stored-formats.ts";
import { applyMigrations } from "../migrations.ts";
import { IAM_MIGRATIONS } from "./schema.ts";
import type {
  GroupInfo,
  IamFailure,
  IamResult,
  NewServiceAccount,
  PolicyInfo,
  ResolvedKey,
  ServiceAccountInfo,
  ServiceAccountUpdate,
  Status,
  UserInfo,
} from "../../shared/types/iam-rpc.ts";

interface UserRow extends Record<string, SqlStorageValue> {
  access_key: string;
  secret: string;
  status: string;
  created_at: number;
}

interface ServiceAccountRow extends Record<string, SqlStorageValue> {
  access_key: string;
  secret: string;
  parent: string;
  status: string;
  policy: string | null;
  name: string | null;
  description: string | null;
  expiration: number | null;
  created_at: number;
  disabled_by: string | null;
}

const fail = (status: number, code: string, message: string): IamFailure => ({
  ok: false,
  status,
  code,
  message,
});
const ok = <T>(value: T): IamResult<T> => ({ ok: true, value });

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function randomString(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** Where a service account's session policy was read from. */
function sessionPolicyAt(accessKey: string): ColumnAt {
  return { table: "service_accounts", key: accessKey, column: "policy" };
}

export class Iam extends DurableObject<Env> {
  private sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, IAM_MIGRATIONS));
  }

  private box(): SecretBox | null {
    const master = this.env.FLOE_MASTER_KEY;
    return master ? secretBox(master, "iam") : null;
  }

  private sealer(): SecretBox | IamFailure {
    return (
      this.box() ??
      fail(500, "MasterKeyMissing", "FLOE_MASTER_KEY is not set; IAM secrets cannot be stored.")
    );
  }

  /**
   * Why `accessKey` cannot be taken by a new identity, or null. Adding a
   * user may reuse that user's own key (it sets a new secret).
   */
  private keyTaken(accessKey: string, reuse: "user" | null): IamFailure | null {
    if (accessKey === this.env.FLOE_ROOT_USER)
      return fail(409, "AccessKeyInUse", "The access key is the root user's.");
    if (reuse !== "user" && this.userRow(accessKey))
      return fail(409, "AccessKeyInUse", "The access key belongs to a user.");
    if (this.serviceAccountRow(accessKey))
      return fail(409, "AccessKeyInUse", "The access key belongs to a service account.");
    return null;
  }

  private userRow(accessKey: string): UserRow | null {
    return (
      this.sql.exec<UserRow>("SELECT * FROM users WHERE access_key = ?", accessKey).toArray()[0] ??
      null
    );
  }

  private serviceAccountRow(accessKey: string): ServiceAccountRow | null {
    return (
      this.sql
        .exec<ServiceAccountRow>("SELECT * FROM service_accounts WHERE access_key = ?", accessKey)
        .toArray()[0] ?? null
    );
  }

  private attached(kind: "user" | "group", target: string): string[] {
    return this.sql
      .exec<{ policy: string }>(
        "SELECT policy FROM policy_attachments WHERE kind = ? AND target = ? ORDER BY policy",
        kind,
        target,
      )
      .toArray()
      .map((r) => r.policy);
  }

  private groupsOf(accessKey: string): string[] {
    return this.sql
      .exec<{ group_name: string }>(
        "SELECT group_name FROM group_members WHERE access_key = ? ORDER BY group_name",
        accessKey,
      )
      .toArray()
      .map((r) => r.group_name);
  }

  private policyDocument(name: string): PolicyDocument | null {
    if (isBuiltinPolicy(name)) return BUILTIN_POLICIES[name];
    const row = this.sql
      .exec<{ document: string }>("SELECT document FROM policies WHERE name = ?", name)
      .toArray()[0];
    return row
      ? POLICY_DOCUMENT.read(row.document, { table: "policies", key: name, column: "document" })
      : null;
  }

  // ---- users ----

  /** Adds a user, or sets an existing user's secret (and status), as `mc admin user add` does. */
  async addUser(
    accessKey: string,
    secretKey: string,
    status: Status,
  ): Promise<IamResult<UserInfo>> {
    const taken = this.keyTaken(accessKey, "user");
    if (taken) return taken;
    const box = this.sealer();
    if ("ok" in box) return box;
    const sealed = await box.seal(secretKey, accessKey);
    const now = Date.now();
    this.sql.exec(
      `INSERT INTO users (access_key, secret, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (access_key) DO UPDATE SET secret = excluded.secret, status = excluded.status,
         updated_at = excluded.updated_at`,
      accessKey,
      sealed,
      status,
      now,
      now,
    );
    return this.userInfo(accessKey);
  }

  async listUsers(): Promise<UserInfo[]> {
    return this.sql
      .exec<UserRow>("SELECT * FROM users ORDER BY access_key")
      .toArray()
      .map((row) => this.describeUser(row));
  }

  private describeUser(row: UserRow): UserInfo {
    return {
      accessKey: row.access_key,
      status: row.status as Status,
      policies: this.attached("user", row.access_key),
      groups: this.groupsOf(row.access_key),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  async userInfo(accessKey: string): Promise<IamResult<UserInfo>> {
    const row = this.userRow(accessKey);
    if (!row) return fail(404, "NoSuchUser", `The user ${accessKey} does not exist.`);
    return ok(this.describeUser(row));
  }

  async setUserStatus(accessKey: string, status: Status): Promise<IamResult<UserInfo>> {
    if (!this.userRow(accessKey))
      return fail(404, "NoSuchUser", `The user ${accessKey} does not exist.`);
    this.sql.exec(
      "UPDATE users SET status = ?, updated_at = ? WHERE access_key = ?",
      status,
      Date.now(),
      accessKey,
    );
    return this.userInfo(accessKey);
  }

  async removeUser(accessKey: string): Promise<IamResult<null>> {
    if (!this.userRow(accessKey))
      return fail(404, "NoSuchUser", `The user ${accessKey} does not exist.`);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM users WHERE access_key = ?", accessKey);
      this.sql.exec("DELETE FROM group_members WHERE access_key = ?", accessKey);
      this.sql.exec("DELETE FROM policy_attachments WHERE kind = 'user' AND target = ?", accessKey);
      this.sql.exec("DELETE FROM service_accounts WHERE parent = ?", accessKey);
    });
    return ok(null);
  }

  // ---- groups ----

  private groupRow(name: string): { name: string; status: string } | null {
    return (
      this.sql
        .exec<{ name: string; status: string }>(
          "SELECT name, status FROM groups WHERE name = ?",
          name,
        )
        .toArray()[0] ?? null
    );
  }

  private describeGroup(row: { name: string; status: string }): GroupInfo {
    return {
      name: row.name,
      status: row.status as Status,
      members: this.sql
        .exec<{ access_key: string }>(
          "SELECT access_key FROM group_members WHERE group_name = ? ORDER BY access_key",
          row.name,
        )
        .toArray()
        .map((r) => r.access_key),
      policies: this.attached("group", row.name),
    };
  }

  /** Adds members to a group, creating it when it does not exist. */
  async addGroupMembers(name: string, members: string[]): Promise<IamResult<GroupInfo>> {
    const unknown = members.find((m) => !this.userRow(m));
    if (unknown !== undefined)
      return fail(404, "NoSuchUser", `The user ${unknown} does not exist.`);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT OR IGNORE INTO groups (name, status, created_at) VALUES (?, 'enabled', ?)",
        name,
        Date.now(),
      );
      for (const member of members) {
        this.sql.exec(
          "INSERT OR IGNORE INTO group_members (group_name, access_key) VALUES (?, ?)",
          name,
          member,
        );
      }
    });
    return this.groupInfo(name);
  }

  async removeGroupMembers(name: string, members: string[]): Promise<IamResult<GroupInfo>> {
    if (!this.groupRow(name)) return fail(404, "NoSuchGroup", `The group ${name} does not exist.`);
    for (const member of members) {
      this.sql.exec(
        "DELETE FROM group_members WHERE group_name = ? AND access_key = ?",
        name,
        member,
      );
    }
    return this.groupInfo(name);
  }

  async listGroups(): Promise<GroupInfo[]> {
    return this.sql
      .exec<{ name: string; status: string }>("SELECT name, status FROM groups ORDER BY name")
      .toArray()
      .map((row) => this.describeGroup(row));
  }

  async groupInfo(name: string): Promise<IamResult<GroupInfo>> {
    const row = this.groupRow(name);
    if (!row) return fail(404, "NoSuchGroup", `The group ${name} does not exist.`);
    return ok(this.describeGroup(row));
  }

  async setGroupStatus(name: string, status: Status): Promise<IamResult<GroupInfo>> {
    if (!this.groupRow(name)) return fail(404, "NoSuchGroup", `The group ${name} does not exist.`);
    this.sql.exec("UPDATE groups SET status = ? WHERE name = ?", status, name);
    return this.groupInfo(name);
  }

  async removeGroup(name: string): Promise<IamResult<null>> {
    const info = await this.groupInfo(name);
    if (!info.ok) return info;
    if (info.value.members.length > 0)
      return fail(409, "GroupNotEmpty", `The group ${name} still has members.`);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM groups WHERE name = ?", name);
      this.sql.exec("DELETE FROM policy_attachments WHERE kind = 'group' AND target = ?", name);
    });
    return ok(null);
  }

  // ---- policies ----

  /** Creates or replaces a named policy (the document was validated by the caller). */
  async putPolicy(name: string, document: PolicyDocument): Promise<IamResult<PolicyInfo>> {
    if (isBuiltinPolicy(name))
      return fail(409, "PolicyIsBuiltin", `The policy ${name} is built in and cannot be changed.`);
    const now = Date.now();
    this.sql.exec(
      `INSERT INTO policies (name, document, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
      name,
      JSON.stringify(document),
      now,
      now,
    );
    return this.policyInfo(name);
  }

  async listPolicies(): Promise<PolicyInfo[]> {
    const custom = this.sql
      .exec<{ name: string }>("SELECT name FROM policies ORDER BY name")
      .toArray()
      .map((r) => ({ name: r.name, builtin: false }));
    const builtin = Object.keys(BUILTIN_POLICIES).map((name) => ({ name, builtin: true }));
    return [...builtin, ...custom];
  }

  async policyInfo(name: string): Promise<IamResult<PolicyInfo>> {
    const document = this.policyDocument(name);
    if (!document) return fail(404, "NoSuchPolicy", `The policy ${name} does not exist.`);
    const rows = this.sql
      .exec<{ kind: string; target: string }>(
        "SELECT kind, target FROM policy_attachments WHERE policy = ? ORDER BY target",
        name,
      )
      .toArray();
    return ok({
      name,
      builtin: isBuiltinPolicy(name),
      document,
      attachedTo: {
        users: rows.filter((r) => r.kind === "user").map((r) => r.target),
        groups: rows.filter((r) => r.kind === "group").map((r) => r.target),
      },
    });
  }

  async removePolicy(name: string): Promise<IamResult<null>> {
    if (isBuiltinPolicy(name))
      return fail(409, "PolicyIsBuiltin", `The policy ${name} is built in and cannot be removed.`);
    const info = await this.policyInfo(name);
    if (!info.ok) return info;
    const { users, groups } = info.value.attachedTo ?? { users: [], groups: [] };
    if (users.length + groups.length > 0)
      return fail(409, "PolicyInUse", `The policy ${name} is attached to users or groups.`);
    this.sql.exec("DELETE FROM policies WHERE name = ?", name);
    return ok(null);
  }

  /** Attaches (or detaches) policies to a user or a group. */
  async setAttachment(
    policies: string[],
    target: { kind: "user" | "group"; name: string },
    attach: boolean,
  ): Promise<IamResult<{ policies: string[] }>> {
    const missing = policies.find((p) => !this.policyDocument(p));
    if (missing !== undefined)
      return fail(404, "NoSuchPolicy", `The policy ${missing} does not exist.`);
    if (target.kind === "user" && !this.userRow(target.name))
      return fail(404, "NoSuchUser", `The user ${target.name} does not exist.`);
    if (target.kind === "group" && !this.groupRow(target.name))
      return fail(404, "NoSuchGroup", `The group ${target.name} does not exist.`);
    for (const policy of policies) {
      this.sql.exec(
        attach
          ? "INSERT OR IGNORE INTO policy_attachments (policy, kind, target) VALUES (?, ?, ?)"
          : "DELETE FROM policy_attachments WHERE policy = ? AND kind = ? AND target = ?",
        policy,
        target.kind,
        target.name,
      );
    }
    return ok({ policies: this.attached(target.kind, target.name) });
  }

  // ---- service accounts ----

  private describeServiceAccount(row: ServiceAccountRow, withPolicy: boolean): ServiceAccountInfo {
    return {
      accessKey: row.access_key,
      parent: row.parent,
      status: row.status as Status,
      name: row.name,
      description: row.description,
      expiration: row.expiration === null ? null : new Date(row.expiration).toISOString(),
      impliedPolicy: row.policy === null,
      disabledBy: row.status === "enabled" ? null : row.disabled_by,
      ...(withPolicy
        ? { policy: POLICY_DOCUMENT.readNullable(row.policy, sessionPolicyAt(row.access_key)) }
        : {}),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  async addServiceAccount(
    request: NewServiceAccount,
  ): Promise<IamResult<ServiceAccountInfo & { secretKey: string }>> {
    if (request.parent !== this.env.FLOE_ROOT_USER && !this.userRow(request.parent))
      return fail(404, "NoSuchUser", `The user ${request.parent} does not exist.`);
    const accessKey = request.accessKey ?? randomString(KEY_ALPHABET, 20);
    const secretKey = request.secretKey ?? randomString(SECRET_ALPHABET, 40);
    const taken = this.keyTaken(accessKey, null);
    if (taken) return taken;
    const box = this.sealer();
    if ("ok" in box) return box;
    this.sql.exec(
      `INSERT INTO service_accounts
         (access_key, secret, parent, status, policy, name, description, expiration, created_at)
       VALUES (?, ?, ?, 'enabled', ?, ?, ?, ?, ?)`,
      accessKey,
      await box.seal(secretKey, accessKey),
      request.parent,
      request.policy ? JSON.stringify(request.policy) : null,
      request.name ?? null,
      request.description ?? null,
      request.expiration ?? null,
      Date.now(),
    );
    const row = this.serviceAccountRow(accessKey);
    if (!row) return fail(500, "InternalError", "The service account was not stored.");
    return ok({ ...this.describeServiceAccount(row, true), secretKey });
  }

  async listServiceAccounts(parent: string | null): Promise<ServiceAccountInfo[]> {
    const rows =
      parent === null
        ? this.sql.exec<ServiceAccountRow>("SELECT * FROM service_accounts ORDER BY access_key")
        : this.sql.exec<ServiceAccountRow>(
            "SELECT * FROM service_accounts WHERE parent = ? ORDER BY access_key",
            parent,
          );
    return rows.toArray().map((row) => this.describeServiceAccount(row, false));
  }

  async serviceAccountInfo(accessKey: string): Promise<IamResult<ServiceAccountInfo>> {
    const row = this.serviceAccountRow(accessKey);
    if (!row)
      return fail(404, "NoSuchServiceAccount", `The service account ${accessKey} does not exist.`);
    return ok(this.describeServiceAccount(row, true));
  }

  async updateServiceAccount(
    accessKey: string,
    update: ServiceAccountUpdate,
  ): Promise<IamResult<ServiceAccountInfo>> {
    const row = this.serviceAccountRow(accessKey);
    if (!row)
      return fail(404, "NoSuchServiceAccount", `The service account ${accessKey} does not exist.`);
    let secret = row.secret;
    if (update.secretKey !== undefined) {
      const box = this.sealer();
      if ("ok" in box) return box;
      secret = await box.seal(update.secretKey, accessKey);
    }
    const pick = <T>(value: T | undefined, current: T): T =>
      value === undefined ? current : value;
    const status = pick(update.status, row.status);
    // Disabling records who did it, but never overwrites another than the parent's mark.
    const markedByOther = row.status === "disabled" && row.disabled_by !== row.parent;
    const disabledBy =
      status === "enabled"
        ? null
        : update.status !== "disabled" || markedByOther
          ? row.disabled_by
          : (update.by ?? null);
    this.sql.exec(
      `UPDATE service_accounts SET secret = ?, status = ?, policy = ?, name = ?, description = ?,
         expiration = ?, disabled_by = ? WHERE access_key = ?`,
      secret,
      status,
      update.policy === undefined
        ? row.policy
        : update.policy
          ? JSON.stringify(update.policy)
          : null,
      pick(update.name, row.name),
      pick(update.description, row.description),
      pick(update.expiration, row.expiration),
      disabledBy,
      accessKey,
    );
    return this.serviceAccountInfo(accessKey);
  }

  async removeServiceAccount(accessKey: string): Promise<IamResult<null>> {
    if (!this.serviceAccountRow(accessKey))
      return fail(404, "NoSuchServiceAccount", `The service account ${accessKey} does not exist.`);
    this.sql.exec("DELETE FROM service_accounts WHERE access_key = ?", accessKey);
    return ok(null);
  }

  // ---- authentication ----

  /** The policies a user acts with: its own and those of its enabled groups. */
  private policiesOf(user: string): { groups: string[]; policies: PolicyDocument[] } {
    const groups = this.groupsOf(user);
    const names = new Set(this.attached("user", user));
    for (const group of groups) {
      if (this.groupRow(group)?.status !== "enabled") continue;
      for (const policy of this.attached("group", group)) names.add(policy);
    }
    const policies: PolicyDocument[] = [];
    for (const name of names) {
      const document = this.policyDocument(name);
      if (document) policies.push(document);
    }
    return { groups, policies };
  }

  /**
   * The secret and policies of an enabled access key, or null when the key
   * is unknown, disabled, expired, or its parent is disabled.
   */
  async resolve(accessKey: string): Promise<ResolvedKey | null> {
    const box = this.box();
    if (!box) return null;
    const user = this.userRow(accessKey);
    if (user) {
      if (user.status !== "enabled") return null;
      return {
        secretKey: await box.open(user.secret, accessKey),
        kind: "user",
        user: accessKey,
        rootParent: false,
        sessionPolicy: null,
        ...this.policiesOf(accessKey),
      };
    }
    const account = this.serviceAccountRow(accessKey);
    if (!account || account.status !== "enabled") return null;
    if (account.expiration !== null && account.expiration <= Date.now()) return null;
    const rootParent = account.parent === this.env.FLOE_ROOT_USER;
    if (!rootParent) {
      const parent = this.userRow(account.parent);
      if (!parent || parent.status !== "enabled") return null;
    }
    return {
      secretKey: await box.open(account.secret, accessKey),
      kind: "serviceAccount",
      user: account.parent,
      rootParent,
      sessionPolicy: POLICY_DOCUMENT.readNullable(account.policy, sessionPolicyAt(accessKey)),
      ...(rootParent ? { groups: [], policies: [] } : this.policiesOf(account.parent)),
    };
  }
}
