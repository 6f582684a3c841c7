/**
 * The source side's own account of replication to a bucket's one target,
 * from the admin status route (GET /floe/admin/v1/buckets/{b}/replication/status,
 * signed as root): versions replicated, pending and failed, and the sum and
 * count of transfer times (from the consumer starting to send a version to
 * the target's answer), so a bench can split lag into transfer and the rest.
 */
import { z } from "zod";
import { admin } from "../../test/e2e/harness/clients.ts";
import type { Site } from "../../test/e2e/harness/site.ts";

const statusSchema = z.looseObject({
  targets: z.array(
    z.looseObject({
      replicatedCount: z.number(),
      pendingCount: z.number(),
      failedCount: z.number(),
      latency: z.looseObject({ sumMs: z.number(), count: z.number() }),
    }),
  ),
});

export interface TargetCounts {
  replicatedCount: number;
  pendingCount: number;
  /** Versions marked FAILED after the queue's last attempt (left to the cron scanner). */
  failedCount: number;
  transferSumMs: number;
  transferCount: number;
}

/** The counts of `bucket`'s first (only) replication target on `site`. */
export async function targetCounts(site: Site, bucket: string): Promise<TargetCounts> {
  const response = await admin(site, "GET", `buckets/${bucket}/replication/status`);
  const parsed = statusSchema.safeParse(response.body);
  const target = parsed.success ? parsed.data.targets[0] : undefined;
  if (response.status !== 200 || !target)
    throw new Error(`replication status: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    replicatedCount: target.replicatedCount,
    pendingCount: target.pendingCount,
    failedCount: target.failedCount,
    transferSumMs: target.latency.sumMs,
    transferCount: target.latency.count,
  };
}

/** Mean transfer time in ms between two readings (NaN when nothing was transferred). */
export function meanTransferMs(before: TargetCounts, after: TargetCounts): number {
  const count = after.transferCount - before.transferCount;
  return count > 0 ? (after.transferSumMs - before.transferSumMs) / count : Number.NaN;
}
