/**
 * The admin API's `replication/verify` answer as the CLI reads it, and its
 * human form. The server compares this site's versions of a bucket with a
 * remote target's by per-prefix digests, descending only into prefixes
 * whose digests differ, so `keysCompared` counts the keys it compared one
 * by one (a folder whose digest matches is compared as a whole).
 * A difference names one version: "missing-on-remote" (here, not on the
 * target), "missing-here" (on the target only) or "different" (same
 * version id, another ETag, size or delete-marker flag).
 */
import { z } from "zod";
import { humanBytes, table } from "../core/format.ts";

const versionLineSchema = z.looseObject({
  versionId: z.string(),
  etag: z.string(),
  size: z.number(),
  deleteMarker: z.boolean(),
});

export type VersionLine = z.infer<typeof versionLineSchema>;

export const differenceSchema = z.looseObject({
  key: z.string(),
  versionId: z.string(),
  problem: z.string(),
  here: versionLineSchema.nullable(),
  remote: versionLineSchema.nullable(),
});

export type Difference = z.infer<typeof differenceSchema>;

export const verifyReportSchema = z.looseObject({
  equal: z.boolean(),
  prefix: z.string(),
  prefixesCompared: z.number(),
  keysCompared: z.number(),
  differences: z.array(differenceSchema),
  truncated: z.boolean(),
});

export type VerifyReport = z.infer<typeof verifyReportSchema>;

/** `1.0KiB "etag"`, `delete marker`, or `-` when the side lacks the version. */
function sideText(line: VersionLine | null): string {
  if (!line) return "-";
  return line.deleteMarker ? "delete marker" : `${humanBytes(line.size)} ${line.etag}`;
}

const counted = (n: number, noun: string) =>
  `${n} ${noun}${n === 1 ? "" : noun.endsWith("x") ? "es" : "s"}`;

/** "12 keys in 3 prefixes compared", with the prefix when one was given. */
export function comparedText(report: VerifyReport): string {
  const under = report.prefix === "" ? "" : ` under ${report.prefix}`;
  return `${counted(report.keysCompared, "key")} in ${counted(report.prefixesCompared, "prefix")} compared${under}`;
}

/** The human answer: one "equal:" line, or the differences as a table and a summary line. */
export function verifyText(report: VerifyReport): string {
  if (report.equal) return `equal: ${comparedText(report)}`;
  const rows = report.differences.map((d) => [
    d.problem,
    d.key,
    d.versionId,
    sideText(d.here),
    sideText(d.remote),
  ]);
  const count = report.differences.length;
  const more = report.truncated ? " (the comparison stopped there)" : "";
  return [
    table([["PROBLEM", "KEY", "VERSION", "HERE", "REMOTE"], ...rows]),
    `different: ${count} version(s)${more}; ${comparedText(report)}`,
  ].join("\n");
}
