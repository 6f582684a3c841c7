/**
 * `floe find`: objects (or files) under a path that match every filter
 * given: name or path glob, size bounds, age bounds. Prints one path per
 * line; JSON records are the `ls` file records.
 */
import type { Command } from "@commander-js/extra-typings";
import picomatch from "picomatch";
import { contextOf } from "../core/context.ts";
import { withExamples } from "../core/help.ts";
import { parseDuration, parseSize } from "../core/units.ts";
import type { ObjectEntry } from "../storage/entries.ts";
import { fileRecord } from "../storage/records.ts";
import { walkLocation } from "../storage/walk.ts";

/** Filters of `find`, as given on the command line. */
export interface FindFilters {
  name?: string;
  path?: string;
  larger?: string;
  smaller?: string;
  olderThan?: string;
  newerThan?: string;
}

/** A predicate over (entry, relative key) that accepts what every filter accepts. */
export function buildFilter(
  filters: FindFilters,
  now = Date.now(),
): (entry: ObjectEntry, relative: string) => boolean {
  const name = filters.name ? picomatch(filters.name, { dot: true }) : undefined;
  const path = filters.path ? picomatch(filters.path, { dot: true }) : undefined;
  const larger = filters.larger !== undefined ? parseSize(filters.larger) : undefined;
  const smaller = filters.smaller !== undefined ? parseSize(filters.smaller) : undefined;
  const olderThan = filters.olderThan ? parseDuration(filters.olderThan) : undefined;
  const newerThan = filters.newerThan ? parseDuration(filters.newerThan) : undefined;
  return (entry, relative) => {
    const base = relative.slice(relative.lastIndexOf("/") + 1);
    if (name && !name(base)) return false;
    if (path && !path(relative)) return false;
    if (larger !== undefined && entry.size <= larger) return false;
    if (smaller !== undefined && entry.size >= smaller) return false;
    const age = now - entry.lastModified.getTime();
    if (olderThan !== undefined && age <= olderThan) return false;
    if (newerThan !== undefined && age >= newerThan) return false;
    return true;
  };
}

/** Registers `find`. */
export function registerFind(program: Command): void {
  withExamples(
    program
      .command("find")
      .description("find objects or files by name, size and age")
      .argument("<path>", "ALIAS/BUCKET[/PREFIX] or local folder")
      .option("--name <glob>", 'base name matches the glob, e.g. "*.jpg"')
      .option("--path <glob>", 'path under PATH matches the glob, e.g. "2024/**/*.jpg"')
      .option("--larger <size>", "larger than the size, e.g. 10MB, 1GiB")
      .option("--smaller <size>", "smaller than the size")
      .option("--older-than <age>", "last modified longer ago than, e.g. 7d, 2h30m")
      .option("--newer-than <age>", "last modified more recently than")
      .action(async (path, options, command) => {
        const ctx = contextOf(command);
        const accept = buildFilter(options);
        for await (const found of walkLocation(ctx, ctx.location(path))) {
          if (!accept(found.entry, found.relative)) continue;
          ctx.output.result(fileRecord(found.entry, found.relative, found.path), found.path);
        }
      }),
    'floe find local/photos --name "*.jpg" --larger 1MB',
    "floe find local/logs --older-than 30d",
    'floe find ./backup --path "2024/**" --newer-than 2h',
  );
}
