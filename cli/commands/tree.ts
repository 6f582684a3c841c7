/**
 * `floe tree`: the folder hierarchy under a path, drawn like tree(1);
 * `--files` adds the objects. JSON, one record per node: type ("folder" or
 * "file"), key (relative path), path, depth; files add size.
 */
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../core/context.ts";
import { humanBytes } from "../core/format.ts";
import { positiveInteger, withExamples } from "../core/help.ts";
import { compareKeys } from "../storage/entries.ts";
import { rootPath, walkLocation } from "../storage/walk.ts";

interface Node {
  children: Map<string, Node>;
  size?: number;
}

/** Registers `tree`. */
export function registerTree(program: Command): void {
  withExamples(
    program
      .command("tree")
      .description("show folders (and with --files, objects) as a tree")
      .argument("<path>", "ALIAS/BUCKET[/PREFIX] or local folder")
      .option("-f, --files", "include objects")
      .option("-d, --depth <n>", "stop at this depth", positiveInteger)
      .action(async (path, options, command) => {
        const ctx = contextOf(command);
        const location = ctx.location(path);
        const root: Node = { children: new Map() };
        for await (const found of walkLocation(ctx, location)) {
          const segments = found.relative.split("/");
          const folders = segments.slice(0, -1);
          let node = root;
          for (const segment of folders) {
            let child = node.children.get(`${segment}/`);
            if (!child) node.children.set(`${segment}/`, (child = { children: new Map() }));
            node = child;
          }
          if (options.files) {
            node.children.set(segments[segments.length - 1], {
              children: new Map(),
              size: found.entry.size,
            });
          }
        }
        const top = rootPath(location);
        if (!ctx.output.json) ctx.output.result({}, top);
        const draw = (node: Node, prefix: string, relative: string, depth: number) => {
          if (options.depth !== undefined && depth > options.depth) return;
          const names = [...node.children.keys()].sort(compareKeys);
          names.forEach((name, index) => {
            const child = node.children.get(name)!;
            const last = index === names.length - 1;
            const key = relative + name;
            const isFile = child.size !== undefined;
            const label = isFile
              ? `${name} (${humanBytes(child.size ?? 0)})`
              : name.replace(/\/$/, "");
            ctx.output.result(
              {
                type: isFile ? "file" : "folder",
                key,
                path: `${top.replace(/\/$/, "")}/${key}`,
                depth,
                ...(isFile ? { size: child.size } : {}),
              },
              `${prefix}${last ? "└─ " : "├─ "}${label}`,
            );
            draw(child, `${prefix}${last ? "   " : "│  "}`, key, depth + 1);
          });
        };
        draw(root, "", "", 1);
      }),
    "floe tree local/photos",
    "floe tree --files --depth 2 local/photos",
  );
}
