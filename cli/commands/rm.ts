/**
 * `floe rm`: remove objects. One key by default (in a versioned bucket that
 * adds a delete marker); `--version-id` removes one version for good;
 * `--versions` every version of the key (or, with -r, of everything under
 * the prefix); `-r --force` everything under a prefix. JSON, one record per
 * removed entry: type "remove", key, path, versionId; removing one key adds
 * deleteMarker (true when a delete marker was created, whose id is then
 * versionId).
 */
import { DeleteObjectCommand, type ObjectIdentifier } from "@aws-sdk/client-s3";
import type { Command } from "@commander-js/extra-typings";
import { contextOf, type Context } from "../core/context.ts";
import { CliError, usageError } from "../core/errors.ts";
import { parseDuration } from "../core/units.ts";
import { withExamples } from "../core/help.ts";
import { folderPrefix, remotePath, requireBucket, type RemoteLocation } from "../core/location.ts";
import { removePrefix, type RemoveCallbacks } from "../storage/remove.ts";

interface RmOptions {
  recursive?: boolean;
  force?: boolean;
  versions?: boolean;
  versionId?: string;
  bypass?: boolean;
  olderThan?: string;
  newerThan?: string;
}

/** Registers `rm`. */
export function registerRm(program: Command): void {
  withExamples(
    program
      .command("rm")
      .description("remove objects")
      .argument("<targets...>", "ALIAS/BUCKET/KEY, or ALIAS/BUCKET[/PREFIX] with -r")
      .option("-r, --recursive", "remove everything under the prefix (needs --force)")
      .option("--force", "allow a recursive removal")
      .option("--versions", "remove every version, not only the current one")
      .option("--version-id <id>", "remove this version")
      .option("--bypass", "bypass governance-mode object lock")
      .option("--older-than <age>", "with -r: only objects older than this (e.g. 7d)")
      .option("--newer-than <age>", "with -r: only objects newer than this (e.g. 2h)")
      .action(async (targets, options, command) => {
        const ctx = contextOf(command);
        if (options.recursive && !options.force) {
          throw usageError("Removing recursively needs --force.");
        }
        if (options.versionId && (options.recursive || options.versions)) {
          throw usageError("--version-id removes one version: no -r or --versions.");
        }
        for (const raw of targets)
          await remove(ctx, requireBucket(ctx.location(raw), "rm"), options);
      }),
    "floe rm local/photos/old.jpg",
    "floe rm --version-id 3f2a... local/backups/db.sql",
    "floe rm --versions local/backups/db.sql",
    "floe rm -r --force local/logs/2023/",
    "floe rm -r --force --older-than 30d local/logs/",
  );
}

async function remove(ctx: Context, target: RemoteLocation, options: RmOptions): Promise<void> {
  const client = ctx.s3(target.alias);
  const callbacks = reporter(ctx, target);
  if (!options.recursive && !options.versions) {
    if (target.key === "") throw usageError(`rm needs ALIAS/BUCKET/KEY, not "${target.raw}".`);
    const out = await client.send(
      new DeleteObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        VersionId: options.versionId,
        BypassGovernanceRetention: options.bypass || undefined,
      }),
      { abortSignal: ctx.signal },
    );
    const path = remotePath(target.alias, target.bucket, target.key);
    const note = options.versionId
      ? ` (version ${options.versionId})`
      : out.DeleteMarker && out.VersionId
        ? ` (delete marker ${out.VersionId})`
        : "";
    ctx.output.event(
      {
        type: "remove",
        key: target.key,
        path,
        versionId: options.versionId ?? out.VersionId,
        deleteMarker: out.DeleteMarker === true,
      },
      `Removed \`${path}\`${note}.`,
    );
    return;
  }
  const now = Date.now();
  const olderThan = options.olderThan ? parseDuration(options.olderThan) : undefined;
  const newerThan = options.newerThan ? parseDuration(options.newerThan) : undefined;
  const exactKey = !options.recursive;
  const prefix = exactKey ? target.key : folderPrefix(target.key);
  const result = await removePrefix(
    client,
    target.bucket,
    prefix,
    {
      versions: options.versions === true,
      bypassGovernance: options.bypass,
      signal: ctx.signal,
      filter: (entry) => {
        if (exactKey && entry.key !== target.key) return false;
        const age = now - entry.lastModified.getTime();
        if (olderThan !== undefined && age <= olderThan) return false;
        if (newerThan !== undefined && age >= newerThan) return false;
        return true;
      },
    },
    callbacks,
  );
  if (result.firstError) {
    throw new CliError(
      result.firstError.code,
      `${result.failed} object(s) could not be removed; the first: ${result.firstError.message}`,
    );
  }
}

function reporter(ctx: Context, target: RemoteLocation): RemoveCallbacks {
  const describe = (entry: ObjectIdentifier) => {
    const path = remotePath(target.alias, target.bucket, entry.Key ?? "");
    return { path, shown: entry.VersionId ? `${path} (version ${entry.VersionId})` : path };
  };
  return {
    onRemoved: (entry) => {
      const { path, shown } = describe(entry);
      ctx.output.event(
        { type: "remove", key: entry.Key, path, versionId: entry.VersionId },
        `Removed \`${shown}\`.`,
      );
    },
    onFailed: (entry, error) => {
      ctx.output.warn({ code: error.code, message: `${describe(entry).shown}: ${error.message}` });
    },
  };
}
