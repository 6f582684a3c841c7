/**
 * `floe mirror SRC DST`: client-side replication between any two S3
 * endpoints or local folders, copying only what differs (see
 * mirror/compare.ts) and keeping content type, metadata and tags. JSON:
 * one record per action (type "mirror", action "copy" or "remove", reason,
 * source, target, size, dryRun) and a summary per pass (type "summary",
 * copied, removed, conflicts, failed, bytes, dryRun).
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../core/context.ts";
import { collect, positiveInteger, withExamples } from "../core/help.ts";
import { parseDuration } from "../core/units.ts";
import { runMirror } from "../mirror/run.ts";

/** Registers `mirror`. */
export function registerMirror(program: Command): void {
  withExamples(
    program
      .command("mirror")
      .description("synchronise a folder or bucket to another (client-side replication)")
      .argument("<source>", "ALIAS/BUCKET[/PREFIX] or local folder")
      .argument("<target>", "ALIAS/BUCKET[/PREFIX] or local folder")
      .option("--overwrite", "replace objects that differ at the target")
      .option("--remove", "remove objects at the target that the source does not have")
      .option("--dry-run", "only show what would be done")
      .option("-w, --watch", "keep mirroring changes until stopped (Ctrl-C)")
      .option("--interval <seconds>", "with --watch: seconds between passes", positiveInteger, 5)
      .option("--newer-than <age>", "only objects newer than this (e.g. 7d, 2h)")
      .option("--older-than <age>", "only objects older than this")
      .option("--exclude <glob>", "skip keys matching the glob (repeatable)", collect, [])
      .option("--concurrency <n>", "objects copied at once", positiveInteger, 4)
      .action(async (source, target, options, command) => {
        const ctx = contextOf(command);
        await runMirror(ctx, ctx.location(source), ctx.location(target), {
          overwrite: options.overwrite === true,
          remove: options.remove === true,
          dryRun: options.dryRun === true,
          newerThan: options.newerThan ? parseDuration(options.newerThan) : undefined,
          olderThan: options.olderThan ? parseDuration(options.olderThan) : undefined,
          exclude: options.exclude,
          concurrency: options.concurrency,
          watchSeconds: options.watch ? options.interval : undefined,
        });
      }),
    "floe mirror ./site local/www",
    "floe mirror --overwrite --remove local/photos backup/photos",
    "floe mirror --watch local/incoming ./inbox",
    "floe mirror --dry-run --newer-than 7d local/logs other/logs",
  );
}
