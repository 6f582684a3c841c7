/**
 * `floe alias set|ls|rm`: name an S3 endpoint and its credentials.
 * JSON fields: alias, url, accessKey, region, source ("config" or "env");
 * secret keys are never printed.
 */
import type { Command } from "@commander-js/extra-typings";
import { DEFAULT_REGION, type Alias } from "../core/config.ts";
import { contextOf } from "../core/context.ts";
import { CliError } from "../core/errors.ts";
import { table } from "../core/format.ts";
import { withExamples } from "../core/help.ts";

function aliasRecord(alias: Alias) {
  return {
    alias: alias.name,
    url: alias.url,
    accessKey: alias.accessKey,
    region: alias.region,
    source: alias.source,
  };
}

/** Registers `alias` and its subcommands. */
export function registerAlias(program: Command): void {
  const alias = withExamples(
    program.command("alias").description("manage aliases of S3 endpoints (~/.floe/config.json)"),
    "floe alias set local http://127.0.0.1:8787 floeadmin floeadmin-secret",
    "floe alias ls",
  );

  withExamples(
    alias
      .command("set")
      .description("add or replace an alias")
      .argument("<name>", "alias name (letters, digits, - and _)")
      .argument("<url>", "endpoint URL, e.g. http://127.0.0.1:8787")
      .argument("<accessKey>", "access key")
      .argument("<secretKey>", "secret key")
      .option("--region <region>", "signing region", DEFAULT_REGION)
      .action((name, url, accessKey, secretKey, options, command) => {
        const ctx = contextOf(command);
        ctx.aliases.set(name, { url, accessKey, secretKey, region: options.region });
        const saved = ctx.aliases.get(name);
        ctx.output.result(
          aliasRecord({ ...saved, source: "config" }),
          `Added \`${name}\` successfully.`,
        );
      }),
    "floe alias set local http://127.0.0.1:8787 floeadmin floeadmin-secret",
    "floe alias set aws https://s3.amazonaws.com AKIA... SECRET --region eu-west-1",
  );

  withExamples(
    alias
      .command("ls")
      .alias("list")
      .description("list aliases (FLOE_HOST_<alias> variables included)")
      .argument("[name]", "only this alias")
      .action((name, _options, command) => {
        const ctx = contextOf(command);
        const aliases = name ? [ctx.aliases.get(name)] : ctx.aliases.list();
        if (ctx.output.json) {
          for (const a of aliases) ctx.output.result(aliasRecord(a), "");
          return;
        }
        if (aliases.length === 0) return;
        const rows = aliases.map((a) => [a.name, a.url, a.accessKey, a.region, a.source]);
        ctx.output.result({}, table([["ALIAS", "URL", "ACCESS KEY", "REGION", "SOURCE"], ...rows]));
      }),
    "floe alias ls",
    "floe alias ls local --json",
  );

  withExamples(
    alias
      .command("rm")
      .alias("remove")
      .description("remove an alias from the config file")
      .argument("<name>", "alias name")
      .action((name, _options, command) => {
        const ctx = contextOf(command);
        if (!ctx.aliases.remove(name)) {
          throw new CliError("NoSuchAlias", `No alias "${name}" in ${ctx.aliases.file}.`);
        }
        ctx.output.result({ alias: name }, `Removed \`${name}\` successfully.`);
      }),
    "floe alias rm local",
  );
}
