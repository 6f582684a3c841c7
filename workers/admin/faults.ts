/**
 * `POST /floe/admin/v1/drives/fault`: local fault injection, only where the
 * deployment's config sets FLOE_FAULT_INJECTION = "on" (403 otherwise).
 * `offline` makes the drive refuse every call until `online`; `wipe` erases
 * everything it holds; `corrupt` flips bytes in a stored shard-block (or
 * inline shard) of the given object, or of every object when none is given.
 */
import { z } from "zod";
import type { FloeConfig } from "../../shared/config.ts";
import { driveStub } from "../objects/stubs.ts";
import { AdminError } from "./http.ts";

export const faultRequestSchema = z
  .object({
    drive: z
      .string()
      .regex(/^pool-\d+\/set-\d+\/drive-\d+$/, "drive must look like pool-0/set-0/drive-3"),
    fault: z.enum(["offline", "online", "wipe", "corrupt"]),
    bucket: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
  })
  .strict();

/** Applies a fault to one drive; returns how many items it touched. */
export async function injectFault(
  env: Env,
  config: FloeConfig,
  request: z.infer<typeof faultRequestSchema>,
): Promise<{ drive: string; fault: string; affected: number }> {
  if (!config.faultInjection) {
    throw new AdminError(
      403,
      "FaultInjectionDisabled",
      "Fault injection is off in this deployment.",
    );
  }
  const [pool, set, drive] = request.drive.match(/\d+/g)!.map(Number);
  const poolConfig = config.pools[pool];
  if (!poolConfig || set >= poolConfig.sets || drive >= poolConfig.drivesPerSet) {
    throw new AdminError(
      404,
      "NoSuchDrive",
      `Drive ${request.drive} is not in this deployment's layout.`,
    );
  }
  const affected = await driveStub(env, { pool, set }, drive).injectFault(
    request.fault,
    request.bucket,
    request.key,
  );
  return { drive: request.drive, fault: request.fault, affected };
}
