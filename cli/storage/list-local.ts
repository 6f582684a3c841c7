/**
 * Walking a local folder as if it were a bucket: files become objects keyed
 * by their path under the root with `/` separators, in the same byte order
 * S3 lists keys (a directory sorts as its name plus `/`). Symbolic links to
 * files are followed; links to directories are not, so a walk cannot loop.
 * Temporary files of unfinished downloads are never listed.
 */
import { readdir, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { compareKeys, type ObjectEntry } from "./entries.ts";
import { isPartialFile } from "./local-files.ts";

/** A local file with its absolute path. */
export interface LocalEntry extends ObjectEntry {
  path: string;
}

export type LocalListItem = { type: "object"; entry: LocalEntry } | { type: "prefix"; key: string };

/** Files (and, unless recursive, folders) under `root`, keys relative to it. */
export async function* walkLocal(
  root: string,
  options: { recursive: boolean },
  prefix = "",
): AsyncGenerator<LocalListItem> {
  const children = await readdir(root, { withFileTypes: true });
  const named = await Promise.all(
    children
      .filter((child) => !isPartialFile(child.name))
      .map(async (child) => {
        const path = join(root, child.name);
        const isDir = child.isDirectory();
        const info = child.isSymbolicLink() ? await stat(path).catch(() => undefined) : undefined;
        const file = child.isFile() || (info?.isFile() ?? false);
        return {
          name: child.name,
          path,
          isDir,
          file,
          sortKey: isDir ? `${child.name}/` : child.name,
        };
      }),
  );
  named.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
  for (const child of named) {
    const key = prefix + child.name.split(sep).join("/");
    if (child.isDir) {
      if (options.recursive) yield* walkLocal(child.path, options, `${key}/`);
      else yield { type: "prefix", key: `${key}/` };
    } else if (child.file) {
      const info = await stat(child.path);
      const entry: LocalEntry = {
        key,
        size: info.size,
        lastModified: info.mtime,
        path: child.path,
      };
      yield { type: "object", entry };
    }
  }
}

/** The entry for one local file. */
export async function localFileEntry(path: string, key: string): Promise<LocalEntry> {
  const info = await stat(path);
  return { key, size: info.size, lastModified: info.mtime, path };
}
