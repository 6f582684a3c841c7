/**
 * Admin API routes for users, groups and policies (service accounts are in
 * service-account-routes.ts). Each route needs its MinIO admin action:
 *   POST   users                  admin:CreateUser     { accessKey, secretKey, status? }
 *   GET    users                  admin:ListUsers
 *   GET    users/{ak}             admin:GetUser
 *   PUT    users/{ak}/status      admin:EnableUser | admin:DisableUser  { status }
 *   DELETE users/{ak}             admin:DeleteUser
 *   POST   groups                 admin:AddUserToGroup { name, members? }
 *   GET    groups                 admin:ListGroups
 *   GET    groups/{name}          admin:GetGroup
 *   POST   groups/{name}/members  admin:AddUserToGroup / admin:RemoveUserFromGroup { add?, remove? }
 *   PUT    groups/{name}/status   admin:EnableGroup | admin:DisableGroup { status }
 *   DELETE groups/{name}          admin:RemoveUserFromGroup (only an empty group)
 *   PUT    policies/{name}        admin:CreatePolicy   (body: the policy document)
 *   GET    policies               admin:ListUserPolicies
 *   GET    policies/{name}        admin:GetPolicy
 *   DELETE policies/{name}        admin:DeletePolicy
 *   POST   policies/attach|detach admin:AttachUserOrGroupPolicy { policies, user? | group? }
 * The permission is checked before the body is read (when the body picks
 * between two actions, the caller needs at least one of them first). A
 * response carries only what the caller may read: a route that changes a
 * user, group or policy answers with its full state only when the caller
 * is also allowed admin:GetUser / admin:GetGroup / admin:GetPolicy, and
 * otherwise just names what it changed.
 */
import { z } from "zod";
import { parsePolicy, PolicyError } from "../../shared/iam/policy-document.ts";
import type { GroupInfo, IamResult, UserInfo } from "../../shared/types/iam-rpc.ts";
import { iamStub } from "../objects/stubs.ts";
import {
  AdminError,
  allowsAdminAction,
  json,
  readJson,
  requireAdminAction,
  requireAnyAdminAction,
  type AdminCaller,
} from "./http.ts";
import {
  accessKeySchema,
  addGroupSchema,
  addUserSchema,
  attachSchema,
  groupMembersSchema,
  nameSchema,
  statusBodySchema,
} from "./iam-schemas.ts";

export interface RouteCall {
  request: Request;
  env: Env;
  caller: AdminCaller;
  /** Path segments after /floe/admin/v1/. */
  segments: string[];
}

/** The value of a successful IAM call; failures become admin errors. */
export function unwrap<T>(result: IamResult<T>): T {
  if (!result.ok) throw new AdminError(result.status, result.code, result.message);
  return result.value;
}

/** Validates a path segment. */
export function pathName(
  value: string | undefined,
  schema: z.ZodType<string>,
  what: string,
): string {
  const parsed = schema.safeParse(value ?? "");
  if (!parsed.success) throw new AdminError(400, "InvalidRequest", `Invalid ${what} in the path.`);
  return parsed.data;
}

/** Parses a policy document, reporting MalformedPolicy. */
export function policyFrom(value: unknown) {
  try {
    return parsePolicy(value);
  } catch (error) {
    if (error instanceof PolicyError) throw new AdminError(400, "MalformedPolicy", error.message);
    throw error;
  }
}

const userOf = (call: RouteCall) => pathName(call.segments[1], accessKeySchema, "access key");
const groupOf = (call: RouteCall) => pathName(call.segments[1], nameSchema, "group name");
const policyOf = (call: RouteCall) => pathName(call.segments[1], nameSchema, "policy name");

export async function addUser(call: RouteCall): Promise<Response> {
  await requireAdminAction(call.caller, "admin:CreateUser");
  const body = await readJson(call.request, call.caller, addUserSchema);
  const iam = iamStub(call.env);
  const user = unwrap(await iam.addUser(body.accessKey, body.secretKey, body.status ?? "enabled"));
  return userAnswer(call, user);
}

/** A changed user: all of it for callers who may read users, else its key and status. */
async function userAnswer(call: RouteCall, user: UserInfo): Promise<Response> {
  if (await allowsAdminAction(call.caller, "admin:GetUser")) return json(user);
  return json({ accessKey: user.accessKey, status: user.status });
}

/** A changed group: all of it for callers who may read groups, else its name and status. */
async function groupAnswer(call: RouteCall, group: GroupInfo): Promise<Response> {
  if (await allowsAdminAction(call.caller, "admin:GetGroup")) return json(group);
  return json({ name: group.name, status: group.status });
}

export async function listUsers(call: RouteCall): Promise<Response> {
  await requireAdminAction(call.caller, "admin:ListUsers");
  return json({ users: await iamStub(call.env).listUsers() });
}

export async function userInfo(call: RouteCall): Promise<Response> {
  const user = userOf(call);
  // Users may read their own entry, as MinIO lets them; their service accounts need the action.
  const { identity } = call.caller;
  if (identity.kind === "serviceAccount" || identity.user !== user)
    await requireAdminAction(call.caller, "admin:GetUser");
  return json(unwrap(await iamStub(call.env).userInfo(user)));
}

