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
 * The routes are mounted in workers/http/routes.ts, each with its
 * permission in its chain, checked before the body is read (when the body
 * picks between two actions, the caller needs at least one of them first,
 * and the one it asks for once the body is read). A
 * response carries only what the caller may read: a route that changes a
 * user, group or policy answers with its full state only when the caller
 * is also allowed admin:GetUser / admin:GetGroup / admin:GetPolicy, and
 * otherwise just names what it changed.
 */
import { z } from "zod";
import type { MiddlewareHandler } from "hono";
import { parsePolicy, PolicyError } from "../../shared/iam/policy-document.ts";
import type { GroupInfo, IamResult, UserInfo } from "../../shared/types/iam-rpc.ts";
import { iamStub } from "../objects/stubs.ts";
import {
  AdminError,
  allowsAdminAction,
  json,
  requireAdminAction,
  type AdminCaller,
} from "./http.ts";
import { param, type AdminContext, type AdminEdge, type Valid } from "./middleware.ts";
import {
  accessKeySchema,
  nameSchema,
  type addGroupSchema,
  type addUserSchema,
  type attachSchema,
  type groupMembersSchema,
  type statusBodySchema,
} from "./iam-schemas.ts";

type Body<S extends z.ZodType> = Valid<z.output<S>>["json"];
type UserPath = Valid<{ accessKey: string }>["param"];
type NamePath = Valid<{ name: string }>["param"];

