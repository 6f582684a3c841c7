/**
 * Object lock rules, as S3 applies them. A version under retention cannot be
 * deleted before its retain-until date: COMPLIANCE never, GOVERNANCE only
 * with x-amz-bypass-governance-retention (and the permission for it). A
 * legal hold blocks deletion whatever the retention. Retention may always be
 * extended; shortening it, removing it or changing its mode is refused
 * under COMPLIANCE, and needs the bypass under GOVERNANCE.
 *
 * Replicas from another site are held to the same rules, here where they
 * are atomic with the write:
 * - a version under retention or legal hold is never replaced by a replica
 *   of the same version id (the caller has already answered an identical
 *   replay as a no-op);
 * - a replicated metadata change may extend retention, keep it, or add a
 *   legal hold; shortening, removing or changing the mode of retention
 *   follows the rule above with the caller's s3:BypassGovernanceRetention
 *   standing in for the bypass, and removing a legal hold needs the
 *   caller's s3:PutObjectLegalHold (the worker decides both permissions).
 */
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { toStored, type VersionRow } from "./schema.ts";
import type { ReplicaMetadataChange } from "../../shared/types/bucket-rpc.ts";

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

/** True when a replica would replace a version held under retention or legal hold. */
export function replacesLockedVersion(sql: SqlStorage, record: VersionRecord): boolean {
  const row = sql
    .exec<VersionRow>(
      "SELECT * FROM versions WHERE key = ? AND version_id = ?",
      record.key,
      record.versionId,
    )
    .toArray()[0];
  return row !== undefined && !mayDelete(toStored(row).record, false);
}

/** True when a replicated metadata change may turn `current`'s lock state into `next`'s. */
export function mayApplyReplicaLock(
  current: VersionRecord,
  next: Pick<VersionRecord, "retention" | "legalHold">,
  rights: Pick<ReplicaMetadataChange, "bypassGovernance" | "releaseLegalHold">,
  now = Date.now(),
): boolean {
  if (!mayChangeRetention(current.retention, next.retention, rights.bypassGovernance, now))
    return false;
  return !(current.legalHold && !next.legalHold && !rights.releaseLegalHold);
}
