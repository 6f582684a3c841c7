/**
 * Admin API routes for resync jobs (MinIO's replication reset), needing
 * s3:ResetBucketReplicationState on the bucket:
 *   POST   buckets/{b}/replication/resync          { arn, olderThan?, prefix? } → the job
 *   GET    buckets/{b}/replication/resync[?arn=]   → { jobs: [...] }, the latest job per target
 *   DELETE buckets/{b}/replication/resync?arn=ARN  → the canceled job
 * `olderThan` is a duration (`90s`, `30m`, `72h`, `7d`, or seconds): only
 * versions last modified more than that long ago are resynced. A start is
 * refused unless a rule for the target has existing-object replication
 * (400 NoExistingObjectReplication) and while a job for the target runs
 * (409 ResyncRunning). The permission is checked first, then the bucket
 * exists (workers/http/routes.ts).
 */
import { z } from "zod";
import { cancelResync, resyncStatus, startResync } from "../objects/replication-state.ts";
import { unwrap } from "../objects/result.ts";
import { targetOf, type BucketVariables } from "./bucket-guards.ts";
import { AdminError, json } from "./http.ts";
import { query, type AdminContext, type Valid } from "./middleware.ts";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `72h` or `90` (seconds); null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNITS[match[2] || "s"]);
}

export const startResyncSchema = z
  .object({
    arn: z.string().min(1),
    olderThan: z.union([z.string(), z.number().nonnegative()]).optional(),
    prefix: z.string().max(1024).optional(),
  })
  .strict();

/** `?arn=`: the target whose jobs to list (all when absent). */
export const jobsQuery = query(z.object({ arn: z.string().optional() }));

export async function start(
  c: AdminContext<Valid<z.output<typeof startResyncSchema>>["json"], BucketVariables>,
): Promise<Response> {
  const bucket = c.var.bucket.name;
  const body = c.req.valid("json");
  await targetOf(c.env, bucket, body.arn);
  let olderThan: number | null = null;
  if (body.olderThan !== undefined) {
    const ms =
      typeof body.olderThan === "number" ? body.olderThan * 1000 : parseDuration(body.olderThan);
    if (ms === null)
      throw new AdminError(400, "InvalidRequest", "olderThan must look like 90s, 30m, 72h or 7d.");
    olderThan = Date.now() - ms;
  }
  const job = unwrap(
    await startResync(c.env, bucket, body.arn, { prefix: body.prefix ?? "", olderThan }),
  );
  return json(job);
}

export async function list(
  c: AdminContext<Valid<{ arn?: string }>["query"], BucketVariables>,
): Promise<Response> {
  const { arn } = c.req.valid("query");
  const jobs = await resyncStatus(c.env, c.var.bucket.name);
  return json({ jobs: arn ? jobs.filter((job) => job.target === arn) : jobs });
}

export async function cancel(
  c: AdminContext<Valid<{ arn: string }>["query"], BucketVariables>,
): Promise<Response> {
  const { arn } = c.req.valid("query");
  return json(unwrap(await cancelResync(c.env, c.var.bucket.name, arn)));
}
