/**
 * Writing local files safely: a download goes to a hidden temporary file
 * beside its target (`.NAME.floe-part-RANDOM`) and is renamed into place
 * only when complete, so an interrupted copy never leaves a truncated file
 * that a later mirror would take for done. Listings skip such files.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, utimes } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

const PARTIAL_MARK = ".floe-part-";

/** True for the temporary file of an unfinished download. */
export function isPartialFile(name: string): boolean {
  return name.startsWith(".") && name.includes(PARTIAL_MARK);
}

/** Streams `body` into `path` atomically; sets the file's mtime when given. */
export async function writeFileAtomically(
  path: string,
  body: Readable,
  options: { mtime?: Date; signal?: AbortSignal } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(
    dirname(path),
    `.${basename(path)}${PARTIAL_MARK}${randomBytes(4).toString("hex")}`,
  );
  try {
    await pipeline(body, createWriteStream(temp), { signal: options.signal });
    if (options.mtime) await utimes(temp, options.mtime, options.mtime);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
