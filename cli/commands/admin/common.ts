/** Helpers shared by the admin commands. */
import { readFile } from "node:fs/promises";
import type { Context } from "../../core/context.ts";
import { CliError, usageError } from "../../core/errors.ts";

/** The alias named by an ALIAS argument (a trailing `/` is allowed). */
export function aliasArgument(ctx: Context, raw: string): string {
  const location = ctx.location(raw);
  if (location.kind !== "remote" || location.bucket !== "") {
    throw usageError(`Expected an ALIAS, not "${raw}" (see floe alias ls).`);
  }
  return location.alias;
}

/** A path segment for an admin route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Reads a JSON policy document from a file (`-` for stdin). */
export async function readPolicyFile(path: string): Promise<Record<string, unknown>> {
  const text = path === "-" ? await readStdin() : await readFile(path, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError("MalformedPolicy", `${path} is not valid JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError("MalformedPolicy", `${path} does not hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
