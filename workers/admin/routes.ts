/**
 * The admin API under /floe/admin/v1/: SigV4-signed JSON. Every route needs
 * an admin action in the caller's policies (the root user has them all),
 * checked before its body is read (http.ts):
 *   GET  info            admin:ServerInfo      deployment, sets, drives, quorum
 *   POST heal            admin:Heal            { bucket?, key?, dryRun? } → heal summary
 *   POST lifecycle/run   admin:RunLifecycle    { bucket?, now? } → what lifecycle did
 *   POST drives/fault    admin:FaultInjection  { drive, fault, bucket?, key? } (fault injection only)
 *   POST rebuild         admin:Heal            { bucket?, dryRun? } → coordinators rebuilt from drives
 *   POST coordinator/fault admin:FaultInjection { bucket, fault: "wipe" } (fault injection only)
 *   users, groups, policies                    see iam-routes.ts
 *   service-accounts                           see service-account-routes.ts
 *   buckets/{b}/remote-targets, .../replication see target-routes.ts
 *   buckets/{b}/replication/resync             see resync-routes.ts
 *   buckets/{b}/replication/digest|verify      see verify-routes.ts
 */
import { loadConfig } from "../../shared/config.ts";
import { drainRefusedBody } from "../auth/bounded-body.ts";
import { injectFault, faultRequestSchema } from "./faults.ts";
import { healRequestSchema, runHeal } from "./heal.ts";
import {
  AdminError,
  adminErrorResponse,
  authenticateAdmin,
  json,
  readJson,
  requireAdminAction,
} from "./http.ts";
import { iamRoute, type RouteCall } from "./iam-routes.ts";
import { deploymentInfo } from "./info.ts";
import { lifecycleRunSchema, runLifecycleNow } from "./lifecycle.ts";
import {
  coordinatorFaultSchema,
  rebuildRequestSchema,
  runRebuild,
  wipeCoordinator,
} from "./rebuild.ts";
import { serviceAccountRoute } from "./service-account-routes.ts";
import { replicationRoute, targetRoute } from "./target-routes.ts";
import { resyncRoute } from "./resync-routes.ts";
import { verifyRoute } from "./verify-routes.ts";

const PREFIX = "/floe/admin/v1/";

/** Serves one admin request; failures become `{ code, message }` JSON. */
export async function handleAdmin(
  request: Request,
  env: Env,
  _exec: ExecutionContext,
  requestId: string,
): Promise<Response> {
  try {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(PREFIX))
      throw new AdminError(404, "NoSuchRoute", `No admin route ${path}.`);
    const segments = path
      .slice(PREFIX.length)
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw new AdminError(400, "InvalidRequest", "Malformed path encoding.");
        }
      });
    const caller = await authenticateAdmin(request, env);
    const call: RouteCall = { request, env, caller, segments };
    const handler =
      coreRoute(request.method, segments.join("/")) ??
      iamRoute(request.method, segments) ??
      serviceAccountRoute(request.method, segments) ??
      targetRoute(request.method, segments) ??
      resyncRoute(request.method, segments) ??
      verifyRoute(request.method, segments) ??
      replicationRoute(request.method, segments);
    if (!handler)
      throw new AdminError(
        404,
        "NoSuchRoute",
        `No admin route ${request.method} ${segments.join("/")}.`,
      );
    return await handler(call);
  } catch (error) {
    await drainRefusedBody(request);
    return adminErrorResponse(error, requestId);
  }
}

function coreRoute(method: string, route: string): ((call: RouteCall) => Promise<Response>) | null {
  switch (`${method} ${route}`) {
    case "GET info":
      return async ({ env, caller }) => {
        await requireAdminAction(caller, "admin:ServerInfo");
        return json(await deploymentInfo(env, loadConfig(env)));
      };
    case "POST heal":
      return async ({ env, caller, request }) => {
        await requireAdminAction(caller, "admin:Heal");
        return json(await runHeal(env, await readJson(request, caller, healRequestSchema)));
      };
    case "POST lifecycle/run":
      return async ({ env, caller, request }) => {
        await requireAdminAction(caller, "admin:RunLifecycle");
        const body = await readJson(request, caller, lifecycleRunSchema);
        return json(await runLifecycleNow(env, loadConfig(env), body));
      };
    case "POST drives/fault":
      return async ({ env, caller, request }) => {
        await requireAdminAction(caller, "admin:FaultInjection");
        const body = await readJson(request, caller, faultRequestSchema);
        return json(await injectFault(env, loadConfig(env), body));
      };
    case "POST rebuild":
      return async ({ env, caller, request }) => {
        await requireAdminAction(caller, "admin:Heal");
        const body = await readJson(request, caller, rebuildRequestSchema);
        return json(await runRebuild(env, loadConfig(env), body));
      };
    case "POST coordinator/fault":
      return async ({ env, caller, request }) => {
        await requireAdminAction(caller, "admin:FaultInjection");
        const body = await readJson(request, caller, coordinatorFaultSchema);
        return json(await wipeCoordinator(env, loadConfig(env), body));
      };
    default:
      return null;
  }
}
