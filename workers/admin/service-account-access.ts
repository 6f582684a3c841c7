/**
 * Who may manage which service accounts: the admin API's permission
 * middleware for service-account routes (service-account-routes.ts).
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
 * - whether an account exists is told only to its parent or to a caller
 *   allowed the route's action.
 */
import type { MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { ServiceAccountInfo } from "../../shared/types/iam-rpc.ts";
import { iamStub } from "../objects/stubs.ts";
import { AdminError, clearForOwnEntries, requireAdminAction, type AdminCaller } from "./http.ts";
import type { addServiceAccountSchema, updateServiceAccountSchema } from "./iam-schemas.ts";
import type { AdminEdge, Valid } from "./middleware.ts";

/** What a route with an existing account in its path sees. */
export interface AccountVariables {
  account: ServiceAccountInfo;
}

type AccountEdge = AdminEdge & { Variables: AccountVariables };
type AccountPath = Valid<{ accessKey: string }>["param"];

/** True when the caller is the accounts' parent itself (a user or the root user, never a service account). */
export function isOwner(caller: AdminCaller, parent: string): boolean {
  return caller.identity.kind !== "serviceAccount" && caller.identity.user === parent;
}

/** Requires the admin action unless the caller, a user or the root user, acts on its own accounts. */
async function requireOwnerOr(caller: AdminCaller, parent: string, action: string): Promise<void> {
  if (isOwner(caller, parent)) {
    clearForOwnEntries(caller);
    return;
  }
  await requireAdminAction(caller, action);
}

function refuseServiceAccount(caller: AdminCaller): void {
  if (caller.identity.kind === "serviceAccount")
    throw new AdminError(
      403,
      "AccessDenied",
      "Access Denied: service accounts cannot manage service accounts.",
    );
}

/** Like requireOwnerOr, for changes: also refuses anyone but root on root's accounts. */
async function requireManage(
  env: Env,
  caller: AdminCaller,
  parent: string,
  action: string,
): Promise<void> {
  refuseServiceAccount(caller);
  if (parent === env.FLOE_ROOT_USER && caller.identity.kind !== "root")
    throw new AdminError(
      403,
      "AccessDenied",
      "Access Denied: only the root user manages its service accounts.",
    );
  await requireOwnerOr(caller, parent, action);
}

/** Refuses service accounts as callers of a route that changes service accounts. */
export const noServiceAccount: MiddlewareHandler<AdminEdge> = async (c, next) => {
  refuseServiceAccount(c.var.caller);
  await next();
};

/**
 * Lets the body be read by any user: a user (or the root user) may add
 * accounts under itself, and whose they are is checked once the body names
 * them (`canCreateFor`).
 */
export const ownEntries: MiddlewareHandler<AdminEdge> = async (c, next) => {
  clearForOwnEntries(c.var.caller);
  await next();
};

/** The parent a create body names: its `user`, else the caller. */
export function parentOf(
  caller: AdminCaller,
  body: Pick<z.output<typeof addServiceAccountSchema>, "user">,
): string {
  return body.user ?? caller.identity.user;
}

/** Requires the action to create accounts under the parent the body names, unless it is the caller. */
export function canCreateFor(
  action: string,
): MiddlewareHandler<AdminEdge, string, Valid<z.output<typeof addServiceAccountSchema>>["json"]> {
  return async (c, next) => {
    await requireManage(c.env, c.var.caller, parentOf(c.var.caller, c.req.valid("json")), action);
    await next();
  };
}

/** Requires the action to list another user's accounts (`?user=`), or anyone's (no user). */
export function canListFor(
  action: string,
): MiddlewareHandler<AdminEdge, string, Valid<{ user?: string }>["query"]> {
  return async (c, next) => {
    const { user } = c.req.valid("query");
    if (user === undefined) await requireAdminAction(c.var.caller, action);
    else await requireOwnerOr(c.var.caller, user, action);
    await next();
  };
}

/** Loads the account in the path; unknown accounts are told only to callers allowed the action. */
async function loadAccount(
  env: Env,
  caller: AdminCaller,
  accessKey: string,
  action: string,
): Promise<ServiceAccountInfo> {
  const found = await iamStub(env).serviceAccountInfo(accessKey);
  if (found.ok) return found.value;
  await requireAdminAction(caller, action);
  throw new AdminError(found.status, found.code, found.message);
}

/** Requires the action on the account in the path unless the caller owns it; sets `account`. */
export function ownAccountOr(action: string): MiddlewareHandler<AccountEdge, string, AccountPath> {
  return async (c, next) => {
    const account = await loadAccount(c.env, c.var.caller, c.req.valid("param").accessKey, action);
    await requireOwnerOr(c.var.caller, account.parent, action);
    c.set("account", account);
    await next();
  };
}

/** Like ownAccountOr, for changes (see requireManage); sets `account`. */
export function canManageAccount(
  action: string,
): MiddlewareHandler<AccountEdge, string, AccountPath> {
  return async (c, next) => {
    const account = await loadAccount(c.env, c.var.caller, c.req.valid("param").accessKey, action);
    await requireManage(c.env, c.var.caller, account.parent, action);
    c.set("account", account);
    await next();
  };
}

/** Disabled by anyone but its parent (or before who disabled it was recorded): only an administrator undoes it. */
function disabledByAdministrator(account: ServiceAccountInfo): boolean {
  return account.status === "disabled" && account.disabledBy !== account.parent;
}

/** Requires the action to remove an account an administrator disabled (else its owner could re-create it). */
export function adminDisabledNeeds(action: string): MiddlewareHandler<AccountEdge> {
  return async (c, next) => {
    if (disabledByAdministrator(c.var.account)) await requireAdminAction(c.var.caller, action);
    await next();
  };
}

/** Requires the action to re-enable an account an administrator disabled. */
export function reenablingNeeds(
  action: string,
): MiddlewareHandler<
  AccountEdge,
  string,
  Valid<z.output<typeof updateServiceAccountSchema>>["json"]
> {
  return async (c, next) => {
    if (c.req.valid("json").status === "enabled" && disabledByAdministrator(c.var.account))
      await requireAdminAction(c.var.caller, action);
    await next();
  };
}
