/**
 * `floe admin policy create|ls|info|rm|attach|detach`: IAM policies (S3
 * policy documents) and which users and groups they apply to. JSON
 * records: type "policy", name, builtin (create and info add document and
 * attachedTo); attach and detach print action, user or group, policies
 * (those named) and attached (all attached now).
 */
import type { Command } from "@commander-js/extra-typings";
import {
  anyObjectSchema,
  attachResultSchema,
  policySchema,
  policyListSchema,
} from "../../../shared/admin-api/iam.ts";
import { contextOf, type Context } from "../../core/context.ts";
import { usageError } from "../../core/errors.ts";
import { table } from "../../core/format.ts";
import { withExamples } from "../../core/help.ts";
import { aliasArgument, readPolicyFile, segment } from "./common.ts";

/** Registers `admin policy`. */
export function registerPolicy(admin: Command): void {
  const policy = withExamples(
    admin.command("policy").description("manage IAM policies"),
    "floe admin policy create local photos-read ./photos-read.json",
    "floe admin policy attach local photos-read --user ana",
  );

  withExamples(
    policy
      .command("create")
      .alias("add")
      .description("create or replace a policy from a JSON file (- for stdin)")
      .argument("<alias>", "ALIAS")
      .argument("<name>", "policy name")
      .argument("<file>", "policy document (JSON)")
      .action(async (alias, name, file, _options, command) => {
        const ctx = contextOf(command);
        const document = await readPolicyFile(file);
        const created = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("PUT", `policies/${segment(name)}`, policySchema, document);
        ctx.output.result(
          { type: "policy", ...created },
          `Created policy \`${name}\` successfully.`,
        );
      }),
    "floe admin policy create local photos-read ./photos-read.json",
  );

  withExamples(
    policy
      .command("ls")
      .alias("list")
      .description("list policies")
      .argument("<alias>", "ALIAS")
      .action(async (alias, _options, command) => {
        const ctx = contextOf(command);
        const { policies } = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", "policies", policyListSchema);
        if (ctx.output.json) {
          for (const p of policies) ctx.output.result({ type: "policy", ...p }, "");
          return;
        }
        if (policies.length === 0) return;
        const rows = policies.map((p) => [p.name, p.builtin ? "built-in" : "custom"]);
        ctx.output.result({}, table([["POLICY", "KIND"], ...rows]));
      }),
    "floe admin policy ls local",
  );

  withExamples(
    policy
      .command("info")
      .description("show a policy's document")
      .argument("<alias>", "ALIAS")
      .argument("<name>", "policy name")
      .action(async (alias, name, _options, command) => {
        const ctx = contextOf(command);
        const found = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", `policies/${segment(name)}`, policySchema);
        const attached = found.attachedTo;
        const lines = [JSON.stringify(found.document, null, 2)];
        if (attached) {
          lines.push(
            `Attached to users: ${attached.users.join(", ") || "-"}; groups: ${attached.groups.join(", ") || "-"}`,
          );
        }
        ctx.output.result({ type: "policy", ...found }, lines.join("\n"));
      }),
    "floe admin policy info local readwrite",
  );

  withExamples(
    policy
      .command("rm")
      .alias("remove")
      .description("remove a policy")
      .argument("<alias>", "ALIAS")
      .argument("<name>", "policy name")
      .action(async (alias, name, _options, command) => {
        const ctx = contextOf(command);
        await ctx
          .admin(aliasArgument(ctx, alias))
          .call("DELETE", `policies/${segment(name)}`, anyObjectSchema);
        ctx.output.result(
          { type: "policy", name, removed: true },
          `Removed policy \`${name}\` successfully.`,
        );
      }),
    "floe admin policy rm local photos-read",
  );

  for (const verb of ["attach", "detach"] as const) {
    withExamples(
      policy
        .command(verb)
        .description(`${verb} policies ${verb === "attach" ? "to" : "from"} a user or a group`)
        .argument("<alias>", "ALIAS")
        .argument("<policies...>", "policy names")
        .option("--user <accessKey>", "the user")
        .option("--group <name>", "the group")
        .action(async (alias, policies, options, command) => {
          const ctx = contextOf(command);
          await attach(ctx, verb, aliasArgument(ctx, alias), policies, options);
        }),
      `floe admin policy ${verb} local photos-read --user ana`,
      `floe admin policy ${verb} local readwrite diagnostics --group editors`,
    );
  }
}

async function attach(
  ctx: Context,
  verb: "attach" | "detach",
  alias: string,
  policies: string[],
  target: { user?: string; group?: string },
): Promise<void> {
  if ((target.user === undefined) === (target.group === undefined)) {
    throw usageError(`policy ${verb} needs exactly one of --user or --group.`);
  }
  const result = await ctx
    .admin(alias)
    .call("POST", `policies/${verb}`, attachResultSchema, { policies, ...target });
  const who = target.user !== undefined ? `user \`${target.user}\`` : `group \`${target.group}\``;
  ctx.output.result(
    { type: "policy", action: verb, ...target, policies, attached: result.policies },
    `${verb === "attach" ? "Attached" : "Detached"} ${policies.join(", ")} ${verb === "attach" ? "to" : "from"} ${who}.`,
  );
}
