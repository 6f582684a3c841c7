/**
 * Admin API routes for service accounts:
 *   POST   service-accounts        admin:CreateServiceAccount  { user?, accessKey?, secretKey?, policy?, expiration?, name?, description? }
 *   GET    service-accounts?user=U admin:ListServiceAccounts
 *   GET    service-accounts/{ak}   admin:ListServiceAccounts
 *   PATCH  service-accounts/{ak}   admin:UpdateServiceAccount  { secretKey?, status?, policy?, expiration?, name?, description? }
 *   DELETE service-accounts/{ak}   admin:RemoveServiceAccount
 * A user (or the root user) needs no admin action for its own accounts;
 * who may manage which accounts is in service-account-access.ts, checked
 * by each route's chain in workers/http/routes.ts. An account's own policy
 * only narrows its parent's (shared/iam/decide.ts). The new account's
 * secret key is returned once, by POST, and never again.
 */
import { z } from "zod";
import { iamStub } from "../objects/stubs.ts";
import { allowsAdminAction, json } from "./http.ts";
import type { addServiceAccountSchema, updateServiceAccountSchema } from "./iam-schemas.ts";
import { policyFrom, unwrap } from "./iam-routes.ts";
import { query, type AdminContext, type Valid } from "./middleware.ts";
import { isOwner, parentOf, type AccountVariables } from "./service-account-access.ts";

/** `?user=`: whose accounts to list (all when absent). */
export const listQuery = query(z.object({ user: z.string().optional() }));

export async function add(
  c: AdminContext<Valid<z.output<typeof addServiceAccountSchema>>["json"]>,
): Promise<Response> {
  const body = c.req.valid("json");
  const created = unwrap(
    await iamStub(c.env).addServiceAccount({
      parent: parentOf(c.var.caller, body),
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

export async function list(c: AdminContext<Valid<{ user?: string }>["query"]>): Promise<Response> {
  const user = c.req.valid("query").user ?? null;
  return json({ serviceAccounts: await iamStub(c.env).listServiceAccounts(user) });
}

export async function info(c: AdminContext<object, AccountVariables>): Promise<Response> {
  return json(c.var.account);
}

export async function update(
  c: AdminContext<Valid<z.output<typeof updateServiceAccountSchema>>["json"], AccountVariables>,
): Promise<Response> {
  const { account, caller } = c.var;
  const body = c.req.valid("json");
  const updated = unwrap(
    await iamStub(c.env).updateServiceAccount(account.accessKey, {
      secretKey: body.secretKey,
      status: body.status,
      by: caller.identity.accessKeyId,
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
    isOwner(caller, updated.parent) ||
    (await allowsAdminAction(caller, "admin:ListServiceAccounts"))
  )
    return json(updated);
  return json({ accessKey: updated.accessKey, status: updated.status });
}

export async function remove(c: AdminContext<object, AccountVariables>): Promise<Response> {
  const { accessKey } = c.var.account;
  unwrap(await iamStub(c.env).removeServiceAccount(accessKey));
  return json({ removed: accessKey });
}
