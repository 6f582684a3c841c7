/**
 * `floe cat` streams objects (or files) to stdout; `floe head` prints the
 * first lines of one and stops reading there. Output is the raw bytes, in
 * --json mode too.
 */
import type { Command } from "@commander-js/extra-typings";
import type { Readable } from "node:stream";
import { contextOf } from "../core/context.ts";
import { positiveInteger, withExamples } from "../core/help.ts";
import { openRead } from "../storage/read.ts";

/** Registers `cat` and `head`. */
export function registerCat(program: Command): void {
  withExamples(
    program
      .command("cat")
      .description("print objects or files to stdout")
      .argument("<sources...>", "ALIAS/BUCKET/KEY or local path")
      .option("--version-id <id>", "print this version")
      .action(async (sources, options, command) => {
        const ctx = contextOf(command);
        for (const raw of sources) {
          const body = await openRead(ctx, ctx.location(raw), options.versionId);
          await copyTo(body, process.stdout);
        }
      }),
    "floe cat local/config/app.json",
    "floe cat local/logs/a.log local/logs/b.log | grep ERROR",
  );

  withExamples(
    program
      .command("head")
      .description("print the first lines of an object")
      .argument("<source>", "ALIAS/BUCKET/KEY or local path")
      .option("-n, --lines <n>", "number of lines", positiveInteger, 10)
      .option("--version-id <id>", "print this version")
      .action(async (source, options, command) => {
        const ctx = contextOf(command);
        const body = await openRead(ctx, ctx.location(source), options.versionId);
        await firstLines(body, options.lines, process.stdout);
      }),
    "floe head local/logs/app.log",
    "floe head -n 1 local/data/table.csv",
  );
}

/** Writes a stream to `out` with back-pressure, leaving `out` open. */
async function copyTo(body: Readable, out: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of body) {
    if (!out.write(chunk as Buffer)) {
      await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
  }
}

/** Writes the first `lines` lines, then stops reading. */
async function firstLines(body: Readable, lines: number, out: NodeJS.WritableStream) {
  let remaining = lines;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    let end = 0;
    while (remaining > 0 && end < buffer.length) {
      const newline = buffer.indexOf(10, end);
      if (newline === -1) {
        end = buffer.length;
        break;
      }
      end = newline + 1;
      remaining--;
    }
    out.write(buffer.subarray(0, end));
    if (remaining === 0) break;
  }
  body.destroy();
}
