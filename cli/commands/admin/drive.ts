/**
 * `floe admin drive fault ALIAS DRIVE FAULT`: fault injection on a local or
 * test deployment (offline, online, wipe, corrupt). JSON fields: drive,
 * fault, affected.
 */
import type { Command } from "@commander-js/extra-typings";
import { Argument } from "@commander-js/extra-typings";
import { contextOf } from "../../core/context.ts";
import { withExamples } from "../../core/help.ts";
import { faultResultSchema } from "../../../shared/admin-api/deployment.ts";
import { aliasArgument } from "./common.ts";

/** Registers `admin drive`. */
export function registerDrive(admin: Command): void {
  const drive = withExamples(
    admin.command("drive").description("drive fault injection (local and test deployments)"),
    "floe admin drive fault local pool-0/set-0/drive-3 offline",
  );
  withExamples(
    drive
      .command("fault")
      .description("take a drive offline or online, wipe it, or corrupt shards on it")
      .argument("<alias>", "ALIAS of a Floe deployment")
      .argument("<drive>", "drive id, e.g. pool-0/set-0/drive-3")
      .addArgument(
        new Argument("<fault>", "what to do").choices([
          "offline",
          "online",
          "wipe",
          "corrupt",
        ] as const),
      )
      .option("--bucket <bucket>", "corrupt: only objects of this bucket")
      .option("--key <key>", "corrupt: only this object (needs --bucket)")
      .action(async (alias, driveId, fault, options, command) => {
        const ctx = contextOf(command);
        const client = ctx.admin(aliasArgument(ctx, alias));
        const result = await client.call("POST", "drives/fault", faultResultSchema, {
          drive: driveId,
          fault,
          bucket: options.bucket,
          key: options.key,
        });
        ctx.output.result(
          result,
          `Drive ${result.drive}: ${result.fault} (${result.affected} item(s) affected).`,
        );
      }),
    "floe admin drive fault local pool-0/set-0/drive-3 offline",
    "floe admin drive fault local pool-0/set-0/drive-3 online",
    "floe admin drive fault local pool-0/set-0/drive-1 corrupt --bucket photos --key a.jpg",
  );
}
