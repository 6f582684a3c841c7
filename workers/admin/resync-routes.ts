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
 * (409 ResyncRunning).
 */
import { z } from "zod";
import { deploymentStub } from "../objects/stubs.ts";
import { bucketInfo } from "../objects/buckets.ts";
import { cancelResync, resyncStatus, startResync } from "../objects/replication-state.ts";
import { AdminError, json, readJson, requireBucketAction } from "./http.ts";
import type { RouteCall } from "./iam-routes.ts";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `72h` or `90` (seconds); null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNITS[match[2] || "s"]);
}

const startSchema = z
  .object({
    arn: z.string().min(1),
    olderThan: z.union([z.string(), z.number().nonnegative()]).optional(),
    prefix: z.string().max(1024).optional(),
  })
  .strict();

async function authorize(call: RouteCall): Promise<string> {
  const bucket = call.segments[1];
  await requireBucketAction(call.caller, bucket, "s3:ResetBucketReplicationState");
  if (!(await bucketInfo(call.env, bucket)))
    throw new AdminError(404, "NoSuchBucket", `The bucket ${bucket} does not exist.`);
  return bucket;
}

async function ownTarget(call: RouteCall, bucket: string, arn: string): Promise<void> {
  const target = await deploymentStub(call.env).getTarget(arn);
  if (!target || target.sourceBucket !== bucket)
    throw new AdminError(404, "NoSuchRemoteTarget", `No remote target ${arn} on bucket ${bucket}.`);
}

export async function start(call: RouteCall): Promise<Response> {
  const bucket = await authorize(call);
  const body = await readJson(call.request, call.caller, startSchema);
  await ownTarget(call, bucket, body.arn);
  let olderThan: number | null = null;
  if (body.olderThan !== undefined) {
    const ms =
      typeof body.olderThan === "number" ? body.olderThan * 1000 : parseDuration(body.olderThan);
    if (ms === null)
      throw new AdminError(400, "InvalidRequest", "olderThan must look like 90s, 30m, 72h or 7d.");
    olderThan = Date.now() - ms;
  }
  const result = await startResync(call.env, bucket, body.arn, {
    prefix: body.prefix ?? "",
    olderThan,
  });
  if (!result.ok) {
    if (result.error === "ResyncRunning")
      throw new AdminError(
        409,
        "ResyncRunning",
        `A resync of ${bucket} to ${body.arn} is already running.`,
      );
    if (result.error === "NoExistingObjectReplication")
      throw new AdminError(
        400,
        "NoExistingObjectReplication",
        `No enabled rule of ${bucket} for ${body.arn} has existing-object replication.`,
      );
    throw new AdminError(404, "NoSuchBucket", `The bucket ${bucket} does not exist.`);
  }
  return json(result.job);
}

export async function list(call: RouteCall): Promise<Response> {
  const bucket = await authorize(call);
  const arn = new URL(call.request.url).searchParams.get("arn");
  const jobs = await resyncStatus(call.env, bucket);
  return json({ jobs: arn ? jobs.filter((job) => job.target === arn) : jobs });
}

export async function cancel(call: RouteCall): Promise<Response> {
  const bucket = await authorize(call);
  const arn = new URL(call.request.url).searchParams.get("arn");
  if (!arn) throw new AdminError(400, "InvalidRequest", "Name the target with ?arn=.");
  const job = await cancelResync(call.env, bucket, arn);
  if (!job) throw new AdminError(404, "NoSuchResyncJob", `No resync job of ${bucket} for ${arn}.`);
  return json(job);
}
