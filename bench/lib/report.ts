/**
 * Bench plumbing for results: Markdown tables, formatted with the project's
 * Prettier settings (so `npm run format:check` stays green), and replacing
 * one "## …" section of a Markdown document while leaving every other
 * section as it is.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { format, resolveConfig } from "prettier";

/** A Markdown table; `align` is "l" or "r" per column. */
export function table(header: string[], align: string, rows: string[][]): string {
  const rule = header.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** Formats Markdown as `npx prettier --write` would format it inside `path`. */
export async function formatMarkdown(markdown: string, path: string): Promise<string> {
  const config = (await resolveConfig(path)) ?? {};
  return format(markdown, { ...config, parser: "markdown" });
}

/**
 * Puts `body` under `heading` (a "## " line) in the Markdown file at `path`:
 * replaces that section (up to the next "## " heading) if it exists, else
 * appends it; creates the file with `title` if it is missing.
 */
export function writeSection(path: string, title: string, heading: string, body: string): void {
  const doc = existsSync(path) ? readFileSync(path, "utf8") : `# ${title}\n`;
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = doc.split("\n");
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  if (start < 0) {
    writeFileSync(path, `${doc.trimEnd()}\n\n${section}`);
    return;
  }
  let end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join("\n").trimEnd();
  const after = lines.slice(end).join("\n").trim();
  writeFileSync(path, `${before}\n\n${section}${after ? `\n${after}\n` : ""}`);
}
