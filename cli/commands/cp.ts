/**
 * `floe cp`: copy files and objects between local folders and S3 endpoints,
 * in any direction. Large files go up in parts (lib-storage). With several
 * sources or -r the target is a folder. JSON, one record per file: type
 * "copy", source, target, size, etag, versionId.
 */
import type { Command } from "@commander-js/extra-typings";
import { stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { parseAttributes, parseTags } from "../core/attributes.ts";
import { contextOf, type Context } from "../core/context.ts";
import { CliError, describeError, usageError, type ErrorReport } from "../core/errors.ts";
import { humanBytes } from "../core/format.ts";
import { positiveInteger, withExamples } from "../core/help.ts";
import { folderPrefix, remotePath, type Location } from "../core/location.ts";
import { runPool } from "../core/pool.ts";
import { Progress } from "../core/progress.ts";
import { expandSource, type SourceItem } from "../storage/sources.ts";
import { copyObject, type CopyOptions, type Endpoint } from "../storage/transfer.ts";

interface Job {
  item: SourceItem;
  target: Endpoint;
  display: string;
}

/** Registers `cp`. */
export function registerCp(program: Command): void {
  withExamples(
    program
      .command("cp")
      .description("copy files and objects (local ↔ remote, remote ↔ remote)")
      .argument("<paths...>", "SOURCE... TARGET")
      .option("-r, --recursive", "copy folders and prefixes")
      .option("--attr <attributes>", 'headers and metadata: "Content-Type=text/plain;key=value"')
      .option("--tags <tags>", 'object tags: "key=value&key2=value2"')
      .option("--version-id <id>", "copy this version of the source object")
      .option("--concurrency <n>", "files copied at once", positiveInteger, 4)
      .action(async (paths, options, command) => {
        const ctx = contextOf(command);
        if (paths.length < 2) throw usageError("cp needs a SOURCE and a TARGET.");
        const sources = paths.slice(0, -1).map((raw) => ctx.location(raw));
        const target = ctx.location(paths[paths.length - 1]);
        const recursive = options.recursive === true;
        if (options.versionId && (recursive || sources.length > 1)) {
          throw usageError("--version-id copies one object: give one source and no -r.");
        }
        const copyOptions: CopyOptions = {
          attributes: options.attr !== undefined ? parseAttributes(options.attr) : undefined,
          tags: options.tags !== undefined ? parseTags(options.tags) : undefined,
          signal: ctx.signal,
        };
        const asFolder = recursive || sources.length > 1 || (await isFolder(target));
        const jobs: Job[] = [];
        for (const source of sources) {
          const items = expandSource(ctx, source, { recursive, versionId: options.versionId });
          for await (const item of items) jobs.push(planJob(ctx, item, target, asFolder));
        }
        await runCopies(ctx, jobs, copyOptions, options.concurrency);
      }),
    "floe cp ./holiday.jpg local/photos/",
    "floe cp local/photos/holiday.jpg ./copy.jpg",
    "floe cp -r ./site/ local/www/",
    "floe cp --attr 'Cache-Control=max-age=60;owner=ana' --tags 'team=web' index.html local/www/",
    "floe cp local/photos/a.jpg other/archive/2024/a.jpg",
  );
}

async function isFolder(target: Location): Promise<boolean> {
  if (target.kind === "remote") return target.key === "" || target.key.endsWith("/");
  if (target.raw.endsWith("/")) return true;
  const info = await stat(target.path).catch(() => undefined);
  return info?.isDirectory() ?? false;
}

function planJob(ctx: Context, item: SourceItem, target: Location, asFolder: boolean): Job {
  if (target.kind === "remote") {
    if (target.bucket === "") throw usageError(`${target.raw} names no bucket.`);
    const key = asFolder ? folderPrefix(target.key) + item.relative : target.key;
    return {
      item,
      target: {
        kind: "remote",
        alias: target.alias,
        client: ctx.s3(target.alias),
        bucket: target.bucket,
        key,
      },
      display: remotePath(target.alias, target.bucket, key),
    };
  }
  const path = asFolder ? join(target.path, ...item.relative.split("/")) : target.path;
  if (asFolder && !resolve(path).startsWith(target.path + sep)) {
    throw new CliError("InvalidKey", `${item.display} would be written outside ${target.raw}.`);
  }
  return { item, target: { kind: "local", path }, display: path };
}

async function runCopies(
  ctx: Context,
  jobs: Job[],
  options: CopyOptions,
  concurrency: number,
): Promise<void> {
  const total = jobs.reduce((sum, job) => sum + Math.max(0, job.item.entry.size), 0);
  const progress = Progress.start(ctx.output, total, jobs.length);
  const failures: ErrorReport[] = [];
  try {
    await runPool(jobs, concurrency, async (job) => {
      try {
        const result = await copyObject(job.item.endpoint, job.target, {
          ...options,
          onBytes: (bytes) => progress.add(bytes),
        });
        progress.fileDone();
        ctx.output.event(
          {
            type: "copy",
            source: job.item.display,
            target: job.display,
            size: result.size,
            etag: result.etag,
            versionId: result.versionId,
          },
          `\`${job.item.display}\` -> \`${job.display}\` (${humanBytes(result.size)})`,
        );
      } catch (error) {
        if (jobs.length === 1 || ctx.signal.aborted) throw error;
        const report = describeError(error);
        failures.push(report);
        ctx.output.warn({ code: report.code, message: `${job.item.display}: ${report.message}` });
      }
    });
  } finally {
    progress.stop();
  }
  if (ctx.output.interactive && jobs.length > 0) {
    ctx.output.result({}, progress.summary("Copied", jobs.length - failures.length, total));
  }
  if (failures.length > 0) {
    throw new CliError(
      failures[0].code,
      `${failures.length} of ${jobs.length} file(s) failed to copy; the first: ${failures[0].message}`,
    );
  }
}
