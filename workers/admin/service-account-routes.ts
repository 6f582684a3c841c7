/**
 * Admin API routes for service accounts:
 *   POST   service-accounts        admin:CreateServiceAccount  { user?, accessKey?, secretKey?, policy?, expiration?, name?, description? }
 *   GET    service-accounts?user=U admin:ListServiceAccounts
 *   GET    service-accounts/{ak}   admin:ListServiceAccounts
 *   PATCH  service-accounts/{ak}   admin:UpdateServiceAccount  { secretKey?, status?, policy?, expiration?, name?, description? }
 *   DELETE service-accounts/{ak}   admin:RemoveServiceAccount
 * As in MinIO, a user manages its own service accounts without the admin
 * action (but a service account cannot create or manage others). The new
 * account's secret key is returned once, by POST, and never again.
 */
import {
  accessKeySchema,
  addServiceAccountSchema,
  updateServiceAccountSchema,
} from "./iam-schemas.ts";
import { iamStub } from "../storage/stubs.ts";
import { AdminError, clearForOwnEntries, json, readJson, requireAdminAction } from "./http.ts";
import { pathName, policyFrom, unwrap, type RouteCall } from "./iam-routes.ts";

type Handler = (call: RouteCall) => Promise<Response>;

export function serviceAccountRoute(method: string, segments: string[]): Handler | null {
  if (segments[0] !== "service-accounts") return null;
  if (segments.length === 1 && method === "POST") return add;
  if (segments.length === 1 && method === "GET") return list;
  if (segments.length === 2 && method === "GET") return info;
  if (segments.length === 2 && method === "PATCH") return update;
  if (segments.length === 2 && method === "DELETE") return remove;
  return null;
}

/** Requires the admin action unless the caller, a user or the root user, acts on its own accounts. */
async function requireOwnerOr(call: RouteCall, parent: string, action: string): Promise<void> {
  const { identity } = call.caller;
  if (identity.kind !== "serviceAccount" && identity.user === parent) {
    clearForOwnEntries(call.caller);
    return;
  }
  await requireAdminAction(call.caller, action);
}

async function add(call: RouteCall): Promise<Response> {
  // Users (and the root user) may add accounts under themselves; a service account needs the action.
  if (call.caller.identity.kind === "serviceAccount")
    await requireAdminAction(call.caller, "admin:CreateServiceAccount");
  else clearForOwnEntries(call.caller);
  const body = await readJson(call.request, call.caller, addServiceAccountSchema);
  const parent = body.user ?? call.caller.identity.user;
  await requireOwnerOr(call, parent, "admin:CreateServiceAccount");
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

async function list(call: RouteCall): Promise<Response> {
  const user = new URL(call.request.url).searchParams.get("user");
  if (user === null) await requireAdminAction(call.caller, "admin:ListServiceAccounts");
  else await requireOwnerOr(call, user, "admin:ListServiceAccounts");
  return json({ serviceAccounts: await iamStub(call.env).listServiceAccounts(user) });
}

async function existing(call: RouteCall, action: string) {
  const accessKey = pathName(call.segments[1], accessKeySchema, "access key");
  const found = await iamStub(call.env).serviceAccountInfo(accessKey);
  if (!found.ok) {
    // Do not tell callers without the permission whether the account exists.
    await requireAdminAction(call.caller, action);
    throw new AdminError(found.status, found.code, found.message);
  }
  await requireOwnerOr(call, found.value.parent, action);
  return found.value;
}

async function info(call: RouteCall): Promise<Response> {
  return json(await existing(call, "admin:ListServiceAccounts"));
}

async function update(call: RouteCall): Promise<Response> {
  const account = await existing(call, "admin:UpdateServiceAccount");
  const body = await readJson(call.request, call.caller, updateServiceAccountSchema);
  const updated = unwrap(
    await iamStub(call.env).updateServiceAccount(account.accessKey, {
      secretKey: body.secretKey,
      status: body.status,
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
  return json(updated);
}

async function remove(call: RouteCall): Promise<Response> {
  const account = await existing(call, "admin:RemoveServiceAccount");
  unwrap(await iamStub(call.env).removeServiceAccount(account.accessKey));
  return json({ removed: account.accessKey });
}
