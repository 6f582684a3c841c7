/**
 * HTTP Range for GET, as S3 reads it: one range of the forms `bytes=a-b`,
 * `bytes=a-` and `bytes=-n`. A malformed header or several ranges are
 * ignored (the whole object is served, as S3 does); a range that starts at
 * or past the end is 416 InvalidRange with `Content-Range: bytes *\/size`.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import type { ByteRange } from "../objects/versions.ts";

/** The satisfiable range of `header` for an object of `size` bytes; null = whole object. */
export function parseRange(header: string | null, size: number): ByteRange | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const unsatisfiable = () =>
    new S3Error("InvalidRange", undefined, {
      headers: { "content-range": `bytes */${size}` },
      detail: { RangeRequested: header, ActualObjectSize: String(size) },
    });
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) throw unsatisfiable();
    if (size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return null;
  if (start >= size) throw unsatisfiable();
  return { start, end };
}
