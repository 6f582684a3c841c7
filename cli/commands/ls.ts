/**
 * `floe ls`: list buckets, objects, versions or local files. A path that is
 * not a folder (no trailing `/`) lists the folder of that name if there is
 * one, else the object itself. JSON: one record per line, shapes in
 * storage/records.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { stat } from "node:fs/promises";
import { basename, relative } from "node:path";
import { contextOf, type Context } from "../core/context.ts";
import { CliError } from "../core/errors.ts";
import { withExamples } from "../core/help.ts";
import { folderPrefix, remotePath, type Location, type RemoteLocation } from "../core/location.ts";
import type { ListItem } from "../storage/entries.ts";
import { localFileEntry, walkLocal } from "../storage/list-local.ts";
import { listBuckets, listObjects, listVersions } from "../storage/list-remote.ts";
import { bucketLine, fileLine, fileRecord, folderLine, folderRecord } from "../storage/records.ts";

interface LsOptions {
  recursive?: boolean;
  versions?: boolean;
}

/** Registers `ls`. */
export function registerLs(program: Command): void {
  withExamples(
    program
      .command("ls")
      .description("list buckets, objects and local files")
      .argument("<targets...>", "ALIAS, ALIAS/BUCKET[/PREFIX] or a local path")
      .option("-r, --recursive", "list everything under the path")
      .option("--versions", "list every version and delete marker")
      .action(async (targets, options, command) => {
        const ctx = contextOf(command);
        for (const raw of targets) await list(ctx, ctx.location(raw), options);
      }),
    "floe ls local",
    "floe ls -r local/photos/2024/",
    "floe ls --versions local/backups/db.sql",
    "floe ls --json local/photos",
  );
}

async function list(ctx: Context, location: Location, options: LsOptions): Promise<void> {
  if (location.kind === "local") return listLocal(ctx, location.path, options);
  if (location.bucket === "") return listAlias(ctx, location.alias);
  return listRemote(ctx, location, options);
}

async function listAlias(ctx: Context, alias: string): Promise<void> {
  for (const bucket of await listBuckets(ctx.s3(alias), ctx.signal)) {
    const name = bucket.Name ?? "";
    ctx.output.result(
      {
        type: "bucket",
        key: `${name}/`,
        path: remotePath(alias, name),
        lastModified: bucket.CreationDate?.toISOString(),
      },
      bucketLine(name, bucket.CreationDate),
    );
  }
}

async function listRemote(
  ctx: Context,
  location: RemoteLocation,
  options: LsOptions,
): Promise<void> {
  const client = ctx.s3(location.alias);
  const list = options.versions ? listVersions : listObjects;
  const walk = (prefix: string) =>
    list(client, location.bucket, prefix, {
      recursive: options.recursive === true,
      signal: ctx.signal,
    });
  const folder = folderPrefix(location.key);
  let shown = print(ctx, location, folder, walk(folder), options);
  if ((await shown) === 0 && folder !== location.key) {
    shown = print(ctx, location, "", exactKey(walk(location.key), location.key), options);
    if ((await shown) === 0) {
      throw new CliError("NoSuchKey", `Object does not exist: ${location.raw}`);
    }
  }
}

async function* exactKey(items: AsyncIterable<ListItem>, key: string): AsyncGenerator<ListItem> {
  for await (const item of items) {
    if (item.type === "object" && item.entry.key === key) yield item;
  }
}

async function print(
  ctx: Context,
  location: RemoteLocation,
  base: string,
  items: AsyncIterable<ListItem>,
  options: LsOptions,
): Promise<number> {
  let count = 0;
  for await (const item of items) {
    count++;
    if (item.type === "prefix") {
      const name = item.key.slice(base.length);
      const path = remotePath(location.alias, location.bucket, item.key);
      ctx.output.result(folderRecord(name, path), folderLine(name));
      continue;
    }
    const name = item.entry.key.slice(base.length);
    const path = remotePath(location.alias, location.bucket, item.entry.key);
    ctx.output.result(
      fileRecord(item.entry, name, path),
      fileLine(item.entry, name, options.versions === true),
    );
  }
  return count;
}

async function listLocal(ctx: Context, path: string, options: LsOptions): Promise<void> {
  const info = await stat(path);
  if (info.isFile()) {
    const entry = await localFileEntry(path, basename(path));
    ctx.output.result(fileRecord(entry, entry.key, path), fileLine(entry, entry.key));
    return;
  }
  for await (const item of walkLocal(path, { recursive: options.recursive === true })) {
    if (item.type === "prefix") {
      ctx.output.result(folderRecord(item.key, `${path}/${item.key}`), folderLine(item.key));
    } else {
      const shown = relative(path, item.entry.path).split("\\").join("/");
      ctx.output.result(
        fileRecord(item.entry, shown, item.entry.path),
        fileLine(item.entry, shown),
      );
    }
  }
}
