/**
 * `floe replicate status|diff ALIAS/BUCKET`: what replication has done and
 * what it still owes, from the admin API.
 *
 * status, per target: replicated versions and bytes, pending, failed
 * versions (last minute, last hour, in total, and versions failed now,
 * waiting for a retry), link health and downtime, lag (age of the oldest
 * change not yet replicated, and p50/p99 of write-to-replica lag over the
 * last minute and hour), the lag objective if set, the average transfer
 * latency, purges (version deletes not yet confirmed by the target) and
 * the latest job with its ETA; then the replicas this bucket
 * received from other sites. JSON, one document: type
 * "replicationStatus", bucket, path, targets[] (the admin API's fields:
 * arn, endpoint, targetBucket, sync, bandwidth, health, replicatedCount,
 * replicatedBytes, pendingCount, pendingBytes, failedCount, failedBytes,
 * failedLastMinute {count, bytes}, failedLastHour {count, bytes},
 * failedNow, lagMs, purge {pending, failed}, latency {buckets, counts, sumMs, count}, lag
 * {histogram {buckets, counts, sumMs, count}, lastMinute {count, p50Ms,
 * p99Ms}, lastHour {…}}, lagSloSeconds, overSloCount, sloBreached, job
 * (with etaSeconds), plus latencyAvgMs, null before any transfer),
 * received {count, bytes}.
 *
 * diff: every version or delete not (yet) replicated, paging through the
 * admin API's `next`. JSON, one record per entry: type "diff", key,
 * versionId, target, kind (object, metadata, delete-marker, delete,
 * existing), replicationStatus (PENDING or FAILED), attempts, size.
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../../core/context.ts";
import { humanBytes, humanDuration, table } from "../../core/format.ts";
import { withExamples } from "../../core/help.ts";
import { remotePath } from "../../core/location.ts";
import {
  diffPageSchema,
  replicationStatusSchema,
  type DiffEntry,
  type DiffPage,
  type LagWindow,
  type TargetStatus,
} from "../../../shared/admin-api/replication.ts";
import { bandwidthText, downtimeText, healthText, remoteName } from "../../replication/targets.ts";
import { replicationScope } from "./common.ts";

/** Average latency in ms, or null before any transfer. */
export function averageLatency(target: Pick<TargetStatus, "latency">): number | null {
  const { sumMs, count } = target.latency;
  return count > 0 ? Math.round(sumMs / count) : null;
}

const objects = (count: number, bytes: number) => `${count} version(s), ${humanBytes(bytes)}`;

/** A resync or existing-object job's progress: `existing Ongoing: 120/300 (40%), …, ETA 1m05s`. */
export function jobText(job: NonNullable<TargetStatus["job"]>): string {
  const done = Math.min(job.total, job.replicatedCount + job.skippedCount + job.failedCount);
  const percent = job.total > 0 ? Math.floor((done / job.total) * 100) : 100;
  const eta =
    job.etaSeconds === undefined || job.etaSeconds === null
      ? ""
      : `, ETA ${humanDuration(job.etaSeconds)}`;
  return `${job.mode} ${job.status}: ${done}/${job.total} (${percent}%), replicated ${job.replicatedCount}, skipped ${job.skippedCount}, failed ${job.failedCount}${eta}`;
}

const ms = (value: number | null) =>
  value === null ? "-" : value < 1000 ? `${value}ms` : `${(value / 1000).toFixed(1)}s`;

/** `p50 120ms, p99 1.4s over 37 change(s)`, or `-` without samples. */
function windowText(window: LagWindow): string {
  if (window.count === 0) return "-";
  return `p50 ${ms(window.p50Ms)}, p99 ${ms(window.p99Ms)} over ${window.count} change(s)`;
}

/** The lag rows: oldest unreplicated change, p50/p99 per window, and the objective. */
export function lagRows(target: TargetStatus): string[][] {
  const rows = [["Lag:", `oldest unreplicated change ${humanDuration(target.lagMs / 1000)}`]];
  if (target.lag) {
    rows.push(["  last minute:", windowText(target.lag.lastMinute)]);
    rows.push(["  last hour:", windowText(target.lag.lastHour)]);
  }
  if (target.lagSloSeconds !== undefined && target.lagSloSeconds !== null) {
    const state = target.sloBreached
      ? `BREACHED, ${target.overSloCount ?? 0} change(s) older than it`
      : "met";
    rows.push(["Lag objective:", `${humanDuration(target.lagSloSeconds)}, ${state}`]);
  }
  return rows;
}

