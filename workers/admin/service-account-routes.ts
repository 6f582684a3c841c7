/**
 * Admin API routes for service accounts:
 *   POST   service-accounts        admin:CreateServiceAccount  { user?, accessKey?, secretKey?, policy?, expiration?, name?, description? }
 *   GET    service-accounts?user=U admin:ListServiceAccounts
 *   GET    service-accounts/{ak}   admin:ListServiceAccounts
 *   PATCH  service-accounts/{ak}   admin:UpdateServiceAccount  { secretKey?, status?, policy?, expiration?, name?, description? }
 *   DELETE service-accounts/{ak}   admin:RemoveServiceAccount
 * Rules (no path to the root user's powers):
 * - as in MinIO, a user (or the root user) manages its own service accounts
 *   without the admin action; doing so for another user needs it;
 * - a service account never creates, changes or removes service accounts,
 *   its siblings included;
 * - only the root user itself creates, changes or removes service accounts
 *   whose parent is the root user;
 * - an account disabled by anyone but its parent is re-enabled only by a
 *   caller allowed admin:UpdateServiceAccount, and removed only by one
 *   allowed admin:RemoveServiceAccount (who disabled it is stored);
 * - an account's own policy only narrows its parent's (shared/iam/decide.ts).
 * The new account's secret key is returned once, by POST, and never again.
 */
import {
  accessKeySchema,
  addServiceAccountSchema,
  updateServiceAccountSchema,
} from "./iam-schemas.ts";
import type { ServiceAccountInfo } from "../../shared/types/iam-rpc.ts";
import { iamStub } from "../objects/stubs.ts";
import {
  AdminError,
  allowsAdminAction,
  clearForOwnEntries,
  json,
  readJson,
  requireAdminAction,
} from "./http.ts";
import { pathName, policyFrom, unwrap, type RouteCall } from "./iam-routes.ts";

/** True when the caller is the accounts' parent itself (a user or the root user, never a service account). */
function isOwner(call: RouteCall, parent: string): boolean {
  const { identity } = call.caller;
  return identity.kind !== "serviceAccount" && identity.user === parent;
}

/** Requires the admin action unless the caller, a user or the root user, acts on its own accounts. */
async function requireOwnerOr(call: RouteCall, parent: string, action: string): Promise<void> {
  if (isOwner(call, parent)) {
    clearForOwnEntries(call.caller);
    return;
  }
  await requireAdminAction(call.caller, action);
}

/** Refuses service accounts as callers of a route that changes service accounts. */
function refuseServiceAccount(call: RouteCall): void {
  if (call.caller.identity.kind === "serviceAccount")
    throw new AdminError(
      403,
      "AccessDenied",
      "Access Denied: service accounts cannot manage service accounts.",
    );
}

/** Like requireOwnerOr, for changes: also refuses service accounts, and anyone but root on root's accounts. */
async function requireManage(call: RouteCall, parent: string, action: string): Promise<void> {
  refuseServiceAccount(call);
  if (parent === call.env.FLOE_ROOT_USER && call.caller.identity.kind !== "root")
    throw new AdminError(
      403,
      "AccessDenied",
      "Access Denied: only the root user manages its service accounts.",
    );
  await requireOwnerOr(call, parent, action);
}

export async function add(call: RouteCall): Promise<Response> {
  refuseServiceAccount(call);
  // A user (or the root user) may add accounts under itself; whose they are is checked once the body names them.
  clearForOwnEntries(call.caller);
  const body = await readJson(call.request, call.caller, addServiceAccountSchema);
  const parent = body.user ?? call.caller.identity.user;
  await requireManage(call, parent, "admin:CreateServiceAccount");
  const created = unwrap(
    await iamStub(call.env).addServiceAccount({
      parent,
      accessKey: body.accessKey,
      secretKey: body.secretKey,
      policy: body.policy === undefined || body.policy === null ? null : policyFrom(body.policy),
      expiration: body.expiration ? Date.parse(body.expiration) : null,
      name: body.name ?? null,
      description: body.description ?? null,
    }),
  );
  return json(created);
}

export async function list(call: RouteCall): Promise<Response> {
  const user = new URL(call.request.url).searchParams.get("user");
  if (user === null) await requireAdminAction(call.caller, "admin:ListServiceAccounts");
  else await requireOwnerOr(call, user, "admin:ListServiceAccounts");
  return json({ serviceAccounts: await iamStub(call.env).listServiceAccounts(user) });
}

async function existing(call: RouteCall, action: string, change: boolean) {
  if (change) refuseServiceAccount(call);
  const accessKey = pathName(call.segments[1], accessKeySchema, "access key");
  const found = await iamStub(call.env).serviceAccountInfo(accessKey);
  if (!found.ok) {
    // Do not tell callers without the permission whether the account exists.
    await requireAdminAction(call.caller, action);
    throw new AdminError(found.status, found.code, found.message);
  }
  if (change) await requireManage(call, found.value.parent, action);
  else await requireOwnerOr(call, found.value.parent, action);
  return found.value;
}

export async function info(call: RouteCall): Promise<Response> {
  return json(await existing(call, "admin:ListServiceAccounts", false));
}

/** Disabled by anyone but its parent (or before who disabled it was recorded): only an administrator undoes it. */
function disabledByAdministrator(account: ServiceAccountInfo): boolean {
  return account.status === "disabled" && account.disabledBy !== account.parent;
}

export async function update(call: RouteCall): Promise<Response> {
  const account = await existing(call, "admin:UpdateServiceAccount", true);
  const body = await readJson(call.request, call.caller, updateServiceAccountSchema);
  if (body.status === "enabled" && disabledByAdministrator(account))
    await requireAdminAction(call.caller, "admin:UpdateServiceAccount");
  const updated = unwrap(
    await iamStub(call.env).updateServiceAccount(account.accessKey, {
      secretKey: body.secretKey,
      status: body.status,
      by: call.caller.identity.accessKeyId,
      policy:
        body.policy === undefined
          ? undefined
          : body.policy === null
            ? null
            : policyFrom(body.policy),
      expiration:
        body.expiration === undefined
          ? undefined
          : body.expiration === null
            ? null
            : Date.parse(body.expiration),
      name: body.name,
      description: body.description,
    }),
  );
  if (
    isOwner(call, updated.parent) ||
    (await allowsAdminAction(call.caller, "admin:ListServiceAccounts"))
  )
    return json(updated);
  return json({ accessKey: updated.accessKey, status: updated.status });
}

export async function remove(call: RouteCall): Promise<Response> {
  const account = await existing(call, "admin:RemoveServiceAccount", true);
  // Else the owner could remove it and create it again with the same keys.
  if (disabledByAdministrator(account))
    await requireAdminAction(call.caller, "admin:RemoveServiceAccount");
  unwrap(await iamStub(call.env).removeServiceAccount(account.accessKey));
  return json({ removed: account.accessKey });
}
