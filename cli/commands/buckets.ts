/**
 * `floe mb` and `floe rb`: make and remove buckets. `rb --force` empties the
 * bucket first: every version and delete marker, and unfinished multipart
 * uploads. JSON fields: bucket, path; rb --force adds removedObjects.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  PutBucketVersioningCommand,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../core/context.ts";
import { CliError, s3ErrorCode } from "../core/errors.ts";
import { withExamples } from "../core/help.ts";
import { remotePath, requireBucket } from "../core/location.ts";
import { abortUploads, removePrefix } from "../storage/remove.ts";
import { hasVersions } from "../storage/versioning.ts";

/** Registers `mb` and `rb`. */
export function registerBuckets(program: Command): void {
  withExamples(
    program
      .command("mb")
      .description("make buckets")
      .argument("<targets...>", "ALIAS/BUCKET")
      .option("-p, --ignore-existing", "succeed when the bucket already exists")
      .option("-l, --with-lock", "enable object lock (and versioning)")
      .option("--with-versioning", "enable versioning")
      .option("--region <region>", "location constraint of the new bucket")
      .action(async (targets, options, command) => {
        const ctx = contextOf(command);
        for (const raw of targets) {
          const target = requireBucket(ctx.location(raw), "mb");
          const client = ctx.s3(target.alias);
          const path = remotePath(target.alias, target.bucket);
          try {
            await client.send(
              new CreateBucketCommand({
                Bucket: target.bucket,
                ObjectLockEnabledForBucket: options.withLock || undefined,
                CreateBucketConfiguration:
                  options.region && options.region !== "us-east-1"
                    ? { LocationConstraint: options.region as BucketLocationConstraint }
                    : undefined,
              }),
              { abortSignal: ctx.signal },
            );
          } catch (error) {
            const exists = s3ErrorCode(error) === "BucketAlreadyOwnedByYou";
            if (!(exists && options.ignoreExisting)) throw error;
          }
          if (options.withVersioning) {
            await client.send(
              new PutBucketVersioningCommand({
                Bucket: target.bucket,
                VersioningConfiguration: { Status: "Enabled" },
              }),
              { abortSignal: ctx.signal },
            );
          }
          ctx.output.result(
            { bucket: target.bucket, path },
            `Bucket created successfully \`${path}\`.`,
          );
        }
      }),
    "floe mb local/photos",
    "floe mb --with-versioning local/backups",
    "floe mb -p local/photos local/videos",
  );

  withExamples(
    program
      .command("rb")
      .description("remove buckets")
      .argument("<targets...>", "ALIAS/BUCKET")
      .option("--force", "remove every object, version and upload first")
      .action(async (targets, options, command) => {
        const ctx = contextOf(command);
        for (const raw of targets) {
          const target = requireBucket(ctx.location(raw), "rb");
          const client = ctx.s3(target.alias);
          const path = remotePath(target.alias, target.bucket);
          let removedObjects = 0;
          if (options.force) {
            const result = await removePrefix(
              client,
              target.bucket,
              "",
              {
                versions: await hasVersions(client, target.bucket, ctx.signal),
                signal: ctx.signal,
              },
              {
                onRemoved: () => {},
                onFailed: (entry, error) =>
                  ctx.output.warn({ code: error.code, message: `${entry.Key}: ${error.message}` }),
              },
            );
            removedObjects = result.removed;
            if (result.firstError) {
              throw new CliError(
                result.firstError.code,
                `${result.failed} object(s) of ${path} could not be removed; the first: ${result.firstError.message}`,
              );
            }
            await abortUploads(client, target.bucket, ctx.signal);
          }
          await client.send(new DeleteBucketCommand({ Bucket: target.bucket }), {
            abortSignal: ctx.signal,
          });
          ctx.output.result(
            { bucket: target.bucket, path, ...(options.force ? { removedObjects } : {}) },
            `Removed \`${path}\` successfully.`,
          );
        }
      }),
    "floe rb local/photos",
    "floe rb --force local/scratch",
  );
}
