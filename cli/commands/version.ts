/**
 * `floe version enable|suspend|info ALIAS/BUCKET`: bucket versioning. JSON
 * fields: bucket, path, versioning ("Enabled", "Suspended" or
 * "Unversioned").
 */
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../core/context.ts";
import { withExamples } from "../core/help.ts";
import { remotePath, requireBucket } from "../core/location.ts";
import { versioningStatus } from "../storage/versioning.ts";

/** Registers `version`. */
export function registerVersion(program: Command): void {
  const version = withExamples(
    program.command("version").description("bucket versioning"),
    "floe version enable local/backups",
    "floe version info local/backups",
  );

  for (const [name, status, description] of [
    ["enable", "Enabled", "enable versioning on a bucket"],
    ["suspend", "Suspended", "suspend versioning on a bucket"],
  ] as const) {
    withExamples(
      version
        .command(name)
        .description(description)
        .argument("<target>", "ALIAS/BUCKET")
        .action(async (target, _options, command) => {
          const ctx = contextOf(command);
          const bucket = requireBucket(ctx.location(target), `version ${name}`);
          await ctx.s3(bucket.alias).send(
            new PutBucketVersioningCommand({
              Bucket: bucket.bucket,
              VersioningConfiguration: { Status: status },
            }),
            { abortSignal: ctx.signal },
          );
          const path = remotePath(bucket.alias, bucket.bucket);
          ctx.output.result(
            { bucket: bucket.bucket, path, versioning: status },
            `${path} versioning is ${status === "Enabled" ? "enabled" : "suspended"}`,
          );
        }),
      `floe version ${name} local/backups`,
    );
  }

  withExamples(
    version
      .command("info")
      .description("show a bucket's versioning status")
      .argument("<target>", "ALIAS/BUCKET")
      .action(async (target, _options, command) => {
        const ctx = contextOf(command);
        const bucket = requireBucket(ctx.location(target), "version info");
        const status = await versioningStatus(ctx.s3(bucket.alias), bucket.bucket, ctx.signal);
        const path = remotePath(bucket.alias, bucket.bucket);
        const words = { Enabled: "enabled", Suspended: "suspended", Unversioned: "un-versioned" };
        ctx.output.result(
          { bucket: bucket.bucket, path, versioning: status },
          `${path} versioning is ${words[status]}`,
        );
      }),
    "floe version info local/backups",
  );
}
