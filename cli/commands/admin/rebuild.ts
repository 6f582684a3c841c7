/**
 * `floe admin rebuild [--dry-run] ALIAS[/BUCKET]`: rebuild lost bucket
 * coordinators from the drives' copies (POST /floe/admin/v1/rebuild). The
 * server answers within a time budget; the command calls again until the
 * rebuild is finished, adding up each bucket's figures. JSON: one summary
 * (type "rebuild", dryRun, buckets[] with the server's per-bucket figures,
 * healthy[], unregistered[], reregistered[]).
 */
import type { Command } from "@commander-js/extra-typings";
import { rebuildSummarySchema, type RebuildReport } from "../../../shared/admin-api/deployment.ts";
import { contextOf } from "../../core/context.ts";
import { usageError } from "../../core/errors.ts";
import { withExamples } from "../../core/help.ts";

const COUNTS = [
  "versions",
  "deleteMarkers",
  "toHeal",
  "belowQuorum",
  "inlineLost",
  "unreadable",
] as const;

/** Registers `admin rebuild`. */
export function registerRebuild(admin: Command): void {
  withExamples(
    admin
      .command("rebuild")
      .description("rebuild lost bucket coordinators from the drives' copies")
      .argument("<target>", "ALIAS (every lost bucket) or ALIAS/BUCKET")
      .option("--dry-run", "only report what would be restored")
      .action(async (target, options, command) => {
        const ctx = contextOf(command);
        const location = ctx.location(target);
        if (location.kind !== "remote" || location.key !== "")
          throw usageError(`rebuild needs ALIAS or ALIAS/BUCKET.`);
        const client = ctx.admin(location.alias);
        const body = { bucket: location.bucket || undefined, dryRun: options.dryRun || undefined };
        const buckets = new Map<string, RebuildReport>();
        let healthy: string[];
        let unregistered: string[];
        const reregistered = new Set<string>();
        for (;;) {
          const summary = await client.call("POST", "rebuild", rebuildSummarySchema, body);
          for (const report of summary.rebuilt) {
            const seen = buckets.get(report.bucket);
            if (!seen) buckets.set(report.bucket, report);
            else {
              for (const count of COUNTS) seen[count] += report[count];
              seen.offlineDrives = [...new Set([...seen.offlineDrives, ...report.offlineDrives])];
              seen.resyncStarted = [...new Set([...seen.resyncStarted, ...report.resyncStarted])];
              seen.finished = report.finished;
            }
          }
          healthy = summary.healthy;
          unregistered = summary.unregistered;
          summary.reregistered.forEach((name) => reregistered.add(name));
          // A dry run does not keep a cursor: one call says what it can.
          if (summary.finished || options.dryRun) break;
        }
        const reports = [...buckets.values()];
        const verb = options.dryRun ? "would restore" : "restored";
        const lines = reports.map(
          (r) =>
            `${r.bucket}: ${verb} ${r.versions} version(s) (${r.deleteMarkers} delete marker(s)), ${r.toHeal} to heal, ${r.belowQuorum} below read quorum, ${r.inlineLost} with inline data lost${r.offlineDrives.length ? `; offline: ${r.offlineDrives.join(", ")}` : ""}${r.resyncStarted.length ? `; resync started to ${r.resyncStarted.join(", ")}` : ""}`,
        );
        if (reregistered.size > 0)
          lines.push(`Registered again (the site had lost them): ${[...reregistered].join(", ")}`);
        if (reports.length === 0 && reregistered.size === 0)
          lines.push("No bucket needs a rebuild.");
        if (unregistered.length > 0)
          lines.push(
            `On drives but not registered (rebuild by name to restore): ${unregistered.join(", ")}`,
          );
        ctx.output.result(
          {
            type: "rebuild",
            dryRun: options.dryRun === true,
            buckets: reports,
            healthy,
            unregistered,
          },
          lines.join("\n"),
        );
      }),
    "floe admin rebuild local",
    "floe admin rebuild local/photos",
    "floe admin rebuild --dry-run local/photos",
  );
}
