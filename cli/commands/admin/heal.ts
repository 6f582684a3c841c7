/**
 * `floe admin heal [-r] [--dry-run] ALIAS[/BUCKET[/PREFIX]]`: rebuild
 * missing or corrupt shards and record copies. ALIAS heals every bucket,
 * ALIAS/BUCKET one bucket, ALIAS/BUCKET/KEY every version of one key; with
 * -r, ALIAS/BUCKET/PREFIX heals every key under the prefix (one admin call
 * per key). JSON: one summary (type "heal", scope, versionsChecked,
 * versionsHealed, shardsRebuilt, copiesRebuilt, unrecoverableBlocks,
 * healed[], incomplete[]).
 */
import type { Command } from "@commander-js/extra-typings";
import type { AdminClient } from "../../admin/client.ts";
import { healSummarySchema, type HealSummary } from "../../../shared/admin-api/deployment.ts";
import { contextOf, type Context } from "../../core/context.ts";
import { usageError } from "../../core/errors.ts";
import { withExamples } from "../../core/help.ts";
import { listObjects } from "../../storage/list-remote.ts";

interface HealScope {
  bucket?: string;
  key?: string;
  dryRun?: boolean;
}

/** Registers `admin heal`. */
export function registerHeal(admin: Command): void {
  withExamples(
    admin
      .command("heal")
      .description("heal objects: rebuild missing or corrupt shards")
      .argument("<target>", "ALIAS, ALIAS/BUCKET or ALIAS/BUCKET/KEY (a prefix with -r)")
      .option("-r, --recursive", "heal every key under the prefix")
      .option("--dry-run", "only report what would be rebuilt")
      .action(async (target, options, command) => {
        const ctx = contextOf(command);
        const location = ctx.location(target);
        if (location.kind !== "remote") throw usageError(`heal needs ALIAS[/BUCKET[/PREFIX]].`);
        const client = ctx.admin(location.alias);
        const dryRun = options.dryRun || undefined;
        let summary: HealSummary;
        if (location.bucket === "" || location.key === "") {
          summary = await heal(client, { bucket: location.bucket || undefined, dryRun });
        } else if (!options.recursive) {
          summary = await heal(client, { bucket: location.bucket, key: location.key, dryRun });
        } else {
          summary = await healPrefix(
            ctx,
            client,
            location.alias,
            location.bucket,
            location.key,
            dryRun,
          );
        }
        report(
          ctx,
          { bucket: location.bucket || undefined, key: location.key || undefined, dryRun },
          summary,
        );
      }),
    "floe admin heal local",
    "floe admin heal local/photos",
    "floe admin heal -r local/photos/2024/",
    "floe admin heal --dry-run local/photos/a.jpg",
  );
}

async function heal(client: AdminClient, scope: HealScope): Promise<HealSummary> {
  return client.call("POST", "heal", healSummarySchema, scope);
}

async function healPrefix(
  ctx: Context,
  client: AdminClient,
  alias: string,
  bucket: string,
  prefix: string,
  dryRun: boolean | undefined,
): Promise<HealSummary> {
  const total: HealSummary = {
    versionsChecked: 0,
    versionsHealed: 0,
    shardsRebuilt: 0,
    copiesRebuilt: 0,
    unrecoverableBlocks: 0,
    healed: [],
    incomplete: [],
  };
  const items = listObjects(ctx.s3(alias), bucket, prefix, { recursive: true, signal: ctx.signal });
  for await (const item of items) {
    if (item.type !== "object") continue;
    const one = await heal(client, { bucket, key: item.entry.key, dryRun });
    total.versionsChecked += one.versionsChecked;
    total.versionsHealed += one.versionsHealed;
    total.shardsRebuilt += one.shardsRebuilt;
    total.copiesRebuilt += one.copiesRebuilt;
    total.unrecoverableBlocks += one.unrecoverableBlocks;
    total.healed.push(...one.healed);
    total.incomplete.push(...one.incomplete);
  }
  return total;
}

function report(ctx: Context, scope: HealScope, summary: HealSummary): void {
  const verb = scope.dryRun ? "would rebuild" : "rebuilt";
  const lines = summary.healed.map(
    (v) =>
      `${v.bucket}/${v.key} (version ${v.versionId}): ${verb} ${v.shardsRebuilt} shard(s), ${v.copiesRebuilt} record copy(ies)`,
  );
  lines.push(
    `Checked ${summary.versionsChecked} version(s); ${scope.dryRun ? "would heal" : "healed"} ${summary.versionsHealed}: ${summary.shardsRebuilt} shard(s), ${summary.copiesRebuilt} record copy(ies); ${summary.incomplete.length} incomplete, ${summary.unrecoverableBlocks} unrecoverable block(s).`,
  );
  ctx.output.result(
    {
      type: "heal",
      scope,
      versionsChecked: summary.versionsChecked,
      versionsHealed: summary.versionsHealed,
      shardsRebuilt: summary.shardsRebuilt,
      copiesRebuilt: summary.copiesRebuilt,
      unrecoverableBlocks: summary.unrecoverableBlocks,
      healed: summary.healed,
      incomplete: summary.incomplete,
    },
    lines.join("\n"),
  );
  for (const v of summary.incomplete) {
    const why =
      v.unrecoverableBlocks > 0
        ? `${v.unrecoverableBlocks} block(s) lost beyond repair`
        : `${v.offlineDrives} drive(s) offline`;
    if (!ctx.output.json) {
      ctx.output.warn({
        code: "HealIncomplete",
        message: `${v.bucket}/${v.key} (version ${v.versionId}): ${why}`,
      });
    }
  }
}
