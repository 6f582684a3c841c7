/**
 * `floe du`: total size and object count under a path, optionally broken
 * down by folder to a depth. JSON fields: type "du", path, size, objects.
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../core/context.ts";
import { humanBytes } from "../core/format.ts";
import { positiveInteger, withExamples } from "../core/help.ts";
import { rootPath, walkLocation } from "../storage/walk.ts";

interface Usage {
  size: number;
  objects: number;
}

/** Registers `du`. */
export function registerDu(program: Command): void {
  withExamples(
    program
      .command("du")
      .description("disk usage: total size and object count")
      .argument("<path>", "ALIAS/BUCKET[/PREFIX] or local folder")
      .option("-d, --depth <n>", "also show each folder down to this depth", positiveInteger)
      .option("--versions", "count every version, not only current objects")
      .action(async (path, options, command) => {
        const ctx = contextOf(command);
        const location = ctx.location(path);
        const root = rootPath(location);
        const totals = new Map<string, Usage>();
        const add = (folder: string, size: number) => {
          const usage = totals.get(folder) ?? { size: 0, objects: 0 };
          usage.size += size;
          usage.objects += 1;
          totals.set(folder, usage);
        };
        for await (const found of walkLocation(ctx, location, { versions: options.versions })) {
          add("", found.entry.size);
          const segments = found.relative.split("/").slice(0, -1);
          for (let depth = 1; depth <= Math.min(options.depth ?? 0, segments.length); depth++) {
            add(segments.slice(0, depth).join("/"), found.entry.size);
          }
        }
        if (!totals.has("")) totals.set("", { size: 0, objects: 0 });
        const folders = [...totals.keys()].filter((f) => f !== "").sort();
        for (const folder of [...folders, ""]) {
          const usage = totals.get(folder)!;
          const shown = folder === "" ? root : `${root.replace(/\/$/, "")}/${folder}`;
          ctx.output.result(
            { type: "du", path: shown, size: usage.size, objects: usage.objects },
            `${humanBytes(usage.size).padStart(8)}  ${String(usage.objects).padStart(6)} object(s)  ${shown}`,
          );
        }
      }),
    "floe du local/photos",
    "floe du --depth 1 local/photos",
    "floe du --versions --json local/backups",
  );
}
