/**
 * `floe admin user svcacct add|ls|info|rm|edit`: service accounts, keys
 * that act for a parent user, optionally narrowed by their own policy and
 * given an expiry. JSON records: type "serviceAccount" plus the admin
 * API's fields (accessKey, parent, accountStatus, name, description, expiration,
 * impliedPolicy, policy, createdAt; secretKey only from `add`, the one
 * time it is shown); `rm` prints type "serviceAccount", accessKey,
 * removed: true.
 */
import type { Command } from "@commander-js/extra-typings";
import type { z } from "zod";
import {
  anyObjectSchema,
  serviceAccountListSchema,
  serviceAccountSchema,
} from "../../../shared/admin-api/iam.ts";
import { contextOf } from "../../core/context.ts";
import { usageError } from "../../core/errors.ts";
import { table } from "../../core/format.ts";
import { iamRecord } from "../../admin/records.ts";
import { withExamples } from "../../core/help.ts";
import { aliasArgument, readPolicyFile, segment } from "./common.ts";

type ServiceAccount = z.infer<typeof serviceAccountSchema>;

function accountText(account: ServiceAccount): string {
  const rows: string[][] = [["AccessKey:", account.accessKey]];
  if (account.secretKey) rows.push(["SecretKey:", account.secretKey]);
  rows.push(["Parent:", account.parent ?? "-"]);
  if (account.status) rows.push(["Status:", account.status]);
  if (account.name) rows.push(["Name:", account.name]);
  if (account.description) rows.push(["Description:", account.description]);
  rows.push(["Expiration:", account.expiration ?? "no expiry"]);
  return table(rows);
}

function expiration(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw usageError(`Invalid --expiry "${text}" (use ISO 8601).`);
  return date.toISOString();
}

/** Registers `admin user svcacct`. */
export function registerServiceAccounts(user: Command): void {
  const svcacct = withExamples(
    user.command("svcacct").description("manage service accounts of users"),
    "floe admin user svcacct add local ana",
    "floe admin user svcacct ls local ana",
  );

  withExamples(
    svcacct
      .command("add")
      .description("add a service account for a user (keys generated unless given)")
      .argument("<alias>", "ALIAS")
      .argument("<user>", "parent user's access key")
      .option("--access-key <key>", "the account's access key")
      .option("--secret-key <key>", "the account's secret key")
      .option("--policy <file>", "JSON policy narrowing the parent's rights")
      .option("--expiry <time>", "expiry time, ISO 8601")
      .option("--name <name>", "a name")
      .option("--description <text>", "a description")
      .action(async (alias, parent, options, command) => {
        const ctx = contextOf(command);
        const account = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("POST", "service-accounts", serviceAccountSchema, {
            user: parent,
            accessKey: options.accessKey,
            secretKey: options.secretKey,
            policy: options.policy ? await readPolicyFile(options.policy) : undefined,
            expiration: expiration(options.expiry),
            name: options.name,
            description: options.description,
          });
        ctx.output.result(iamRecord("serviceAccount", account), accountText(account));
      }),
    "floe admin user svcacct add local ana",
    "floe admin user svcacct add local ana --policy read-only.json --expiry 2030-01-01T00:00:00Z",
  );

  withExamples(
    svcacct
      .command("ls")
      .alias("list")
      .description("list service accounts (of one user, or all)")
      .argument("<alias>", "ALIAS")
      .argument("[user]", "parent user's access key")
      .action(async (alias, parent, _options, command) => {
        const ctx = contextOf(command);
        const { serviceAccounts } = await ctx
          .admin(aliasArgument(ctx, alias))
          .call(
            "GET",
            parent ? `service-accounts?user=${encodeURIComponent(parent)}` : "service-accounts",
            serviceAccountListSchema,
          );
        if (ctx.output.json) {
          for (const a of serviceAccounts) ctx.output.result(iamRecord("serviceAccount", a), "");
          return;
        }
        if (serviceAccounts.length === 0) return;
        const rows = serviceAccounts.map((a) => [
          a.accessKey,
          a.status ?? "-",
          a.name ?? "-",
          a.expiration ?? "no expiry",
        ]);
        ctx.output.result({}, table([["ACCESS KEY", "STATUS", "NAME", "EXPIRATION"], ...rows]));
      }),
    "floe admin user svcacct ls local ana",
  );

  withExamples(
    svcacct
      .command("info")
      .description("show a service account")
      .argument("<alias>", "ALIAS")
      .argument("<accessKey>", "the service account's access key")
      .action(async (alias, accessKey, _options, command) => {
        const ctx = contextOf(command);
        const account = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("GET", `service-accounts/${segment(accessKey)}`, serviceAccountSchema);
        ctx.output.result(iamRecord("serviceAccount", account), accountText(account));
      }),
    "floe admin user svcacct info local SVCACCESSKEY",
  );

  withExamples(
    svcacct
      .command("edit")
      .description("change a service account")
      .argument("<alias>", "ALIAS")
      .argument("<accessKey>", "the service account's access key")
      .option("--secret-key <key>", "a new secret key")
      .option("--policy <file>", "a new JSON policy")
      .option("--inherit-policy", "drop the account's own policy: act with the parent's")
      .option("--expiry <time>", "a new expiry time, ISO 8601")
      .option("--no-expiry", "never expire")
      .option("--name <name>", "a new name")
      .option("--description <text>", "a new description")
      .option("--status <status>", "enabled or disabled")
      .action(async (alias, accessKey, options, command) => {
        const ctx = contextOf(command);
        if (options.status && !["enabled", "disabled"].includes(options.status)) {
          throw usageError(`--status is enabled or disabled, not "${options.status}".`);
        }
        if (options.policy && options.inheritPolicy) {
          throw usageError("Give --policy or --inherit-policy, not both.");
        }
        const policy = options.inheritPolicy
          ? null
          : options.policy
            ? await readPolicyFile(options.policy)
            : undefined;
        const account = await ctx
          .admin(aliasArgument(ctx, alias))
          .call("PATCH", `service-accounts/${segment(accessKey)}`, serviceAccountSchema, {
            secretKey: options.secretKey,
            policy,
            expiration: options.expiry === false ? null : expiration(options.expiry),
            name: options.name,
            description: options.description,
            status: options.status,
          });
        ctx.output.result(iamRecord("serviceAccount", account), accountText(account));
      }),
    "floe admin user svcacct edit local SVCACCESSKEY --status disabled",
    "floe admin user svcacct edit local SVCACCESSKEY --policy read-only.json",
    "floe admin user svcacct edit local SVCACCESSKEY --inherit-policy --no-expiry",
  );

  withExamples(
    svcacct
      .command("rm")
      .alias("remove")
      .description("remove a service account")
      .argument("<alias>", "ALIAS")
      .argument("<accessKey>", "the service account's access key")
      .action(async (alias, accessKey, _options, command) => {
        const ctx = contextOf(command);
        await ctx
          .admin(aliasArgument(ctx, alias))
          .call("DELETE", `service-accounts/${segment(accessKey)}`, anyObjectSchema);
        ctx.output.result(
          { type: "serviceAccount", accessKey, removed: true },
          `Removed service account \`${accessKey}\` successfully.`,
        );
      }),
    "floe admin user svcacct rm local SVCACCESSKEY",
  );
}
