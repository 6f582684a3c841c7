/**
 * The human form of the admin API's `replication/verify` answer (its schema:
 * verifyReportSchema, shared/admin-api/replication.ts). The server compares
 * the full replicated state of every version here and on a remote target by
 * range digests, comparing version by version only the ranges whose digests
 * differ. A difference names one version: "missing-on-remote" (here, not on
 * the target), "missing-here" (on the target only) or "different" (same
 * version id; `fields` names what differs: etag, size, mtime, storageClass,
 * contentType, a content header, userMetadata, tags, checksums, retention,
 * legalHold, deleteMarker). With --fix the answer also says what was
 * requeued.
 */
import {
  type VerifyReport,
  type VersionStateSummary as VersionState,
} from "../../shared/admin-api/replication.ts";
import { humanBytes, table } from "../core/format.ts";

/** `1.0KiB "etag"`, `delete marker`, or `-` when the side lacks the version. */
function sideText(line: VersionState | null): string {
  if (!line) return "-";
  return line.deleteMarker ? "delete marker" : `${humanBytes(line.size)} ${line.etag}`;
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** "12 versions of 10 keys compared", with the prefix when one was given. */
export function comparedText(report: VerifyReport): string {
  const under = report.prefix === "" ? "" : ` under ${report.prefix}`;
  return `${counted(report.versionsCompared, "version")} of ${counted(report.keysCompared, "key")} compared${under}`;
}

function fixText(report: VerifyReport): string[] {
  if (!report.fix) return [];
  const { requeued, removedOnRemote, notFixed } = report.fix;
  const lines = [
    `fix: ${requeued} version(s) requeued for the target (${removedOnRemote} differing remote copies removed first); run verify again once replication caught up`,
  ];
  for (const item of notFixed)
    lines.push(`not fixed: ${item.key} ${item.versionId}: ${item.reason}`);
  return lines;
}

/** The human answer: one "equal:" line, or the differences as a table and a summary line. */
export function verifyText(report: VerifyReport): string {
  if (report.equal) return `equal: ${comparedText(report)}`;
  const rows = report.differences.map((d) => [
    d.problem,
    d.key,
    d.versionId,
    d.fields.length > 0 ? d.fields.join(",") : "-",
    sideText(d.here),
    sideText(d.remote),
  ]);
  const count = report.differences.length;
  const more = report.truncated ? " (the comparison stopped there)" : "";
  return [
    table([["PROBLEM", "KEY", "VERSION", "FIELDS", "HERE", "REMOTE"], ...rows]),
    `different: ${count} version(s)${more}; ${comparedText(report)}`,
    ...fixText(report),
  ].join("\n");
}
