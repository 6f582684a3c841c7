/**
 * What /floe/metrics reports, gathered from the Durable Objects on each
 * scrape: per bucket and remote target the replication counters (named
 * after MinIO's `minio_bucket_replication_*`), target link health and
 * resync progress; per erasure set the online drives and quorums; per
 * drive its state and usage; site-wide heal counters. docs/metrics.md
 * lists every metric.
 */
import { loadConfig } from "../../shared/config.ts";
import { deploymentStub } from "../objects/stubs.ts";
import { replicationStats, resyncStatus } from "../objects/replication-state.ts";
import { deploymentInfo } from "../admin/info.ts";
import { lagObjectives } from "../../shared/replication/lag.ts";
import type { TargetStats } from "../../shared/types/replication-rpc.ts";
import { Exposition, type Labels } from "./exposition.ts";

const P = "floe_bucket_replication_";

export async function collectMetrics(env: Env): Promise<string> {
  const out = new Exposition();
  const deployment = deploymentStub(env);
  const [buckets, targets, counters, info] = await Promise.all([
    deployment.listBuckets(),
    deployment.listTargets(null),
    deployment.counters(),
    deploymentInfo(env, loadConfig(env)),
  ]);
  declareReplication(out);
  const targetsByArn = new Map(targets.map((t) => [t.arn, t]));
  await Promise.all(
    buckets.map(async ({ name: bucket }) => {
      const [found, jobs] = await Promise.all([
        replicationStats(
          env,
          bucket,
          lagObjectives(targets.filter((t) => t.sourceBucket === bucket)),
        ),
        resyncStatus(env, bucket),
      ]);
      // A bucket removed since it was listed has nothing to report.
      if (!found.ok) return;
      const stats = found.value;
      out.counter(
        `${P}received_count`,
        "Replica versions this bucket received.",
        { bucket },
        stats.received.count,
      );
      out.counter(
        `${P}received_bytes`,
        "Bytes of replica versions this bucket received.",
        { bucket },
        stats.received.bytes,
      );
      for (const s of stats.targets) {
        const labels = { bucket, targetArn: s.target };
        out.counter(
          `${P}sent_count`,
          "Versions replicated to the target.",
          labels,
          s.replicatedCount,
        );
        out.counter(`${P}sent_bytes`, "Bytes replicated to the target.", labels, s.replicatedBytes);
        out.gauge(
          `${P}pending_count`,
          "Changes not yet replicated (failed ones included).",
          labels,
          s.pendingCount,
        );
        out.gauge(
          `${P}pending_bytes`,
          "Bytes of changes not yet replicated.",
          labels,
          s.pendingBytes,
        );
        out.counter(
          `${P}total_failed_count`,
          "Changes that failed all their queue attempts.",
          labels,
          s.failedCount,
        );
        out.counter(
          `${P}total_failed_bytes`,
          "Bytes of changes that failed all their queue attempts.",
          labels,
          s.failedBytes,
        );
        out.gauge(
          `${P}last_minute_failed_count`,
          "Failures in the last minute.",
          labels,
          s.failedLastMinute.count,
        );
        out.gauge(
          `${P}last_minute_failed_bytes`,
          "Bytes of failures in the last minute.",
          labels,
          s.failedLastMinute.bytes,
        );
        out.gauge(
          `${P}last_hour_failed_count`,
          "Failures in the last hour.",
          labels,
          s.failedLastHour.count,
        );
        out.gauge(
          `${P}last_hour_failed_bytes`,
          "Bytes of failures in the last hour.",
          labels,
          s.failedLastHour.bytes,
        );
        out.gauge(
          `${P}lag_seconds`,
          "Age of the oldest change not yet replicated.",
          labels,
          s.lagMs / 1000,
        );
        out.histogram(
          `${P}latency_seconds`,
          "Time to replicate one change (attempt start to remote acknowledgement).",
          labels,
          s.latency.buckets,
          s.latency.counts,
          s.latency.sumMs / 1000,
        );
        replicationLag(out, labels, s);
        const target = targetsByArn.get(s.target);
        if (target) {
          out.gauge(
            `${P}link_online`,
            "1 when the target answered its last probe or transfer.",
            labels,
            target.health.online ? 1 : 0,
          );
          out.counter(
            `${P}link_downtime_seconds`,
            "Total time the target has been offline.",
            labels,
            target.health.downtimeMs / 1000,
          );
          out.gauge(
            `${P}link_offline_duration_seconds`,
            "How long the target has been offline now (0 while online).",
            labels,
            target.health.offlineSince
              ? (Date.now() - Date.parse(target.health.offlineSince)) / 1000
              : 0,
          );
          // Offline targets report no latency rather than the last one they had.
          if (target.health.online && target.health.latencyMs !== null)
            out.gauge(
              `${P}link_latency_seconds`,
              "Latency of the last probe of the target (absent while it is offline).",
              labels,
              target.health.latencyMs / 1000,
            );
        }
      }
      for (const job of jobs) {
        const labels = { bucket, targetArn: job.target, mode: job.mode, jobId: job.jobId };
        out.gauge(
          `${P}resync_running`,
          "1 while a resync or existing-object job runs.",
          labels,
          job.status === "Pending" || job.status === "Ongoing" ? 1 : 0,
        );
        out.gauge(
          `${P}resync_total`,
          "Versions in the job's scope, counted when it started.",
          labels,
          job.total,
        );
        out.counter(
          `${P}resync_replicated_count`,
          "Versions the job replicated.",
          labels,
          job.replicatedCount,
        );
        out.counter(
          `${P}resync_replicated_bytes`,
          "Bytes the job replicated.",
          labels,
          job.replicatedBytes,
        );
        out.counter(
          `${P}resync_skipped_count`,
          "Versions the job skipped (already on the target, or outside the rules).",
          labels,
          job.skippedCount,
        );
        out.gauge(
          `${P}resync_failed_count`,
          "Versions of the job now FAILED.",
          labels,
          job.failedCount,
        );
        if (job.etaSeconds !== null)
          out.gauge(
            `${P}resync_eta_seconds`,
            "Seconds until a running job is done, at its rate so far.",
            labels,
            job.etaSeconds,
          );
      }
    }),
  );
  for (const pool of info.pools) {
    for (const set of pool.sets) {
      const labels = { set: set.id };
      out.gauge(
        "floe_cluster_set_drives_total",
        "Drives in the erasure set.",
        labels,
        set.drives.length,
      );
      out.gauge(
        "floe_cluster_set_drives_online",
        "Drives of the set that answer.",
        labels,
        set.onlineDrives,
      );
      out.gauge("floe_cluster_set_read_quorum", "Drives a read needs.", labels, set.readQuorum);
      out.gauge("floe_cluster_set_write_quorum", "Drives a write needs.", labels, set.writeQuorum);
      out.gauge(
        "floe_cluster_set_health",
        "1 when the set has write quorum of online drives.",
        labels,
        set.onlineDrives >= set.writeQuorum ? 1 : 0,
      );
      for (const drive of set.drives) {
        out.gauge(
          "floe_drive_online",
          "1 when the drive answers.",
          { drive: drive.id },
          drive.state === "online" ? 1 : 0,
        );
        out.gauge(
          "floe_drive_used_bytes",
          "Bytes the drive stores.",
          { drive: drive.id },
          drive.usedBytes,
        );
      }
    }
  }
  out.gauge("floe_cluster_buckets_total", "Buckets of the site.", {}, buckets.length);
  out.counter(
    "floe_heal_objects_healed_total",
    "Versions healing rebuilt something of.",
    {},
    counters.healed_versions ?? 0,
  );
  out.counter(
    "floe_heal_shards_rebuilt_total",
    "Shards healing rebuilt.",
    {},
    counters.healed_shards ?? 0,
  );
  out.counter(
    "floe_heal_copies_rebuilt_total",
    "Version record copies healing rewrote.",
    {},
    counters.healed_copies ?? 0,
  );
  return out.render();
}

function declareReplication(out: Exposition): void {
  out.declare(`${P}sent_count`, "Versions replicated to the target.", "counter");
  out.declare(`${P}received_count`, "Replica versions this bucket received.", "counter");
}

/** Write-to-replica lag of one target: the histogram and the lag objective. */
function replicationLag(out: Exposition, labels: Labels, s: TargetStats): void {
  const lag = s.lag.histogram;
  out.histogram(
    "floe_replication_lag_seconds",
    "Write-to-replica lag: source commit of a change to the target's acknowledgement, queue wait and retries included.",
    labels,
    lag.buckets,
    lag.counts,
    lag.sumMs / 1000,
  );
  if (s.lagSloSeconds === null) return;
  out.gauge(
    "floe_replication_lag_slo_seconds",
    "The target's lag objective.",
    labels,
    s.lagSloSeconds,
  );
  out.gauge(
    "floe_replication_lag_slo_breached",
    "1 when a change is older than the lag objective, or the last minute's p99 lag exceeds it.",
    labels,
    s.sloBreached ? 1 : 0,
  );
  out.gauge(
    "floe_replication_lag_slo_versions_over",
    "Changes not yet replicated that are older than the lag objective.",
    labels,
    s.overSloCount,
  );
}
