/**
 * Durable Objects are leaves: code under durable-objects/ imports only
 * shared/ and durable-objects/, and neither tree has an import cycle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(root, folder, file));
}

/** The files a module imports (static imports and re-exports, types included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:import|export)[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gs)].map((match) =>
    resolve(dirname(file), match[1]),
  );
}

function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") found.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found.map((cycle) => cycle.map((file) => relative(root, file)));
}

describe("Durable Object imports", () => {
  const files = sources("durable-objects");

  it("reach only shared/ and durable-objects/", () => {
    const outside = files.flatMap((file) =>
      importsOf(file)
        .map((target) => relative(root, target))
        .filter((target) => !/^(shared|durable-objects)\//.test(target))
        .map((target) => `${relative(root, file)} -> ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it("form no cycle, nor do shared/'s", () => {
    expect(cycles([...files, ...sources("shared")])).toEqual([]);
  });
});
