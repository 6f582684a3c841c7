/**
 * The admin API under /floe/admin/v1/: SigV4-signed JSON. Routes:
 *   GET  /floe/admin/v1/info          deployment, sets, drives, quorum
 *   POST /floe/admin/v1/heal          { bucket?, key? } → heal summary
 *   POST /floe/admin/v1/lifecycle/run { bucket?, now? } → what lifecycle did
 *   POST /floe/admin/v1/drives/fault  { drive, fault, bucket?, key? } (fault injection only)
 */
import { loadConfig } from "../../shared/config.ts";
import { injectFault, faultRequestSchema } from "./faults.ts";
import { healRequestSchema, runHeal } from "./heal.ts";
import { AdminError, adminErrorResponse, authenticateAdmin, json, readJson } from "./http.ts";
import { deploymentInfo } from "./info.ts";
import { lifecycleRunSchema, runLifecycleNow } from "./lifecycle.ts";

const PREFIX = "/floe/admin/v1/";

/** Serves one admin request; failures become `{ code, message }` JSON. */
export async function handleAdmin(
  request: Request,
  env: Env,
  _exec: ExecutionContext,
  requestId: string,
): Promise<Response> {
  try {
    const config = loadConfig(env);
    const path = new URL(request.url).pathname;
    if (!path.startsWith(PREFIX))
      throw new AdminError(404, "NoSuchRoute", `No admin route ${path}.`);
    const route = `${request.method} ${path.slice(PREFIX.length)}`;
    const caller = await authenticateAdmin(request, env);
    switch (route) {
      case "GET info":
        return json(await deploymentInfo(env, config));
      case "POST heal":
        return json(await runHeal(env, await readJson(request, caller, healRequestSchema)));
      case "POST lifecycle/run":
        return json(
          await runLifecycleNow(env, config, await readJson(request, caller, lifecycleRunSchema)),
        );
      case "POST drives/fault":
        return json(
          await injectFault(env, config, await readJson(request, caller, faultRequestSchema)),
        );
      default:
        throw new AdminError(404, "NoSuchRoute", `No admin route ${route}.`);
    }
  } catch (error) {
    return adminErrorResponse(error, requestId);
  }
}
