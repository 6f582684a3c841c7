/**
 * `floe admin group add|ls|info|rm|enable|disable`: IAM groups. As in mc,
 * `add` creates the group if needed and adds members; `rm` with members
 * removes those members, without them deletes the (empty) group. JSON
 * records: type "group", name, groupStatus, members, policies; `rm` of a group
 * prints type "group", name, removed: true.
 */
import type { Command } from "@commander-js/extra-typings";
import { anyObjectSchema, groupListSchema, groupSchema } from "../../../shared/admin-api/iam.ts";
import { contextOf } from "../../core/context.ts";
import { table } from "../../core/format.ts";
import { iamRecord } from "../../admin/records.ts";
import { withExamples } from "../../core/help.ts";
import { aliasArgument, segment } from "./common.ts";

const list = (values: string[]) => (values.length > 0 ? values.join(",") : "-");

/** Registers `admin group`. */
export function registerGroup(admin: Command): void {
  const group = withExamples(
    admin.command("group").description("manage IAM groups"),
    "floe admin group add local editors ana bob",
    "floe admin group ls local",
  );

  withExamples(
    group
      .command("add")
      .description("add members to a group, creating it if needed")
      .argument("<alias>", "ALIAS")
      .argument("<group>", "group name")
      .argument("[members...]", "access keys of users to add")
      .action(async (alias, name, members, _options, command) => {
        const ctx = contextOf(command);
        const client = ctx.admin(aliasArgument(ctx, alias));
        const group = await client.call("POST", "groups", groupSchema, { name, members });
        ctx.output.result(
          iamRecord("group", group),
          `Added members ${list(members)} to group \`${name}\` successfully.`,
        );
      }),
    "floe admin group add local editors ana bob",
  );

  withExamples(
    group
      .command("ls")
      .alias("list")
      .description("list groups")
      .argument("<alias>", "ALIAS")
      .action(async (alias, _options, command) => {
        const ctx = contextOf(command);
        const { groups } = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", "groups", groupListSchema);
        if (ctx.output.json) {
          for (const g of groups) ctx.output.result(iamRecord("group", g), "");
          return;
        }
        if (groups.length === 0) return;
        const rows = groups.map((g) => [g.name, g.status, list(g.members), list(g.policies)]);
        ctx.output.result({}, table([["GROUP", "STATUS", "MEMBERS", "POLICIES"], ...rows]));
      }),
    "floe admin group ls local",
  );

  withExamples(
    group
      .command("info")
      .description("show a group")
      .argument("<alias>", "ALIAS")
      .argument("<group>", "group name")
      .action(async (alias, name, _options, command) => {
        const ctx = contextOf(command);
        const found = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", `groups/${segment(name)}`, groupSchema);
        ctx.output.result(
          iamRecord("group", found),
          table([
            ["Group:", found.name],
            ["Status:", found.status],
            ["Members:", list(found.members)],
            ["Policies:", list(found.policies)],
          ]),
        );
      }),
    "floe admin group info local editors",
  );

  withExamples(
    group
      .command("rm")
      .alias("remove")
      .description("remove members from a group, or the group itself when none are given")
      .argument("<alias>", "ALIAS")
      .argument("<group>", "group name")
      .argument("[members...]", "access keys of users to remove")
      .action(async (alias, name, members, _options, command) => {
        const ctx = contextOf(command);
        const client = ctx.admin(aliasArgument(ctx, alias));
        if (members.length > 0) {
          const group = await client.call("POST", `groups/${segment(name)}/members`, groupSchema, {
            remove: members,
          });
          ctx.output.result(
            iamRecord("group", group),
            `Removed members ${list(members)} from group \`${name}\` successfully.`,
          );
          return;
        }
        await client.call("DELETE", `groups/${segment(name)}`, anyObjectSchema);
        ctx.output.result(
          { type: "group", name, removed: true },
          `Removed group \`${name}\` successfully.`,
        );
      }),
    "floe admin group rm local editors bob",
    "floe admin group rm local editors",
  );

  for (const status of ["enabled", "disabled"] as const) {
    const name = status === "enabled" ? "enable" : "disable";
    withExamples(
      group
        .command(name)
        .description(`${name} a group`)
        .argument("<alias>", "ALIAS")
        .argument("<group>", "group name")
        .action(async (alias, groupName, _options, command) => {
          const ctx = contextOf(command);
          const group = await ctx
            .admin(aliasArgument(ctx, alias))
            .call("PUT", `groups/${segment(groupName)}/status`, groupSchema, { status });
          ctx.output.result(iamRecord("group", group), `Group \`${groupName}\` is ${status}.`);
        }),
      `floe admin group ${name} local editors`,
    );
  }
}