/** The human block for one target. */
export function targetStatusText(target: TargetStatus): string {
  const average = averageLatency(target);
  const mode = [
    target.sync ? "sync" : "async",
    healthText(target.health),
    `downtime ${downtimeText(target.health)}`,
    `bandwidth ${bandwidthText(target.bandwidth)}`,
  ].join(", ");
  const failed = [
    `${target.failedLastMinute.count} in the last minute`,
    `${target.failedLastHour.count} in the last hour`,
    `${target.failedCount} in total (${humanBytes(target.failedBytes)})`,
    `${target.failedNow} failed now`,
  ].join(", ");
  const rows = [
    ["Replicated:", objects(target.replicatedCount, target.replicatedBytes)],
    ["Pending:", objects(target.pendingCount, target.pendingBytes)],
    ["Failed:", failed],
    ...lagRows(target),
    [
      "Latency:",
      average === null ? "-" : `${average}ms average over ${target.latency.count} transfer(s)`,
    ],
  ];
  if (target.purge)
    rows.push([
      "Purges:",
      `${target.purge.pending} version delete(s) pending, ${target.purge.failed} failed`,
    ]);
  if (target.job) rows.push(["Job:", jobText(target.job)]);
  const body = table(rows)
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
  return `${target.arn} → ${remoteName(target.endpoint, target.targetBucket)}\n  ${mode}\n${body}`;
}

function diffRecord(entry: DiffEntry): Record<string, unknown> {
  const { status, ...rest } = entry;
  return { type: "diff", ...rest, replicationStatus: status };
}

/** Registers `replicate status|diff`. */
export function registerStatus(replicate: Command): void {
  withExamples(
    replicate
      .command("status")
      .description("replication metrics per target, and replicas received")
      .argument("<source>", "ALIAS/BUCKET")
      .action(async (source, _options, command) => {
        const ctx = contextOf(command);
        const { location } = replicationScope(ctx, source, "status");
        const status = await ctx
          .admin(location.alias)
          .call(
            "GET",
            `buckets/${encodeURIComponent(location.bucket)}/replication/status`,
            replicationStatusSchema,
          );
        const path = remotePath(location.alias, location.bucket);
        const targets = status.targets.map((t) => ({ ...t, latencyAvgMs: averageLatency(t) }));
        const received = `Received: ${objects(status.received.count, status.received.bytes)} as replicas from other sites.`;
        const blocks = status.targets.map(targetStatusText);
        const human = [`Replication status of ${path}`, ...blocks, received].join("\n\n");
        ctx.output.result(
          {
            type: "replicationStatus",
            bucket: status.bucket,
            path,
            targets,
            received: status.received,
          },
          human,
        );
      }),
    "floe replicate status local/photos",
  );

  withExamples(
    replicate
      .command("diff")
      .description("list versions not (yet) replicated, with their status")
      .argument("<source>", "ALIAS/BUCKET")
      .option("--remote-bucket <arn>", "only this target")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location } = replicationScope(ctx, source, "diff");
        const admin = ctx.admin(location.alias);
        const entries: DiffEntry[] = [];
        let after: string | null = "";
        while (after !== null) {
          const query: URLSearchParams = new URLSearchParams({ after });
          if (options.remoteBucket) query.set("arn", options.remoteBucket);
          const page: DiffPage = await admin.call(
            "GET",
            `buckets/${encodeURIComponent(location.bucket)}/replication/diff?${query}`,
            diffPageSchema,
          );
          if (ctx.output.json)
            for (const entry of page.entries) ctx.output.result(diffRecord(entry), "");
          else entries.push(...page.entries);
          after = page.next;
        }
        if (entries.length === 0) return;
        const rows = entries.map((e) => [
          e.status,
          e.key,
          e.versionId,
          e.kind,
          humanBytes(e.size),
          String(e.attempts),
          e.target,
        ]);
        ctx.output.result(
          {},
          table([["STATUS", "KEY", "VERSION", "KIND", "SIZE", "ATTEMPTS", "TARGET"], ...rows]),
        );
      }),
    "floe replicate diff local/photos",
    "floe replicate diff local/photos --remote-bucket arn:floe:replication::UUID:photos",
  );
}
