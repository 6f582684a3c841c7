/**
 * `floe admin info ALIAS`: the deployment's layout as a table: each erasure
 * set with its data and parity shards, read and write quorum and online
 * drives, then each drive's state and usage. JSON: the admin API's info
 * document as it came (deploymentId, region, buckets, faultInjection,
 * pools[].sets[].drives[]).
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../../core/context.ts";
import { humanBytes, table } from "../../core/format.ts";
import { withExamples } from "../../core/help.ts";
import { deploymentInfoSchema, type DeploymentInfo } from "../../../shared/admin-api/deployment.ts";
import { aliasArgument } from "./common.ts";

/** Renders the info document for people. */
export function infoText(info: DeploymentInfo): string {
  const sets = info.pools.flatMap((pool) => pool.sets);
  const drives = sets.flatMap((set) => set.drives);
  const used = drives.reduce((sum, drive) => sum + drive.usedBytes, 0);
  const online = drives.filter((drive) => drive.state === "online").length;
  const header = [
    `Deployment ${info.deploymentId} (${info.region})`,
    `${info.pools.length} pool(s), ${sets.length} set(s), ${online}/${drives.length} drives online, ${humanBytes(used)} used, ${info.buckets} bucket(s)${info.faultInjection ? ", fault injection on" : ""}`,
  ];
  const setRows = sets.map((set) => [
    set.id,
    String(set.dataShards),
    String(set.parityShards),
    String(set.readQuorum),
    String(set.writeQuorum),
    `${set.onlineDrives}/${set.drives.length}`,
    set.onlineDrives >= set.writeQuorum
      ? "ok"
      : set.onlineDrives >= set.readQuorum
        ? "read-only"
        : "unavailable",
  ]);
  const driveRows = drives.map((drive) => [
    drive.id,
    drive.state,
    humanBytes(drive.usedBytes),
    String(drive.shardBlocks),
    String(drive.versions),
  ]);
  return [
    ...header,
    "",
    table([
      ["SET", "DATA", "PARITY", "READ QUORUM", "WRITE QUORUM", "ONLINE", "STATE"],
      ...setRows,
    ]),
    "",
    table([["DRIVE", "STATE", "USED", "SHARD BLOCKS", "VERSIONS"], ...driveRows]),
  ].join("\n");
}

/** Registers `admin info`. */
export function registerInfo(admin: Command): void {
  withExamples(
    admin
      .command("info")
      .description("show erasure sets, drives, their state, usage and quorum")
      .argument("<alias>", "ALIAS of a Floe deployment")
      .action(async (alias, _options, command) => {
        const ctx = contextOf(command);
        const client = ctx.admin(aliasArgument(ctx, alias));
        const info = await client.call("GET", "info", deploymentInfoSchema);
        ctx.output.result(info, infoText(info));
      }),
    "floe admin info local",
    "floe admin info local --json | jq '.pools[].sets[].onlineDrives'",
  );
}
