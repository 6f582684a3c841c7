/**
 * When mirror copies an object again. Sizes must match. Two plain MD5
 * ETags (single-part uploads) settle it by content. Otherwise (a local file
 * has no ETag, and a multipart ETag depends on the part size the writer
 * chose) the target is up to date unless the source is newer than it:
 * mirror sets a downloaded file's mtime to the object's Last-Modified, and
 * an upload is always newer than the file it came from. Times compare in
 * whole seconds, the precision of HTTP dates.
 */
import type { ObjectEntry } from "../storage/entries.ts";

const PLAIN_MD5 = /^[0-9a-f]{32}$/i;

/** True when `target` does not hold what `source` holds. */
export function differs(source: ObjectEntry, target: ObjectEntry): boolean {
  if (source.size !== target.size) return true;
  const a = source.etag;
  const b = target.etag;
  if (a && b && PLAIN_MD5.test(a) && PLAIN_MD5.test(b)) return a.toLowerCase() !== b.toLowerCase();
  return seconds(source.lastModified) > seconds(target.lastModified);
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
