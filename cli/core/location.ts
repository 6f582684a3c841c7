/**
 * Command arguments name places the way mc does: `ALIAS/BUCKET/KEY` when the
 * first segment is a known alias, otherwise a local path. A path starting
 * with `/`, `.` or `~` is always local. A trailing `/` on a remote path
 * means "a folder": `local/photos/2024/` is a prefix, not a key.
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { usageError } from "./errors.ts";

export interface LocalLocation {
  kind: "local";
  /** The path as given. */
  raw: string;
  /** The absolute path. */
  path: string;
}

export interface RemoteLocation {
  kind: "remote";
  raw: string;
  alias: string;
  /** Empty for the alias itself (the list of buckets). */
  bucket: string;
  /** Empty for the bucket itself. */
  key: string;
}

export type Location = LocalLocation | RemoteLocation;

/** Parses one path argument; `isAlias` says whether a name is a defined alias. */
export function parseLocation(raw: string, isAlias: (name: string) => boolean): Location {
  if (raw === "") throw usageError("Empty path.");
  const local = /^([/.~]|[A-Za-z]:\\)/.test(raw);
  const slash = raw.indexOf("/");
  const first = slash === -1 ? raw : raw.slice(0, slash);
  if (!local && isAlias(first)) {
    const rest = slash === -1 ? "" : raw.slice(slash + 1);
    const bucketEnd = rest.indexOf("/");
    const bucket = bucketEnd === -1 ? rest : rest.slice(0, bucketEnd);
    const key = bucketEnd === -1 ? "" : rest.slice(bucketEnd + 1);
    return { kind: "remote", raw, alias: first, bucket, key };
  }
  const expanded = raw === "~" || raw.startsWith("~/") ? homedir() + raw.slice(1) : raw;
  return { kind: "local", raw, path: resolve(expanded) };
}

/** The display form `alias/bucket/key`. */
export function remotePath(alias: string, bucket: string, key = ""): string {
  return [alias, bucket, key].filter((part, i) => i < 2 || part !== "").join("/");
}

/** A remote location that must name a bucket (and may name a key). */
export function requireBucket(location: Location, command: string): RemoteLocation {
  if (location.kind !== "remote" || location.bucket === "") {
    throw usageError(`${command} needs ALIAS/BUCKET, not "${location.raw}".`);
  }
  return location;
}

/** A remote location that must name a bucket and nothing under it. */
export function requireBucketOnly(location: Location, command: string): RemoteLocation {
  const remote = requireBucket(location, command);
  if (remote.key !== "") throw usageError(`${command} needs ALIAS/BUCKET, not "${location.raw}".`);
  return remote;
}

/** The prefix under which a folder-like location's objects live ("" or ending in "/"). */
export function folderPrefix(key: string): string {
  return key === "" || key.endsWith("/") ? key : `${key}/`;
}
