/**
 * `floe replicate resync start|status|cancel ALIAS/BUCKET`: resynchronise
 * a bucket with one target (mc's `replicate resync`). A job walks the
 * bucket's versions and sends again every one the target's copy does not
 * match, skipping those it does; one job per target runs at a time, and
 * only for targets whose rule has existing-object replication. A rule
 * change that opens versions to existing-object replication starts a job of
 * mode "existing" by itself, and a rebuilt coordinator one of mode
 * "restore".
 *
 * JSON records: type "resyncJob" plus the admin API's job fields, with the
 * job's own status as jobStatus (Pending, Ongoing, Completed, Failed,
 * Canceled): target, jobId, mode ("resync", "existing" or "restore"), prefix,
 * olderThan, startedAt, updatedAt, finishedAt, total, replicatedCount,
 * replicatedBytes, failedCount, failedBytes, skippedCount, pendingCount,
 * etaSeconds (seconds until a running job is done at its rate so far;
 * null when not running or before a first version is done).
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf, type Context } from "../../core/context.ts";
import { humanBytes, humanDuration, table } from "../../core/format.ts";
import { withExamples } from "../../core/help.ts";
import { parseDuration } from "../../core/units.ts";
import { ResyncProgress } from "../../replication/resync-progress.ts";
import {
  resyncJobListSchema,
  resyncJobSchema,
  type ResyncJob,
} from "../../../shared/admin-api/replication.ts";
import { replicationScope } from "./common.ts";

const FINISHED = new Set(["Completed", "Failed", "Canceled"]);
const WATCH_INTERVAL_MS = 1000;

function jobRecord(job: ResyncJob): Record<string, unknown> {
  const { status, ...rest } = job;
  return { type: "resyncJob", ...rest, jobStatus: status };
}

function jobTable(jobs: ResyncJob[]): string {
  return table([
    ["TARGET", "MODE", "STATUS", "REPLICATED", "FAILED", "SKIPPED", "PENDING", "STARTED", "ETA"],
    ...jobs.map((job) => [
      job.target,
      job.mode,
      job.status,
      `${job.replicatedCount} (${humanBytes(job.replicatedBytes)})`,
      String(job.failedCount),
      String(job.skippedCount),
      String(job.pendingCount),
      job.startedAt,
      job.etaSeconds === undefined || job.etaSeconds === null ? "-" : humanDuration(job.etaSeconds),
    ]),
  ]);
}

function jobsPath(bucket: string, arn?: string): string {
  const base = `buckets/${encodeURIComponent(bucket)}/replication/resync`;
  return arn ? `${base}?arn=${encodeURIComponent(arn)}` : base;
}

/**
 * Polls until every job has finished: a progress bar on a terminal,
 * otherwise a table on stderr whenever it changes (neither with --json or
 * --quiet).
 */
async function watch(
  ctx: Context,
  alias: string,
  bucket: string,
  arn?: string,
): Promise<ResyncJob[]> {
  const bar = new ResyncProgress(ctx.output);
  let shown = "";
  try {
    for (;;) {
      const { jobs } = await ctx
        .admin(alias)
        .call("GET", jobsPath(bucket, arn), resyncJobListSchema);
      if (jobs.every((job) => FINISHED.has(job.status))) {
        bar.update(jobs);
        return jobs;
      }
      if (bar.drawn) bar.update(jobs.filter((job) => !FINISHED.has(job.status)));
      else {
        const text = jobTable(jobs);
        const quiet = ctx.output.json || ctx.output.options.quiet;
        if (text !== shown && !quiet) ctx.output.stderr.write(`${text}\n\n`);
        shown = text;
      }
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
      ctx.signal.throwIfAborted();
    }
  } finally {
    bar.stop();
  }
}

/** Registers `replicate resync start|status|cancel`. */
export function registerResync(replicate: Command): void {
  const resync = withExamples(
    replicate.command("resync").description("send a bucket's versions to a target again"),
    "floe replicate resync start local/photos --remote-bucket ARN",
    "floe replicate resync status local/photos --watch",
  );

  withExamples(
    resync
      .command("start")
      .description("start a resync job for one target")
      .argument("<source>", "ALIAS/BUCKET")
      .requiredOption("--remote-bucket <arn>", "the target's ARN")
      .option("--older-than <age>", "only versions older than this (e.g. 7d, 12h)")
      .option("--prefix <prefix>", "only keys under this prefix")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location } = replicationScope(ctx, source, "resync start");
        const olderThan =
          options.olderThan === undefined ? undefined : parseDuration(options.olderThan) / 1000;
        const job = await ctx
          .admin(location.alias)
          .call("POST", jobsPath(location.bucket), resyncJobSchema, {
            arn: options.remoteBucket,
            olderThan,
            prefix: options.prefix,
          });
        ctx.output.result(jobRecord(job), `Resync ${job.jobId} of ${job.target} started.`);
      }),
    "floe replicate resync start local/photos --remote-bucket ARN",
    "floe replicate resync start local/photos --remote-bucket ARN --older-than 7d --prefix docs/",
  );

  withExamples(
    resync
      .command("status")
      .description("show the latest resync job of each target")
      .argument("<source>", "ALIAS/BUCKET")
      .option("--remote-bucket <arn>", "only this target")
      .option("--watch", "wait until every job has finished, showing progress on stderr")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location } = replicationScope(ctx, source, "resync status");
        let jobs: ResyncJob[];
        if (options.watch) {
          jobs = await watch(ctx, location.alias, location.bucket, options.remoteBucket);
        } else {
          ({ jobs } = await ctx
            .admin(location.alias)
            .call("GET", jobsPath(location.bucket, options.remoteBucket), resyncJobListSchema));
        }
        if (ctx.output.json) {
          for (const job of jobs) ctx.output.result(jobRecord(job), "");
          return;
        }
        if (jobs.length > 0) ctx.output.result({}, jobTable(jobs));
      }),
    "floe replicate resync status local/photos",
    "floe replicate resync status local/photos --remote-bucket ARN --watch",
  );

  withExamples(
    resync
      .command("cancel")
      .description("cancel a target's running resync job")
      .argument("<source>", "ALIAS/BUCKET")
      .requiredOption("--remote-bucket <arn>", "the target's ARN")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location } = replicationScope(ctx, source, "resync cancel");
        const job = await ctx
          .admin(location.alias)
          .call("DELETE", jobsPath(location.bucket, options.remoteBucket), resyncJobSchema);
        ctx.output.result(jobRecord(job), `Resync ${job.jobId} of ${job.target}: ${job.status}.`);
      }),
    "floe replicate resync cancel local/photos --remote-bucket ARN",
  );
}
