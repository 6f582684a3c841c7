/**
 * Expanding a source argument into the objects or files it names, each with
 * its path relative to what is being copied. As with mc and rsync, a folder
 * given with a trailing `/` contributes its contents; without it, the
 * folder itself (its name becomes the first path segment at the target).
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Context } from "../core/context.ts";
import { CliError, usageError } from "../core/errors.ts";
import { folderPrefix, remotePath, type Location } from "../core/location.ts";
import type { ObjectEntry } from "./entries.ts";
import { headEntry, headObject } from "./head.ts";
import { localFileEntry, walkLocal } from "./list-local.ts";
import { listObjects } from "./list-remote.ts";
import type { Endpoint } from "./transfer.ts";

/** One object or file to transfer. */
export interface SourceItem {
  endpoint: Endpoint;
  entry: ObjectEntry;
  /** Path under the copied folder (the file's name for a single file). */
  relative: string;
  /** How to show it: alias/bucket/key or the local path. */
  display: string;
}

/** The items one source argument names. */
export async function* expandSource(
  ctx: Context,
  location: Location,
  options: { recursive: boolean; versionId?: string },
): AsyncGenerator<SourceItem> {
  if (location.kind === "local") {
    const info = await stat(location.path);
    if (info.isFile()) {
      const entry = await localFileEntry(location.path, basename(location.path));
      yield {
        endpoint: { kind: "local", path: location.path },
        entry,
        relative: entry.key,
        display: location.raw,
      };
      return;
    }
    if (!options.recursive) throw usageError(`${location.raw} is a folder (use -r).`);
    const base = location.raw.endsWith("/") ? "" : `${basename(location.path)}/`;
    for await (const item of walkLocal(location.path, { recursive: true })) {
      if (item.type !== "object") continue;
      yield {
        endpoint: { kind: "local", path: item.entry.path },
        entry: item.entry,
        relative: base + item.entry.key,
        display: item.entry.path,
      };
    }
    return;
  }

  if (location.bucket === "") throw usageError(`${location.raw} names no bucket.`);
  const client = ctx.s3(location.alias);
  const single = (entry: ObjectEntry): SourceItem => ({
    endpoint: {
      kind: "remote",
      alias: location.alias,
      client,
      bucket: location.bucket,
      key: entry.key,
      versionId: options.versionId,
    },
    entry,
    relative: entry.key.slice(entry.key.lastIndexOf("/") + 1),
    display: remotePath(location.alias, location.bucket, entry.key),
  });
  const headed = async (key: string) => {
    const target = { bucket: location.bucket, key, versionId: options.versionId };
    const head = await headObject(client, target, location.raw, ctx.signal);
    return single(headEntry(key, head));
  };
  if (!options.recursive) {
    if (location.key === "" || location.key.endsWith("/")) {
      throw usageError(`${location.raw} is a folder (use -r).`);
    }
    yield await headed(location.key);
    return;
  }

  const prefix = folderPrefix(location.key);
  const last = location.key.replace(/\/$/, "").split("/").pop() || location.bucket;
  const base = location.raw.endsWith("/") ? "" : `${last}/`;
  let found = false;
  for await (const item of listObjects(client, location.bucket, prefix, {
    recursive: true,
    signal: ctx.signal,
  })) {
    if (item.type !== "object" || item.entry.key.endsWith("/")) continue;
    found = true;
    yield {
      ...single(item.entry),
      relative: base + item.entry.key.slice(prefix.length),
    };
  }
  if (!found && location.key !== "" && !location.key.endsWith("/")) {
    yield await headed(location.key);
  } else if (!found && location.key !== "") {
    throw new CliError("NoSuchKey", `Nothing found at ${location.raw}.`);
  }
}
