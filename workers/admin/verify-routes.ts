/**
 * Admin API routes for comparing replicated buckets:
 *   GET  buckets/{b}/replication/digest?prefix=P   s3:ListBucket → { entries: [{ name, kind, count, digest }] }
 *   GET  buckets/{b}/replication/digest?key=K      s3:ListBucket → { versions: [{ versionId, etag, size, deleteMarker }] }
 *   POST buckets/{b}/replication/verify            s3:GetReplicationConfiguration  { arn, prefix? } → the report
 * The digest route is what a source calls on its target with the remote
 * target's credentials (ReplicationRemoteUser has s3:ListBucket).
 */
import { z } from "zod";
import { bucketStub, deploymentStub } from "../storage/stubs.ts";
import { RemoteDigestError, verifyAgainst } from "../replication/verify.ts";
import { describeDialError, peerTarget } from "../replication/peer-fetch.ts";
import { AdminError, json, readJson, requireBucketAction } from "./http.ts";
import type { RouteCall } from "./iam-routes.ts";

type Handler = (call: RouteCall) => Promise<Response>;

const verifySchema = z
  .object({ arn: z.string().min(1), prefix: z.string().max(1024).optional() })
  .strict();

export function verifyRoute(method: string, segments: string[]): Handler | null {
  if (segments[0] !== "buckets" || segments.length !== 4 || segments[2] !== "replication")
    return null;
  if (segments[3] === "digest" && method === "GET") return digest;
  if (segments[3] === "verify" && method === "POST") return verify;
  return null;
}

async function bucketWith(call: RouteCall, action: string): Promise<string> {
  const bucket = call.segments[1];
  await requireBucketAction(call.caller, bucket, action);
  if (!(await bucketStub(call.env, bucket).info()))
    throw new AdminError(404, "NoSuchBucket", `The bucket ${bucket} does not exist.`);
  return bucket;
}

async function digest(call: RouteCall): Promise<Response> {
  const bucket = await bucketWith(call, "s3:ListBucket");
  const params = new URL(call.request.url).searchParams;
  const key = params.get("key");
  const coordinator = bucketStub(call.env, bucket);
  if (key !== null) return json({ key, versions: await coordinator.versionLines(key) });
  const prefix = params.get("prefix") ?? "";
  return json({ prefix, entries: await coordinator.versionDigest(prefix) });
}

async function verify(call: RouteCall): Promise<Response> {
  const bucket = await bucketWith(call, "s3:GetReplicationConfiguration");
  const body = await readJson(call.request, call.caller, verifySchema);
  const target = await deploymentStub(call.env).targetCredentials(body.arn);
  if (!target || (await deploymentStub(call.env).getTarget(body.arn))?.sourceBucket !== bucket)
    throw new AdminError(
      404,
      "NoSuchRemoteTarget",
      `No remote target ${body.arn} on bucket ${bucket}.`,
    );
  try {
    return json(
      await verifyAgainst(call.env, bucket, peerTarget(call.env, target), body.prefix ?? ""),
    );
  } catch (error) {
    // Only the remote's own answer or the kind of dial failure is passed on; the rest stays in the log.
    if (!(error instanceof RemoteDigestError)) console.error("verify against remote:", error);
    const reason = error instanceof RemoteDigestError ? error.message : describeDialError(error);
    throw new AdminError(502, "RemoteTargetError", `Could not compare with the remote: ${reason}`);
  }
}
