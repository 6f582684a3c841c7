/**
 * `floe replicate verify ALIAS/BUCKET --remote-bucket ARN [--prefix P] [--fix]`:
 * proves that a bucket and its replica on one remote target hold the same
 * versions in every replicated field (version id, delete marker, ETag,
 * size, mtime, storage class, content type and headers, user metadata,
 * tags, checksums, retention, legal hold), by the admin API's range digest
 * comparison, instead of comparing counts. `--fix` requeues the versions
 * that differ so the target gets this site's copy.
 *
 * Prints "equal: N versions of K keys compared", or a table of the
 * differing versions with the fields that differ (and, with --fix, what
 * was requeued). Exit status 0 only when the two are equal; when they
 * differ the report is printed and the command fails with
 * ReplicationMismatch (exit 1), as it does on errors (NoSuchRemoteTarget,
 * RemoteTargetError, AccessDenied, ...). JSON, one document: type
 * "replicationVerify", path, target, and the admin API's report: equal,
 * prefix, keysCompared, versionsCompared, rangesCompared, rangesDiffering,
 * differences[] (key, versionId, problem, fields[], here, remote: the
 * version's state or null), truncated, and with --fix `fix` (requeued,
 * removedOnRemote, notFixed[]).
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../../core/context.ts";
import { CliError } from "../../core/errors.ts";
import { withExamples } from "../../core/help.ts";
import { remotePath } from "../../core/location.ts";
import { verifyReportSchema } from "../../../shared/admin-api/replication.ts";
import { verifyText } from "../../replication/verify-report.ts";
import { replicationScope } from "./common.ts";

/** Registers `replicate verify`. */
export function registerVerify(replicate: Command): void {
  withExamples(
    replicate
      .command("verify")
      .description("compare a bucket's versions with a remote target's; exit 0 only when equal")
      .argument("<source>", "ALIAS/BUCKET")
      .requiredOption("--remote-bucket <arn>", "the target's ARN")
      .option("--prefix <prefix>", "only keys under this prefix")
      .option("--fix", "requeue the versions that differ, so the target gets this site's copy")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const { location } = replicationScope(ctx, source, "verify");
        const path = remotePath(location.alias, location.bucket);
        const report = await ctx
          .admin(location.alias)
          .call(
            "POST",
            `buckets/${encodeURIComponent(location.bucket)}/replication/verify`,
            verifyReportSchema,
            { arn: options.remoteBucket, prefix: options.prefix, fix: options.fix === true },
          );
        ctx.output.result(
          { type: "replicationVerify", path, target: options.remoteBucket, ...report },
          verifyText(report),
        );
        if (!report.equal)
          throw new CliError(
            "ReplicationMismatch",
            `${path} and ${options.remoteBucket} differ in ${report.differences.length} version(s).`,
          );
      }),
    "floe replicate verify local/photos --remote-bucket arn:floe:replication::UUID:photos",
    "floe replicate verify local/photos --remote-bucket ARN --prefix 2024/ --json",
    "floe replicate verify local/photos --remote-bucket ARN --fix",
  );
}
