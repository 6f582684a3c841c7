/**
 * `replicate verify --fix`: makes a target hold what this site holds for
 * the versions verify found missing or different there. The source marks
 * them PENDING for the target again (durable-objects/bucket/replication/verify-fix.ts)
 * and the ordinary consumer sends them:
 * - missing on the remote: the version (or delete marker) is sent again,
 *   even one the target deleted after receiving it (the operator asked);
 * - only tags, retention or legal hold differ: a metadata change that this
 *   site's copy wins, except where the remote's object lock is stronger (a
 *   legal hold there, or retention that lasts longer or is COMPLIANCE where
 *   here it is GOVERNANCE): a replica never weakens a lock, so that part is
 *   named in `notFixed` for an operator of the remote to decide;
 * - any other field differs: the remote's copy of that version id is
 *   deleted first (a replica write of a version id the target holds with
 *   the same ETag is a no-op there), then the version is sent again. A
 *   copy the target refuses to delete (object lock) is left as it is and
 *   named in `notFixed`.
 * A version only the remote holds ("missing-here") is never touched: a
 * source does not delete data on its target to match; it is named in
 * `notFixed`, as are versions no enabled rule for the target covers.
 */
import type { TargetCredentials } from "../../../shared/types/remote-target.ts";
import type { VerifyFix } from "../../../shared/types/replication-rpc.ts";
import type { VersionState } from "../../../shared/replication/digest.ts";
import { decidingRule } from "../../../shared/replication/config.ts";
import { replicationConfig } from "../../objects/buckets.ts";
import { requeueVerified } from "../../objects/replication-state.ts";
import { peerTarget } from "../targets/peer-fetch.ts";
import { sendVersionDelete } from "../send/send.ts";
import { METADATA_FIELDS } from "./verify-fields.ts";
import type { Difference } from "./verify.ts";

export interface FixReport {
  /** Versions marked PENDING for the target. */
  requeued: number;
  /** Differing copies removed from the target before their version is sent again. */
  removedOnRemote: number;
  notFixed: { key: string; versionId: string; reason: string }[];
}

const LOCK_STRONGER =
  "the remote's object lock is stronger, and a replica never weakens a lock: an operator of the remote must release it";

/** The lock fields in which the remote's copy is protected more than this site's. */
function lockWeakerHere(here: VersionState, remote: VersionState): string[] {
  const fields: string[] = [];
  if (remote.legalHold && !here.legalHold) fields.push("legalHold");
  const theirs = remote.retention;
  const mine = here.retention;
  if (
    theirs &&
    (!mine ||
      theirs.retainUntil > mine.retainUntil ||
      (theirs.mode === "COMPLIANCE" && mine.mode !== "COMPLIANCE"))
  )
    fields.push("retention");
  return fields;
}

/** Requeues the differences this site can repair (see the module header). */
export async function fixDifferences(
  env: Env,
  bucket: string,
  target: TargetCredentials,
  differences: readonly Difference[],
): Promise<FixReport> {
  const report: FixReport = { requeued: 0, removedOnRemote: 0, notFixed: [] };
  const fixes: VerifyFix[] = [];
  const config = await replicationConfig(env, bucket);
  const outOfScope = "no enabled rule for the target covers it";
  for (const difference of differences) {
    const { key, versionId, here } = difference;
    if (!here) {
      report.notFixed.push({ key, versionId, reason: "only the remote holds this version" });
      continue;
    }
    if (!config || !decidingRule(config, target.arn, key, here.deleteMarker ? {} : here.tags)) {
      report.notFixed.push({ key, versionId, reason: outOfScope });
      continue;
    }
    if (difference.problem === "missing-on-remote") {
      fixes.push({ key, versionId, metadataOnly: false });
      continue;
    }
    if (difference.fields.every((field) => METADATA_FIELDS.has(field))) {
      const weaker = difference.remote ? lockWeakerHere(here, difference.remote) : [];
      if (weaker.length > 0)
        report.notFixed.push({ key, versionId, reason: `${LOCK_STRONGER} (${weaker.join(", ")})` });
      if (difference.fields.some((field) => !weaker.includes(field)))
        fixes.push({ key, versionId, metadataOnly: true });
      continue;
    }
    const removed = await sendVersionDelete(peerTarget(env, target), key, versionId);
    if (!removed.ok) {
      report.notFixed.push({
        key,
        versionId,
        reason: `the remote refused to replace its copy: ${removed.error ?? "error"}`,
      });
      continue;
    }
    report.removedOnRemote++;
    fixes.push({ key, versionId, metadataOnly: false });
  }
  if (fixes.length === 0) return report;
  const queued = await requeueVerified(env, bucket, target.arn, fixes);
  report.requeued = queued.requeued;
  for (const { key, versionId } of queued.outOfScope)
    report.notFixed.push({ key, versionId, reason: outOfScope });
  return report;
}
