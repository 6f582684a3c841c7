/**
 * `floe admin user add|ls|info|enable|disable|rm`: IAM users, and
 * `floe admin user svcacct ...` for their service accounts. JSON records:
 * type "user", accessKey, userStatus, policies, groups, createdAt (the secret
 * key is never printed back); `rm` prints type "user", accessKey,
 * removed: true.
 */
import type { Command } from "@commander-js/extra-typings";
import type { z } from "zod";
import { anyObjectSchema, userListSchema, userSchema } from "../../../shared/admin-api/iam.ts";
import { contextOf } from "../../core/context.ts";
import { table } from "../../core/format.ts";
import { iamRecord } from "../../admin/records.ts";
import { withExamples } from "../../core/help.ts";
import { aliasArgument, segment } from "./common.ts";
import { registerServiceAccounts } from "./svcacct.ts";

type User = z.infer<typeof userSchema>;

const list = (values: string[]) => (values.length > 0 ? values.join(",") : "-");

function userText(user: User): string {
  return table([
    ["AccessKey:", user.accessKey],
    ["Status:", user.status],
    ["Policies:", list(user.policies)],
    ["Groups:", list(user.groups)],
  ]);
}

/** Registers `admin user`. */
export function registerUser(admin: Command): void {
  const user = withExamples(
    admin.command("user").description("manage IAM users"),
    "floe admin user add local ana ana-secret-key",
    "floe admin user ls local",
  );

  withExamples(
    user
      .command("add")
      .description("add a user (or set an existing user's secret key and status)")
      .argument("<alias>", "ALIAS")
      .argument("<accessKey>", "the user's access key")
      .argument("<secretKey>", "the user's secret key")
      .option("--disabled", "create the user disabled")
      .action(async (alias, accessKey, secretKey, options, command) => {
        const ctx = contextOf(command);
        const status = options.disabled ? "disabled" : "enabled";
        const added = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("POST", "users", userSchema, { accessKey, secretKey, status });
        ctx.output.result(iamRecord("user", added), `Added user \`${accessKey}\` successfully.`);
      }),
    "floe admin user add local ana ana-secret-key",
  );

  withExamples(
    user
      .command("ls")
      .alias("list")
      .description("list users")
      .argument("<alias>", "ALIAS")
      .action(async (alias, _options, command) => {
        const ctx = contextOf(command);
        const { users } = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", "users", userListSchema);
        if (ctx.output.json) {
          for (const u of users) ctx.output.result(iamRecord("user", u), "");
          return;
        }
        if (users.length === 0) return;
        const rows = users.map((u) => [u.accessKey, u.status, list(u.policies), list(u.groups)]);
        ctx.output.result({}, table([["ACCESS KEY", "STATUS", "POLICIES", "GROUPS"], ...rows]));
      }),
    "floe admin user ls local",
  );

  withExamples(
    user
      .command("info")
      .description("show a user")
      .argument("<alias>", "ALIAS")
      .argument("<accessKey>", "the user's access key")
      .action(async (alias, accessKey, _options, command) => {
        const ctx = contextOf(command);
        const found = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", `users/${segment(accessKey)}`, userSchema);
        ctx.output.result(iamRecord("user", found), userText(found));
      }),
    "floe admin user info local ana",
  );

  for (const status of ["enabled", "disabled"] as const) {
    const name = status === "enabled" ? "enable" : "disable";
    withExamples(
      user
        .command(name)
        .description(`${name} a user`)
        .argument("<alias>", "ALIAS")
        .argument("<accessKey>", "the user's access key")
        .action(async (alias, accessKey, _options, command) => {
          const ctx = contextOf(command);
          const changed = await ctx
            .admin(aliasArgument(ctx, alias))
            .call("PUT", `users/${segment(accessKey)}/status`, userSchema, { status });
          ctx.output.result(iamRecord("user", changed), `User \`${accessKey}\` is ${status}.`);
        }),
      `floe admin user ${name} local ana`,
    );
  }

  withExamples(
    user
      .command("rm")
      .alias("remove")
      .description("remove a user")
      .argument("<alias>", "ALIAS")
      .argument("<accessKey>", "the user's access key")
      .action(async (alias, accessKey, _options, command) => {
        const ctx = contextOf(command);
        await ctx
          .admin(aliasArgument(ctx, alias))
          .call("DELETE", `users/${segment(accessKey)}`, anyObjectSchema);
        ctx.output.result(
          { type: "user", accessKey, removed: true },
          `Removed user \`${accessKey}\` successfully.`,
        );
      }),
    "floe admin user rm local ana",
  );

  registerServiceAccounts(user);
}
