/**
 * What `replicate verify` calls a difference between two states of one
 * version (shared/replication/digest.ts): the names of the fields that
 * differ, `deleteMarker`, `mtime`, `etag`, `size`, `storageClass`,
 * `contentType`, each stored content header by its name
 * (`content-encoding`, `content-disposition`, `content-language`,
 * `cache-control`, `expires`), `userMetadata`, `tags`, `checksums`,
 * `retention` and `legalHold`. Keys are ordered as both sites' indexes
 * order them: by UTF-8 bytes, which is code point order.
 */
import type { VersionState } from "../../../shared/replication/digest.ts";

/** Fields a metadata-only replication carries; a difference in others needs the whole version. */
export const METADATA_FIELDS: ReadonlySet<string> = new Set(["tags", "retention", "legalHold"]);

const SCALARS = ["deleteMarker", "mtime", "etag", "size", "storageClass", "contentType"] as const;
const MAPS = ["userMetadata", "tags", "checksums"] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields in which two states of the same version id differ (none when equal). */
export function differingFields(here: VersionState, remote: VersionState): string[] {
  const fields: string[] = [];
  for (const name of SCALARS) if (here[name] !== remote[name]) fields.push(name);
  const headerNames = [...new Set([...Object.keys(here.headers), ...Object.keys(remote.headers)])];
  for (const name of headerNames.sort())
    if (here.headers[name] !== remote.headers[name]) fields.push(name);
  for (const name of MAPS) if (!same(here[name], remote[name])) fields.push(name);
  if (!same(here.retention, remote.retention)) fields.push("retention");
  if (here.legalHold !== remote.legalHold) fields.push("legalHold");
  return fields;
}

/** Compares two keys as SQLite's BINARY collation does (UTF-8 bytes, i.e. code points). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
