/**
 * The JSON shapes of listed things, one place so every command prints the
 * same field names (documented in docs/cli.md):
 * - object: type "file", key, path, size, lastModified (ISO 8601), etag,
 *   storageClass, and with versions versionId, isLatest, isDeleteMarker;
 * - folder: type "folder", key, path;
 * - bucket: type "bucket", key, path, lastModified.
 */
import { humanBytes, humanTime } from "../core/format.ts";
import type { ObjectEntry } from "./entries.ts";

export type JsonValue = string | number | boolean | undefined;

/** The JSON record of an object (or a version, or a local file). */
export function fileRecord(
  entry: ObjectEntry,
  key: string,
  path: string,
): Record<string, JsonValue> {
  const record: Record<string, JsonValue> = {
    type: "file",
    key,
    path,
    size: entry.size,
    lastModified: entry.lastModified.toISOString(),
    etag: entry.etag,
    storageClass: entry.storageClass,
  };
  if (entry.versionId !== undefined) {
    record.versionId = entry.versionId;
    record.isLatest = entry.isLatest ?? false;
    record.isDeleteMarker = entry.isDeleteMarker ?? false;
  }
  return record;
}

/** The JSON record of a folder (a common prefix or a local directory). */
export function folderRecord(key: string, path: string): Record<string, JsonValue> {
  return { type: "folder", key, path };
}

const SIZE_WIDTH = 7;
const BLANK_TIME = " ".repeat(25);

/** `[2024-05-01 10:00:00 UTC]  1.2KiB STANDARD name` */
export function fileLine(entry: ObjectEntry, name: string, withVersions = false): string {
  const time = `[${humanTime(entry.lastModified)}]`;
  const size = humanBytes(entry.size).padStart(SIZE_WIDTH);
  const storageClass = (entry.storageClass ?? "STANDARD").padEnd(8);
  if (!withVersions) return `${time} ${size} ${storageClass} ${name}`;
  const kind = entry.isDeleteMarker ? "DEL" : "PUT";
  const latest = entry.isLatest ? " (latest)" : "";
  return `${time} ${size} ${storageClass} ${entry.versionId ?? "null"} ${kind} ${name}${latest}`;
}

/** A folder line, aligned with file lines. */
export function folderLine(name: string): string {
  return `${BLANK_TIME} ${"0B".padStart(SIZE_WIDTH)} ${name}`;
}

/** A bucket line. */
export function bucketLine(name: string, created?: Date): string {
  const time = created ? `[${humanTime(created)}]` : BLANK_TIME;
  return `${time} ${"0B".padStart(SIZE_WIDTH)} ${name}/`;
}
