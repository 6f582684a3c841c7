/**
 * `floe replicate add|ls|edit|rm ALIAS/BUCKET`: a bucket's replication
 * rules. Each command reads the bucket's whole configuration, changes it
 * and puts it back (S3 has no per-rule calls); removing the last rule
 * deletes the configuration. `add --remote-bucket URL` with credentials
 * creates the remote target first (as `admin bucket remote add` does).
 * JSON records: type "rule", id, ruleStatus ("Enabled" or "Disabled"),
 * priority, prefix, tags (object), destination (the target's ARN),
 * storageClass, replicate (what replicates besides new versions, as
 * `--replicate` names it); `rm` prints type "rule", id, removed: true.
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf, type Context } from "../../core/context.ts";
import { CliError, usageError } from "../../core/errors.ts";
import { table } from "../../core/format.ts";
import { withExamples } from "../../core/help.ts";
import { remotePath } from "../../core/location.ts";
import type { ReplicationRule } from "../../replication/config.ts";
import {
  REPLICATE_FEATURES,
  generateRuleId,
  nextPriority,
  parseReplicate,
  parseState,
  parseTagFilter,
  ruleIndex,
  ruleRecord,
  ruleTable,
} from "../../replication/rules.ts";
import { remoteTargetSchema } from "../../../shared/admin-api/replication.ts";
import {
  addRemoteTarget,
  isUrl,
  parseBandwidth,
  parseLagSlo,
  parseTargetUrl,
} from "../../replication/targets.ts";
import { priorityOption, replicationScope } from "./common.ts";

const ALL = REPLICATE_FEATURES.join(",");
const URL_EXAMPLE = "http://replicator:replicator-secret@127.0.0.1:8788/photos";

/** Registers `replicate add|ls|edit|rm`. */
export function registerRules(replicate: Command): void {
  withExamples(
    replicate
      .command("add")
      .description("add a replication rule (creating the remote target from a URL)")
      .argument("<source>", "ALIAS/BUCKET (versioned)")
      .requiredOption(
        "--remote-bucket <arn|url>",
        "target ARN, or http(s)://KEY:SECRET@host:port/BUCKET",
      )
      .option("--replicate <list>", "what replicates besides new versions (comma-separated)", ALL)
      .option(
        "--priority <n>",
        "rule priority (default: one more than the highest)",
        priorityOption,
      )
      .option("--prefix <prefix>", "only keys under this prefix")
      .option("--tags <tags>", 'only objects with these tags ("k=v&k2=v2")')
      .option("--storage-class <class>", "storage class of replicas (STANDARD, REDUCED_REDUNDANCY)")
      .option("--sync", "replicate before answering each write (the target's mode)")
      .option("--bandwidth <limit>", "the target's bandwidth limit per second (e.g. 100M)")
      .option("--lag-slo <duration>", "the target's write-to-replica lag objective (e.g. 30s)")
      .option("--disable", "add the rule disabled")
      .option("--id <id>", "the rule's ID (default: generated)")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location, replication } = replicationScope(ctx, source, "add");
        const current = await replication.get(location.bucket);
        const rules = current?.rules ?? [];
        const id = options.id ?? generateRuleId();
        const priority = options.priority ?? nextPriority(current);
        if (rules.some((rule) => rule.id === id)) {
          throw new CliError(
            "InvalidRequest",
            `A replication rule with ID "${id}" exists already.`,
          );
        }
        if (rules.some((rule) => rule.priority === priority)) {
          throw new CliError("InvalidRequest", `Priority ${priority} is taken by another rule.`);
        }
        const destination = await targetArn(ctx, location.alias, location.bucket, {
          remote: options.remoteBucket,
          sync: options.sync,
          bandwidth: options.bandwidth,
          lagSlo: options.lagSlo,
        });
        const rule: ReplicationRule = {
          id,
          status: options.disable ? "Disabled" : "Enabled",
          priority,
          prefix: options.prefix ?? "",
          tags: parseTagFilter(options.tags ?? ""),
          ...parseReplicate(options.replicate),
          destination,
          storageClass: options.storageClass?.toUpperCase() || null,
        };
        await replication.put(location.bucket, {
          role: current?.role ?? "",
          rules: [...rules, rule],
        });
        const path = remotePath(location.alias, location.bucket);
        ctx.output.result(
          ruleRecord(rule),
          `Replication rule ${id} added to ${path} (priority ${priority}, to ${destination}).`,
        );
      }),
    "floe replicate add local/photos --remote-bucket arn:floe:replication::UUID:photos",
    `floe replicate add local/photos --remote-bucket ${URL_EXAMPLE} --priority 2 --prefix docs/`,
    'floe replicate add local/photos --remote-bucket ARN --replicate "delete-marker" --tags "team=web"',
  );

  withExamples(
    replicate
      .command("ls")
      .alias("list")
      .description("list a bucket's replication rules")
      .argument("<source>", "ALIAS/BUCKET")
      .action(async (source, _options, command) => {
        const ctx = contextOf(command);
        const { location, replication } = replicationScope(ctx, source, "ls");
        const rules = (await replication.get(location.bucket))?.rules ?? [];
        if (ctx.output.json) {
          for (const rule of rules) ctx.output.result(ruleRecord(rule), "");
          return;
        }
        if (rules.length === 0) return;
        ctx.output.result({}, table(ruleTable(rules)));
      }),
    "floe replicate ls local/photos",
  );

  withExamples(
    replicate
      .command("edit")
      .description("change a replication rule")
      .argument("<source>", "ALIAS/BUCKET")
      .requiredOption("--id <id>", "the rule's ID")
      .option("--state <state>", "enable or disable")
      .option("--priority <n>", "a new priority", priorityOption)
      .option("--prefix <prefix>", 'a new prefix ("" for every key)')
      .option("--tags <tags>", 'new tags ("k=v&k2=v2", "" for none)')
      .option("--replicate <list>", `what replicates besides new versions: ${ALL}`)
      .option("--storage-class <class>", 'storage class of replicas ("" for the target\'s default)')
      .option("--lag-slo <duration>", "the target's write-to-replica lag objective (e.g. 30s)")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location, replication } = replicationScope(ctx, source, "edit");
        const lagSloSeconds =
          options.lagSlo === undefined ? undefined : parseLagSlo(options.lagSlo);
        const changes: Partial<ReplicationRule> = {
          ...(options.state !== undefined ? { status: parseState(options.state) } : {}),
          ...(options.priority !== undefined ? { priority: options.priority } : {}),
          ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
          ...(options.tags !== undefined ? { tags: parseTagFilter(options.tags) } : {}),
          ...(options.replicate !== undefined ? parseReplicate(options.replicate) : {}),
          ...(options.storageClass !== undefined
            ? { storageClass: options.storageClass.toUpperCase() || null }
            : {}),
        };
        if (Object.keys(changes).length === 0 && lagSloSeconds === undefined) {
          throw usageError(
            "Nothing to change: give --state, --priority, --prefix, --tags, --replicate, --storage-class or --lag-slo.",
          );
        }
        const config = await replication.require(location.bucket);
        const index = ruleIndex(config, options.id);
        const rule = { ...config.rules[index], ...changes };
        if (lagSloSeconds !== undefined)
          await ctx
            .admin(location.alias)
            .call(
              "PATCH",
              `buckets/${encodeURIComponent(location.bucket)}/remote-targets?arn=${encodeURIComponent(rule.destination)}`,
              remoteTargetSchema,
              { lagSloSeconds },
            );
        // Only the lag objective changed: the rules stay as they are.
        if (Object.keys(changes).length > 0) {
          const rules = config.rules.map((old, i) => (i === index ? rule : old));
          await replication.put(location.bucket, { ...config, rules });
        }
        ctx.output.result(ruleRecord(rule), `Replication rule ${rule.id} updated.`);
      }),
    "floe replicate edit local/photos --id docs --state disable",
    'floe replicate edit local/photos --id docs --priority 5 --prefix docs/ --replicate "delete,delete-marker"',
  );

  withExamples(
    replicate
      .command("rm")
      .alias("remove")
      .description("remove a replication rule, or all of them")
      .argument("<source>", "ALIAS/BUCKET")
      .option("--id <id>", "the rule's ID")
      .option("--all", "every rule (needs --force)")
      .option("--force", "confirm --all")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location, replication } = replicationScope(ctx, source, "rm");
        if (options.id !== undefined && options.all)
          throw usageError("Give --id or --all, not both.");
        if (options.id === undefined && !options.all)
          throw usageError("Give --id ID, or --all --force.");
        if (options.all && !options.force)
          throw usageError("Removing every rule needs --all --force.");
        const config = await replication.require(location.bucket);
        const removed = options.all ? config.rules : [config.rules[ruleIndex(config, options.id!)]];
        const rules = config.rules.filter((rule) => !removed.includes(rule));
        await replication.put(location.bucket, { ...config, rules });
        removalOutput(ctx, removed, rules, remotePath(location.alias, location.bucket));
      }),
    "floe replicate rm local/photos --id docs",
    "floe replicate rm local/photos --all --force",
  );
}

