/**
 * Replication status of a version, as S3 shows it in
 * x-amz-replication-status: per target PENDING, COMPLETED or FAILED; the
 * version's overall status is FAILED when any target failed, COMPLETED when
 * all completed, else PENDING (MinIO's composite rule); a version that
 * arrived by replication is REPLICA.
 */
export type TargetStatus = "PENDING" | "COMPLETED" | "FAILED";
export type ReplicationStatus = TargetStatus | "REPLICA";

export function compositeStatus(statuses: readonly TargetStatus[]): TargetStatus | null {
  if (statuses.length === 0) return null;
  if (statuses.includes("FAILED")) return "FAILED";
  if (statuses.every((s) => s === "COMPLETED")) return "COMPLETED";
  return "PENDING";
}
