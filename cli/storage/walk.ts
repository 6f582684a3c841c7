/**
 * Walking everything under a path, local or remote, for find, du and tree:
 * every object (or version) with its key relative to the path and the full
 * path to show. A remote path is taken as a folder (`photos` means
 * `photos/`); the bucket itself when no key is given.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Context } from "../core/context.ts";
import { usageError } from "../core/errors.ts";
import { folderPrefix, remotePath, type Location } from "../core/location.ts";
import type { ObjectEntry } from "./entries.ts";
import { localFileEntry, walkLocal } from "./list-local.ts";
import { listObjects, listVersions } from "./list-remote.ts";

/** One object found under the walked path. */
export interface WalkedObject {
  entry: ObjectEntry;
  /** Key relative to the walked path. */
  relative: string;
  /** alias/bucket/key, or the local path. */
  path: string;
}

/** The root path as shown (alias/bucket/prefix or the local path). */
export function rootPath(location: Location): string {
  if (location.kind === "local") return location.raw;
  return remotePath(location.alias, location.bucket, location.key.replace(/\/$/, ""));
}

/** Every object under `location`. */
export async function* walkLocation(
  ctx: Context,
  location: Location,
  options: { versions?: boolean } = {},
): AsyncGenerator<WalkedObject> {
  if (location.kind === "local") {
    const info = await stat(location.path);
    if (info.isFile()) {
      const entry = await localFileEntry(location.path, basename(location.path));
      yield { entry, relative: entry.key, path: location.raw };
      return;
    }
    for await (const item of walkLocal(location.path, { recursive: true })) {
      if (item.type === "object") {
        yield { entry: item.entry, relative: item.entry.key, path: item.entry.path };
      }
    }
    return;
  }
  if (location.bucket === "") throw usageError(`${location.raw} names no bucket.`);
  const prefix = folderPrefix(location.key);
  const list = options.versions ? listVersions : listObjects;
  const items = list(ctx.s3(location.alias), location.bucket, prefix, {
    recursive: true,
    signal: ctx.signal,
  });
  for await (const item of items) {
    if (item.type !== "object") continue;
    yield {
      entry: item.entry,
      relative: item.entry.key.slice(prefix.length),
      path: remotePath(location.alias, location.bucket, item.entry.key),
    };
  }
}
