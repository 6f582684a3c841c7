/**
 * `floe admin ...`: Floe's admin API (docs/admin-api.md): deployment info,
 * healing, namespace rebuild, drive fault injection, IAM (users, groups, policies,
 * service accounts) and buckets' remote targets.
 */
import type { Command } from "@commander-js/extra-typings";
import { withExamples } from "../../core/help.ts";
import { registerBucket } from "./bucket.ts";
import { registerDrive } from "./drive.ts";
import { registerGroup } from "./group.ts";
import { registerHeal } from "./heal.ts";
import { registerInfo } from "./info.ts";
import { registerPolicy } from "./policy.ts";
import { registerRebuild } from "./rebuild.ts";
import { registerUser } from "./user.ts";

/** Registers `admin` and its subcommands. */
export function registerAdmin(program: Command): void {
  const admin = withExamples(
    program.command("admin").description("administer a Floe deployment (admin API)"),
    "floe admin info local",
    "floe admin heal -r local/photos",
    "floe admin user add local ana ana-secret-key",
  );
  registerInfo(admin);
  registerHeal(admin);
  registerRebuild(admin);
  registerDrive(admin);
  registerUser(admin);
  registerGroup(admin);
  registerPolicy(admin);
  registerBucket(admin);
}
