/**
 * One mirror pass, planned: the target is listed into a map, then the source
 * is walked in key order and each object is compared with what the target
 * holds under the same relative key. Missing objects are copied; differing
 * ones are copied with --overwrite and reported as conflicts without it;
 * with --remove, what the target holds and the source does not is removed.
 * Planning reads listings only, never object bodies.
 */
import { CreateBucketCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import picomatch from "picomatch";
import type { Context } from "../core/context.ts";
import { isNotFound, usageError } from "../core/errors.ts";
import { folderPrefix, remotePath, type Location } from "../core/location.ts";
import type { ObjectEntry } from "../storage/entries.ts";
import { walkLocation } from "../storage/walk.ts";
import type { Endpoint } from "../storage/transfer.ts";
import { differs } from "./compare.ts";

export interface MirrorOptions {
  overwrite: boolean;
  remove: boolean;
  dryRun: boolean;
  olderThan?: number;
  newerThan?: number;
  exclude: string[];
}

export interface CopyAction {
  kind: "copy";
  reason: "missing" | "differs";
  relative: string;
  entry: ObjectEntry;
  source: Endpoint;
  sourcePath: string;
  target: Endpoint;
  targetPath: string;
}

export interface RemoveAction {
  kind: "remove";
  relative: string;
  target: Endpoint;
  targetPath: string;
}

export interface ConflictAction {
  kind: "conflict";
  relative: string;
  sourcePath: string;
  targetPath: string;
}

export type MirrorAction = CopyAction | RemoveAction | ConflictAction;

/** Where one relative key lives on a side of the mirror. */
export function endpointAt(
  ctx: Context,
  location: Location,
  relative: string,
  versionId?: string,
): { endpoint: Endpoint; path: string } {
  if (location.kind === "local") {
    const path = join(location.path, ...relative.split("/"));
    if (!resolve(path).startsWith(location.path + sep)) {
      throw usageError(`Key "${relative}" would be written outside ${location.raw}.`);
    }
    return { endpoint: { kind: "local", path }, path };
  }
  const key = folderPrefix(location.key) + relative;
  return {
    endpoint: {
      kind: "remote",
      alias: location.alias,
      client: ctx.s3(location.alias),
      bucket: location.bucket,
      key,
      versionId,
    },
    path: remotePath(location.alias, location.bucket, key),
  };
}

/** Checks the sides can be mirrored; creates a missing target bucket (not in a dry run). */
export async function prepareSides(
  ctx: Context,
  source: Location,
  target: Location,
  options: MirrorOptions,
): Promise<void> {
  for (const side of [source, target]) {
    if (side.kind === "remote" && side.bucket === "") {
      throw usageError(`mirror needs ALIAS/BUCKET[/PREFIX], not "${side.raw}".`);
    }
  }
  if (source.kind === "local" && !(await stat(source.path)).isDirectory()) {
    throw usageError(`${source.raw} is not a folder.`);
  }
  if (target.kind !== "remote" || options.dryRun) return;
  const client = ctx.s3(target.alias);
  try {
    await client.send(new HeadBucketCommand({ Bucket: target.bucket }), {
      abortSignal: ctx.signal,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await client.send(new CreateBucketCommand({ Bucket: target.bucket }), {
      abortSignal: ctx.signal,
    });
  }
}

/** Lists what the target holds, by relative key (empty for a missing target). */
async function targetIndex(ctx: Context, target: Location): Promise<Map<string, ObjectEntry>> {
  const index = new Map<string, ObjectEntry>();
  try {
    for await (const found of walkLocation(ctx, target)) index.set(found.relative, found.entry);
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (isNotFound(error) && target.kind === "remote");
    if (!missing) throw error;
  }
  return index;
}

/** Plans one pass: what to copy, remove, or report as a conflict. */
export async function* planMirror(
  ctx: Context,
  source: Location,
  target: Location,
  options: MirrorOptions,
): AsyncGenerator<MirrorAction> {
  const excluded =
    options.exclude.length > 0 ? picomatch(options.exclude, { dot: true }) : undefined;
  const existing = await targetIndex(ctx, target);
  const now = Date.now();
  const seen = new Set<string>();
  for await (const found of walkLocation(ctx, source)) {
    const relative = found.relative;
    if (relative === "" || relative.endsWith("/")) continue;
    if (excluded?.(relative)) continue;
    seen.add(relative);
    const age = now - found.entry.lastModified.getTime();
    if (options.olderThan !== undefined && age <= options.olderThan) continue;
    if (options.newerThan !== undefined && age >= options.newerThan) continue;
    const there = existing.get(relative);
    if (there && !differs(found.entry, there)) continue;
    const to = endpointAt(ctx, target, relative);
    if (there && !options.overwrite) {
      yield { kind: "conflict", relative, sourcePath: found.path, targetPath: to.path };
      continue;
    }
    const from = endpointAt(ctx, source, relative);
    yield {
      kind: "copy",
      reason: there ? "differs" : "missing",
      relative,
      entry: found.entry,
      source: from.endpoint,
      sourcePath: found.path,
      target: to.endpoint,
      targetPath: to.path,
    };
  }
  if (!options.remove) return;
  for (const relative of existing.keys()) {
    if (seen.has(relative) || excluded?.(relative)) continue;
    const to = endpointAt(ctx, target, relative);
    yield { kind: "remove", relative, target: to.endpoint, targetPath: to.path };
  }
}
