/**
 * `floe admin bucket remote add|ls|edit|rm`: a bucket's remote targets
 * (docs/admin-api.md), the other sites its replication rules send to.
 * `add` prints the target's ARN (the whole target with --json); the
 * server first checks that the remote answers, the credentials work and
 * the remote bucket is versioned. JSON records: type "remoteTarget" plus
 * the admin API's fields (arn, sourceBucket, endpoint, targetBucket,
 * region, accessKey, sync, bandwidth, healthCheckSeconds, lagSloSeconds, createdAt,
 * health {online, lastOnline, offlineSince, downtimeMs, latencyMs,
 * lastCheck}); `rm` prints type "remoteTarget", arn, removed: true.
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../../core/context.ts";
import { usageError } from "../../core/errors.ts";
import { table } from "../../core/format.ts";
import { positiveInteger, withExamples } from "../../core/help.ts";
import { requireBucketOnly } from "../../core/location.ts";
import {
  remoteTargetListSchema,
  remoteTargetSchema,
  removedTargetSchema,
} from "../../../shared/admin-api/replication.ts";
import {
  addRemoteTarget,
  parseBandwidth,
  parseLagSlo,
  parseCredentials,
  parseTargetUrl,
  targetRecord,
  targetTable,
} from "../../replication/targets.ts";
import { segment } from "./common.ts";

const REMOTE = "http://replicator:replicator-secret@127.0.0.1:8788/photos";

/** Registers `admin bucket` and its `remote` subcommands. */
export function registerBucket(admin: Command): void {
  const bucket = withExamples(
    admin.command("bucket").description("bucket settings held by the admin API"),
    `floe admin bucket remote add local/photos ${REMOTE}`,
  );
  const remote = withExamples(
    bucket.command("remote").description("remote targets: where a bucket replicates to"),
    `floe admin bucket remote add local/photos ${REMOTE}`,
    "floe admin bucket remote ls local/photos",
  );

  withExamples(
    remote
      .command("add")
      .description("add a remote target and print its ARN")
      .argument("<source>", "ALIAS/BUCKET (versioned)")
      .argument("<remote>", "http(s)://ACCESSKEY:SECRETKEY@host:port/BUCKET")
      .option("--sync", "replicate before answering each write")
      .option("--bandwidth <limit>", "bandwidth limit per second (e.g. 100M; at least 1MiB)")
      .option("--healthcheck-seconds <n>", "seconds between health probes", positiveInteger)
      .option("--lag-slo <duration>", "write-to-replica lag objective (e.g. 30s)")
      .option("--region <region>", "the remote's region (default us-east-1)")
      .action(async (source, url, options, command) => {
        const ctx = contextOf(command);
        const location = requireBucketOnly(ctx.location(source), "admin bucket remote add");
        const target = await addRemoteTarget(
          ctx.admin(location.alias),
          location.bucket,
          parseTargetUrl(url),
          {
            region: options.region,
            sync: options.sync,
            bandwidth:
              options.bandwidth === undefined ? undefined : parseBandwidth(options.bandwidth),
            healthCheckSeconds: options.healthcheckSeconds,
            lagSloSeconds: options.lagSlo === undefined ? undefined : parseLagSlo(options.lagSlo),
          },
        );
        ctx.output.result(targetRecord(target), target.arn);
      }),
    `floe admin bucket remote add local/photos ${REMOTE}`,
    `floe admin bucket remote add local/photos ${REMOTE} --sync --bandwidth 100M`,
  );

  withExamples(
    remote
      .command("ls")
      .alias("list")
      .description("list a bucket's remote targets (secrets are never shown)")
      .argument("<source>", "ALIAS/BUCKET")
      .action(async (source, _options, command) => {
        const ctx = contextOf(command);
        const location = requireBucketOnly(ctx.location(source), "admin bucket remote ls");
        const { targets } = await ctx
          .admin(location.alias)
          .call(
            "GET",
            `buckets/${segment(location.bucket)}/remote-targets`,
            remoteTargetListSchema,
          );
        if (ctx.output.json) {
          for (const target of targets) ctx.output.result(targetRecord(target), "");
          return;
        }
        if (targets.length === 0) return;
        ctx.output.result({}, table(targetTable(targets)));
      }),
    "floe admin bucket remote ls local/photos",
  );

  withExamples(
    remote
      .command("edit")
      .description("change a remote target's credentials, mode, bandwidth or health checks")
      .argument("<source>", "ALIAS/BUCKET")
      .requiredOption("--arn <arn>", "the target's ARN")
      .option("--sync", "replicate before answering each write")
      .option("--async", "replicate in the background (the default)")
      .option("--bandwidth <limit>", "bandwidth limit per second (e.g. 100M)")
      .option("--no-bandwidth", "no bandwidth limit")
      .option("--credentials <key:secret>", "new credentials on the remote")
      .option("--healthcheck-seconds <n>", "seconds between health probes", positiveInteger)
      .option("--lag-slo <duration>", "write-to-replica lag objective (e.g. 30s)")
      .option("--no-lag-slo", "no lag objective")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const location = requireBucketOnly(ctx.location(source), "admin bucket remote edit");
        if (options.sync && options.async) throw usageError("Give --sync or --async, not both.");
        const body = {
          ...(options.credentials ? parseCredentials(options.credentials) : {}),
          sync: options.sync ? true : options.async ? false : undefined,
          bandwidth:
            options.bandwidth === false
              ? null
              : options.bandwidth === undefined
                ? undefined
                : parseBandwidth(options.bandwidth),
          healthCheckSeconds: options.healthcheckSeconds,
          lagSloSeconds:
            options.lagSlo === false
              ? null
              : options.lagSlo === undefined
                ? undefined
                : parseLagSlo(options.lagSlo),
        };
        if (Object.values(body).every((value) => value === undefined)) {
          throw usageError(
            "Nothing to change: give --sync, --async, --bandwidth, --no-bandwidth, --credentials, --healthcheck-seconds, --lag-slo or --no-lag-slo.",
          );
        }
        const target = await ctx
          .admin(location.alias)
          .call(
            "PATCH",
            `buckets/${segment(location.bucket)}/remote-targets?arn=${encodeURIComponent(options.arn)}`,
            remoteTargetSchema,
            body,
          );
        ctx.output.result(targetRecord(target), `Updated remote target ${target.arn}.`);
      }),
    "floe admin bucket remote edit local/photos --arn ARN --sync",
    "floe admin bucket remote edit local/photos --arn ARN --no-bandwidth --credentials KEY:SECRET",
  );

  withExamples(
    remote
      .command("rm")
      .alias("remove")
      .description("remove a remote target (refused while a replication rule uses it)")
      .argument("<source>", "ALIAS/BUCKET")
      .requiredOption("--arn <arn>", "the target's ARN")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const location = requireBucketOnly(ctx.location(source), "admin bucket remote rm");
        const { removed } = await ctx
          .admin(location.alias)
          .call(
            "DELETE",
            `buckets/${segment(location.bucket)}/remote-targets?arn=${encodeURIComponent(options.arn)}`,
            removedTargetSchema,
          );
        ctx.output.result(
          { type: "remoteTarget", arn: removed, removed: true },
          `Removed remote target ${removed}.`,
        );
      }),
    "floe admin bucket remote rm local/photos --arn ARN",
  );
}