export async function setUserStatus(call: RouteCall): Promise<Response> {
  const user = userOf(call);
  await requireAnyAdminAction(call.caller, ["admin:EnableUser", "admin:DisableUser"]);
  const { status } = await readJson(call.request, call.caller, statusBodySchema);
  await requireAdminAction(
    call.caller,
    status === "enabled" ? "admin:EnableUser" : "admin:DisableUser",
  );
  return userAnswer(call, unwrap(await iamStub(call.env).setUserStatus(user, status)));
}

export async function removeUser(call: RouteCall): Promise<Response> {
  const user = userOf(call);
  await requireAdminAction(call.caller, "admin:DeleteUser");
  unwrap(await iamStub(call.env).removeUser(user));
  return json({ removed: user });
}

export async function addGroup(call: RouteCall): Promise<Response> {
  await requireAdminAction(call.caller, "admin:AddUserToGroup");
  const body = await readJson(call.request, call.caller, addGroupSchema);
  return groupAnswer(
    call,
    unwrap(await iamStub(call.env).addGroupMembers(body.name, body.members ?? [])),
  );
}

export async function listGroups(call: RouteCall): Promise<Response> {
  await requireAdminAction(call.caller, "admin:ListGroups");
  return json({ groups: await iamStub(call.env).listGroups() });
}

export async function groupInfo(call: RouteCall): Promise<Response> {
  const group = groupOf(call);
  await requireAdminAction(call.caller, "admin:GetGroup");
  return json(unwrap(await iamStub(call.env).groupInfo(group)));
}

export async function groupMembers(call: RouteCall): Promise<Response> {
  const group = groupOf(call);
  await requireAnyAdminAction(call.caller, ["admin:AddUserToGroup", "admin:RemoveUserFromGroup"]);
  const body = await readJson(call.request, call.caller, groupMembersSchema);
  if (body.add?.length) await requireAdminAction(call.caller, "admin:AddUserToGroup");
  if (body.remove?.length) await requireAdminAction(call.caller, "admin:RemoveUserFromGroup");
  const iam = iamStub(call.env);
  if (body.add?.length) unwrap(await iam.addGroupMembers(group, body.add));
  if (body.remove?.length) unwrap(await iam.removeGroupMembers(group, body.remove));
  return groupAnswer(call, unwrap(await iam.groupInfo(group)));
}

export async function setGroupStatus(call: RouteCall): Promise<Response> {
  const group = groupOf(call);
  await requireAnyAdminAction(call.caller, ["admin:EnableGroup", "admin:DisableGroup"]);
  const { status } = await readJson(call.request, call.caller, statusBodySchema);
  await requireAdminAction(
    call.caller,
    status === "enabled" ? "admin:EnableGroup" : "admin:DisableGroup",
  );
  return groupAnswer(call, unwrap(await iamStub(call.env).setGroupStatus(group, status)));
}

export async function removeGroup(call: RouteCall): Promise<Response> {
  const group = groupOf(call);
  await requireAdminAction(call.caller, "admin:RemoveUserFromGroup");
  unwrap(await iamStub(call.env).removeGroup(group));
  return json({ removed: group });
}

export async function putPolicy(call: RouteCall): Promise<Response> {
  const name = policyOf(call);
  await requireAdminAction(call.caller, "admin:CreatePolicy");
  const document = policyFrom(await readJson(call.request, call.caller, z.unknown()));
  const stored = unwrap(await iamStub(call.env).putPolicy(name, document));
  if (await allowsAdminAction(call.caller, "admin:GetPolicy")) return json(stored);
  return json({ name: stored.name, builtin: stored.builtin });
}

export async function listPolicies(call: RouteCall): Promise<Response> {
  await requireAdminAction(call.caller, "admin:ListUserPolicies");
  return json({ policies: await iamStub(call.env).listPolicies() });
}

export async function policyInfo(call: RouteCall): Promise<Response> {
  const name = policyOf(call);
  await requireAdminAction(call.caller, "admin:GetPolicy");
  return json(unwrap(await iamStub(call.env).policyInfo(name)));
}

export async function removePolicy(call: RouteCall): Promise<Response> {
  const name = policyOf(call);
  await requireAdminAction(call.caller, "admin:DeletePolicy");
  unwrap(await iamStub(call.env).removePolicy(name));
  return json({ removed: name });
}

export async function attach(call: RouteCall): Promise<Response> {
  await requireAdminAction(call.caller, "admin:AttachUserOrGroupPolicy");
  const body = await readJson(call.request, call.caller, attachSchema);
  const target =
    body.user !== undefined
      ? { kind: "user" as const, name: body.user }
      : { kind: "group" as const, name: body.group ?? "" };
  const result = unwrap(
    await iamStub(call.env).setAttachment(body.policies, target, call.segments[1] === "attach"),
  );
  // The target's whole list of policies is readable only with admin:GetUser / admin:GetGroup.
  const read = target.kind === "user" ? "admin:GetUser" : "admin:GetGroup";
  if (!(await allowsAdminAction(call.caller, read))) return json({ [target.kind]: target.name });
  return json({ [target.kind]: target.name, policies: result.policies });
}