/** The value of a successful IAM call; failures become admin errors. */
export function unwrap<T>(result: IamResult<T>): T {
  if (!result.ok) throw new AdminError(result.status, result.code, result.message);
  return result.value;
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

/** The access key in the path (users/{ak}, service-accounts/{ak}). */
export const accessKeyPath = param(
  z.object({ accessKey: accessKeySchema }),
  "Invalid access key in the path.",
);
/** The group name in the path. */
export const groupPath = param(z.object({ name: nameSchema }), "Invalid group name in the path.");
/** The policy name in the path. */
export const policyPath = param(z.object({ name: nameSchema }), "Invalid policy name in the path.");

/** Requires the action unless the caller is the user the path names (a user reads its own entry, as in MinIO; its service accounts need the action). */
export function selfOr(action: string): MiddlewareHandler<AdminEdge, string, UserPath> {
  return async (c, next) => {
    const { identity } = c.var.caller;
    if (identity.kind === "serviceAccount" || identity.user !== c.req.valid("param").accessKey)
      await requireAdminAction(c.var.caller, action);
    await next();
  };
}

/** The action a `{ status }` body asks for. */
export function byStatus(enable: string, disable: string) {
  return (body: z.output<typeof statusBodySchema>) => [
    body.status === "enabled" ? enable : disable,
  ];
}

/** The actions a group members body asks for: adding, removing, or both. */
export function memberChanges(body: z.output<typeof groupMembersSchema>): string[] {
  return [
    ...(body.add?.length ? ["admin:AddUserToGroup"] : []),
    ...(body.remove?.length ? ["admin:RemoveUserFromGroup"] : []),
  ];
}

/** A changed user: all of it for callers who may read users, else its key and status. */
async function userAnswer(caller: AdminCaller, user: UserInfo): Promise<Response> {
  if (await allowsAdminAction(caller, "admin:GetUser")) return json(user);
  return json({ accessKey: user.accessKey, status: user.status });
}

/** A changed group: all of it for callers who may read groups, else its name and status. */
async function groupAnswer(caller: AdminCaller, group: GroupInfo): Promise<Response> {
  if (await allowsAdminAction(caller, "admin:GetGroup")) return json(group);
  return json({ name: group.name, status: group.status });
}

export async function addUser(c: AdminContext<Body<typeof addUserSchema>>): Promise<Response> {
  const body = c.req.valid("json");
  const iam = iamStub(c.env);
  const user = unwrap(await iam.addUser(body.accessKey, body.secretKey, body.status ?? "enabled"));
  return userAnswer(c.var.caller, user);
}

export async function listUsers(c: AdminContext): Promise<Response> {
  return json({ users: await iamStub(c.env).listUsers() });
}

export async function userInfo(c: AdminContext<UserPath>): Promise<Response> {
  return json(unwrap(await iamStub(c.env).userInfo(c.req.valid("param").accessKey)));
}

export async function setUserStatus(
  c: AdminContext<UserPath & Body<typeof statusBodySchema>>,
): Promise<Response> {
  const { accessKey } = c.req.valid("param");
  const { status } = c.req.valid("json");
  return userAnswer(c.var.caller, unwrap(await iamStub(c.env).setUserStatus(accessKey, status)));
}

export async function removeUser(c: AdminContext<UserPath>): Promise<Response> {
  const { accessKey } = c.req.valid("param");
  unwrap(await iamStub(c.env).removeUser(accessKey));
  return json({ removed: accessKey });
}

export async function addGroup(c: AdminContext<Body<typeof addGroupSchema>>): Promise<Response> {
  const body = c.req.valid("json");
  return groupAnswer(
    c.var.caller,
    unwrap(await iamStub(c.env).addGroupMembers(body.name, body.members ?? [])),
  );
}

export async function listGroups(c: AdminContext): Promise<Response> {
  return json({ groups: await iamStub(c.env).listGroups() });
}

export async function groupInfo(c: AdminContext<NamePath>): Promise<Response> {
  return json(unwrap(await iamStub(c.env).groupInfo(c.req.valid("param").name)));
}

export async function groupMembers(
  c: AdminContext<NamePath & Body<typeof groupMembersSchema>>,
): Promise<Response> {
  const group = c.req.valid("param").name;
  const body = c.req.valid("json");
  const iam = iamStub(c.env);
  if (body.add?.length) unwrap(await iam.addGroupMembers(group, body.add));
  if (body.remove?.length) unwrap(await iam.removeGroupMembers(group, body.remove));
  return groupAnswer(c.var.caller, unwrap(await iam.groupInfo(group)));
}

export async function setGroupStatus(
  c: AdminContext<NamePath & Body<typeof statusBodySchema>>,
): Promise<Response> {
  const group = c.req.valid("param").name;
  const { status } = c.req.valid("json");
  return groupAnswer(c.var.caller, unwrap(await iamStub(c.env).setGroupStatus(group, status)));
}

export async function removeGroup(c: AdminContext<NamePath>): Promise<Response> {
  const group = c.req.valid("param").name;
  unwrap(await iamStub(c.env).removeGroup(group));
  return json({ removed: group });
}

export async function putPolicy(c: AdminContext<NamePath & Body<z.ZodUnknown>>): Promise<Response> {
  const document = policyFrom(c.req.valid("json"));
  const stored = unwrap(await iamStub(c.env).putPolicy(c.req.valid("param").name, document));
  if (await allowsAdminAction(c.var.caller, "admin:GetPolicy")) return json(stored);
  return json({ name: stored.name, builtin: stored.builtin });
}

export async function listPolicies(c: AdminContext): Promise<Response> {
  return json({ policies: await iamStub(c.env).listPolicies() });
}

export async function policyInfo(c: AdminContext<NamePath>): Promise<Response> {
  return json(unwrap(await iamStub(c.env).policyInfo(c.req.valid("param").name)));
}

export async function removePolicy(c: AdminContext<NamePath>): Promise<Response> {
  const name = c.req.valid("param").name;
  unwrap(await iamStub(c.env).removePolicy(name));
  return json({ removed: name });
}

/** POST policies/attach (`attach`) or policies/detach. */
export function attachment(attach: boolean) {
  return async (c: AdminContext<Body<typeof attachSchema>>): Promise<Response> => {
    const body = c.req.valid("json");
    const target =
      body.user !== undefined
        ? { kind: "user" as const, name: body.user }
        : { kind: "group" as const, name: body.group ?? "" };
    const result = unwrap(await iamStub(c.env).setAttachment(body.policies, target, attach));
    // The target's whole list of policies is readable only with admin:GetUser / admin:GetGroup.
    const read = target.kind === "user" ? "admin:GetUser" : "admin:GetGroup";
    if (!(await allowsAdminAction(c.var.caller, read))) return json({ [target.kind]: target.name });
    return json({ [target.kind]: target.name, policies: result.policies });
  };
}
