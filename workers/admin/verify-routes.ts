/**
 * Admin API routes for comparing replicated buckets:
 *   GET  buckets/{b}/replication/digest?prefix=P&after=K&until=U&limit=N   s3:ListBucket
 *        → { ranges: [{ last, keys, versions, digest }], next }
 *   GET  buckets/{b}/replication/digest?lines=true&prefix=P&after=K&afterVersion=V&until=U&limit=N
 *        s3:ListBucket → { versions: [{ key, versionId, ...state }], next: { key, versionId } | null }
 *   POST buckets/{b}/replication/verify   s3:GetReplicationConfiguration
 *        { arn, prefix?, fix? } → the report (with `fix` when asked; fixing also needs
 *        s3:PutReplicationConfiguration)
 * The digest route is what a source calls on its target with the remote
 * target's credentials (ReplicationRemoteUser has s3:ListBucket); what a
 * range and a state hold is in shared/replication/digest.ts. The
 * permission is checked first, then the bucket exists
 * (workers/http/routes.ts).
 */
import { z } from "zod";
import { deploymentStub } from "../objects/stubs.ts";
import { replicationConfig } from "../objects/buckets.ts";
import { versionDigest, versionLines } from "../objects/replication-state.ts";
import { RemoteDigestError, verifyAgainst } from "../replication/verify/verify.ts";
import { fixDifferences } from "../replication/verify/verify-fix.ts";
import { describeDialError } from "../../shared/peer/dial.ts";
import { peerTarget } from "../replication/targets/peer-fetch.ts";
import type { BucketVariables } from "./bucket-guards.ts";
import { AdminError, json } from "./http.ts";
import { query, type AdminContext, type Valid } from "./middleware.ts";

/** Most versions a line page returns. */
const MAX_LINES = 5000;

export const verifySchema = z
  .object({
    arn: z.string().min(1),
    prefix: z.string().max(1024).optional(),
    fix: z.boolean().optional(),
  })
  .strict();

const keyParam = z.string().max(1024);
const digestQuerySchema = z
  .object({
    prefix: keyParam.default(""),
    after: keyParam.optional(),
    until: keyParam.optional(),
    afterVersion: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(5000),
    lines: z.enum(["true", "false"]).optional(),
  })
  .strict();

/** The digest route's query; anything else is 400 InvalidArgument. */
export const digestQuery = query(
  digestQuerySchema,
  (error) => new AdminError(400, "InvalidArgument", `Invalid digest query: ${error.message}`),
);

/** Fixing differences also needs s3:PutReplicationConfiguration. */
export function fixNeeds(body: z.output<typeof verifySchema>): string[] {
  return body.fix ? ["s3:PutReplicationConfiguration"] : [];
}

export async function digest(
  c: AdminContext<Valid<z.output<typeof digestQuerySchema>>["query"], BucketVariables>,
): Promise<Response> {
  const bucket = c.var.bucket.name;
  const query = c.req.valid("query");
  const scope = {
    prefix: query.prefix,
    after: query.after ?? null,
    until: query.until ?? null,
    storageClass: null,
  };
  if (query.lines === "true")
    return json(
      await versionLines(
        c.env,
        bucket,
        scope,
        query.afterVersion ?? null,
        Math.min(query.limit, MAX_LINES),
      ),
    );
  return json(await versionDigest(c.env, bucket, scope, query.limit));
}

export async function verify(
  c: AdminContext<Valid<z.output<typeof verifySchema>>["json"], BucketVariables>,
): Promise<Response> {
  const bucket = c.var.bucket.name;
  const body = c.req.valid("json");
  const target = await deploymentStub(c.env).targetCredentials(body.arn);
  if (!target || (await deploymentStub(c.env).getTarget(body.arn))?.sourceBucket !== bucket)
    throw new AdminError(
      404,
      "NoSuchRemoteTarget",
      `No remote target ${body.arn} on bucket ${bucket}.`,
    );
  const config = await replicationConfig(c.env, bucket);
  const storageClass =
    config?.rules.find((rule) => rule.destination === body.arn)?.storageClass ?? null;
  try {
    const report = await verifyAgainst(
      c.env,
      bucket,
      peerTarget(c.env, target),
      body.prefix ?? "",
      storageClass,
    );
    if (!body.fix) return json(report);
    return json({
      ...report,
      fix: await fixDifferences(c.env, bucket, target, report.differences),
    });
  } catch (error) {
    // Only the remote's own answer or the kind of dial failure is passed on; the rest stays in the log.
    if (!(error instanceof RemoteDigestError)) console.error("verify against remote:", error);
    const reason = error instanceof RemoteDigestError ? error.message : describeDialError(error);
    throw new AdminError(502, "RemoteTargetError", `Could not compare with the remote: ${reason}`);
  }
}
