/**
 * Object lock rules, as S3 applies them. A version under retention cannot be
 * deleted before its retain-until date: COMPLIANCE never, GOVERNANCE only
 * with x-amz-bypass-governance-retention (and the permission for it). A
 * legal hold blocks deletion whatever the retention. Retention may always be
 * extended; shortening it, removing it or changing its mode is refused
 * under COMPLIANCE, and needs the bypass under GOVERNANCE.
 */
import type { VersionRecord } from "../../shared/types/version-record.ts";

export type Retention = NonNullable<VersionRecord["retention"]>;

/** True when the version may be deleted now. */
export function mayDelete(
  record: VersionRecord,
  bypassGovernance: boolean,
  now = Date.now(),
): boolean {
  if (record.legalHold) return false;
  const retention = record.retention;
  if (!retention || retention.retainUntil <= now) return true;
  return retention.mode === "GOVERNANCE" && bypassGovernance;
}

/** True when `next` may replace the version's current retention. */
export function mayChangeRetention(
  current: Retention | undefined,
  next: Retention | undefined,
  bypassGovernance: boolean,
  now = Date.now(),
): boolean {
  if (!current || current.retainUntil <= now) return true;
  const extends_ =
    next !== undefined && next.mode === current.mode && next.retainUntil >= current.retainUntil;
  if (extends_) return true;
  return current.mode === "GOVERNANCE" && bypassGovernance;
}