function removalOutput(
  ctx: Context,
  removed: ReplicationRule[],
  left: ReplicationRule[],
  path: string,
): void {
  if (ctx.output.json) {
    for (const rule of removed) ctx.output.result({ type: "rule", id: rule.id, removed: true }, "");
    return;
  }
  const names = removed.map((rule) => rule.id).join(", ");
  const tail = left.length === 0 ? `; ${path} has no replication configuration now` : "";
  ctx.output.result({}, `Removed replication rule(s) ${names}${tail}.`);
}

/** The ARN a new rule sends to: given, or of the target created (or updated) from a URL. */
async function targetArn(
  ctx: Context,
  alias: string,
  bucket: string,
  options: { remote: string; sync?: boolean; bandwidth?: string; lagSlo?: string },
): Promise<string> {
  const bandwidth = options.bandwidth === undefined ? undefined : parseBandwidth(options.bandwidth);
  const lagSloSeconds = options.lagSlo === undefined ? undefined : parseLagSlo(options.lagSlo);
  const admin = ctx.admin(alias);
  if (isUrl(options.remote)) {
    const target = await addRemoteTarget(admin, bucket, parseTargetUrl(options.remote), {
      sync: options.sync,
      bandwidth,
      lagSloSeconds,
    });
    return target.arn;
  }
  if (options.sync || bandwidth !== undefined || lagSloSeconds !== undefined) {
    await admin.call(
      "PATCH",
      `buckets/${encodeURIComponent(bucket)}/remote-targets?arn=${encodeURIComponent(options.remote)}`,
      remoteTargetSchema,
      { sync: options.sync, bandwidth, lagSloSeconds },
    );
  }
  return options.remote;
}
