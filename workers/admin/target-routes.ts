/**
 * Admin API routes for remote targets and replication state of a bucket:
 *   POST   buckets/{b}/remote-targets            admin:SetBucketTarget  { url | endpoint+targetBucket+accessKey+secretKey, region?, sync?, bandwidth?, healthCheckSeconds?, lagSloSeconds? }
 *   GET    buckets/{b}/remote-targets            admin:GetBucketTarget
 *   PATCH  buckets/{b}/remote-targets?arn=ARN    admin:SetBucketTarget  { accessKey?, secretKey?, sync?, bandwidth?, healthCheckSeconds?, lagSloSeconds? }
 *   DELETE buckets/{b}/remote-targets?arn=ARN    admin:SetBucketTarget  (refused while a rule uses it)
 *   GET    buckets/{b}/replication/status        s3:GetReplicationConfiguration
 *   GET    buckets/{b}/replication/diff[?arn=&after=&limit=]  s3:GetReplicationConfiguration
 * The endpoint must pass the target rules (shared/net/target-url.ts: http or
 * https, no loopback, private, link-local or local-name host unless the
 * site's FLOE_TARGET_ALLOWLIST lists it), else 400 InvalidTargetEndpoint.
 * Adding a target checks the remote first (remote-check.ts): it answers,
 * the credentials work, the bucket exists with versioning Enabled; the
 * source bucket needs versioning Enabled too. The secret key is stored
 * sealed and never shown. `healthCheckSeconds` is the probe interval while
 * the target is online; `lagSloSeconds` (null clears it) is its
 * write-to-replica lag objective, reported by status and the metrics.
 * The bucket is checked (name, then existence) before the permission, which
 * is on the bucket; each chain is in workers/http/routes.ts.
 */
import type { BlankInput } from "hono/types";
import { z } from "zod";
import { loadConfig } from "../../shared/config.ts";
import { isValidBucketName } from "../../shared/names.ts";
import { checkTargetUrl, type TargetAllowlist } from "../../shared/net/target-url.ts";
import { lagObjectives } from "../../shared/replication/lag.ts";
import { deploymentStub } from "../objects/stubs.ts";
import { replicationConfig } from "../objects/buckets.ts";
import {
  replicationStats,
  resyncStatus,
  setReplicationTargets,
  unreplicated,
} from "../objects/replication-state.ts";
import { unwrap } from "../objects/result.ts";
import { RemoteCheckFailure, checkRemote } from "../replication/targets/remote-check.ts";
import { forgetTargetCredentials } from "../replication/targets/target-cache.ts";
import type { BucketVariables, TargetVariables } from "./bucket-guards.ts";
import { AdminError, json } from "./http.ts";
import { accessKeySchema, secretKeySchema } from "./iam-schemas.ts";
import { query, type AdminContext, type Valid } from "./middleware.ts";

/** A remote check's failure as the admin error it answers. */
function asAdminError(error: unknown): never {
  if (error instanceof RemoteCheckFailure)
    throw new AdminError(error.status, error.code, error.message);
  throw error;
}

/** Smallest bandwidth limit accepted (bytes/s): below it replication could never keep up. */
const MIN_BANDWIDTH = 1024 * 1024;

const optionsSchema = {
  region: z.string().min(1).max(64).optional(),
  sync: z.boolean().optional(),
  bandwidth: z.number().int().min(MIN_BANDWIDTH).nullable().optional(),
  healthCheckSeconds: z.number().int().min(1).max(3600).optional(),
  lagSloSeconds: z.number().int().min(1).max(86_400).nullable().optional(),
};

export const addTargetSchema = z
  .object({
    url: z.string().url().optional(),
    endpoint: z.string().url().optional(),
    targetBucket: z.string().optional(),
    accessKey: accessKeySchema.optional(),
    secretKey: secretKeySchema.optional(),
    ...optionsSchema,
  })
  .strict();

export const editTargetSchema = z
  .object({
    accessKey: accessKeySchema.optional(),
    secretKey: secretKeySchema.optional(),
    sync: z.boolean().optional(),
    bandwidth: z.number().int().min(MIN_BANDWIDTH).nullable().optional(),
    healthCheckSeconds: z.number().int().min(1).max(3600).optional(),
    lagSloSeconds: z.number().int().min(1).max(86_400).nullable().optional(),
  })
  .strict();

const diffQuerySchema = z.object({
  arn: z.string().optional(),
  after: z.string().default(""),
  limit: z.string().optional(),
});

/** `?arn=&after=&limit=` of a diff page (a limit that is not a number is 1000). */
export const diffQuery = query(diffQuerySchema);

type Body<S extends z.ZodType> = Valid<z.output<S>>["json"];

/** Tells the bucket's coordinator which targets it has and which are sync. */
async function syncCoordinator(env: Env, bucket: string): Promise<void> {
  const targets = await deploymentStub(env).listTargets(bucket);
  unwrap(
    await setReplicationTargets(
      env,
      bucket,
      targets.map((t) => ({ arn: t.arn, sync: t.sync })),
    ),
  );
}

/** The endpoint to store: the origin of `raw`, once the target rules allow it. */
function allowedEndpoint(raw: string, allowlist: TargetAllowlist): string {
  const decision = checkTargetUrl(raw, allowlist);
  if (!decision.ok)
    throw new AdminError(
      400,
      "InvalidTargetEndpoint",
      `Remote target refused: ${decision.reason}.`,
    );
  return decision.origin;
}

function parseTargetUrl(body: z.infer<typeof addTargetSchema>, allowlist: TargetAllowlist) {
  if (body.url) {
    const url = new URL(body.url);
    const bucket = url.pathname.replace(/^\/+|\/+$/g, "");
    if (!url.username || !url.password || !bucket)
      throw new AdminError(
        400,
        "InvalidRequest",
        "url must look like http://ACCESSKEY:SECRETKEY@host:port/BUCKET",
      );
    // The credentials are taken out; what remains must pass the rules as an endpoint.
    const endpoint = new URL(url.href);
    endpoint.username = "";
    endpoint.password = "";
    return {
      endpoint: allowedEndpoint(endpoint.href, allowlist),
      targetBucket: bucket,
      accessKey: decodeURIComponent(url.username),
      secretKey: decodeURIComponent(url.password),
    };
  }
  if (!body.endpoint || !body.targetBucket || !body.accessKey || !body.secretKey)
    throw new AdminError(
      400,
      "InvalidRequest",
      "Give url, or endpoint, targetBucket, accessKey and secretKey.",
    );
  return {
    endpoint: allowedEndpoint(body.endpoint, allowlist),
    targetBucket: body.targetBucket,
    accessKey: body.accessKey,
    secretKey: body.secretKey,
  };
}

export async function addTarget(
  c: AdminContext<Body<typeof addTargetSchema>, BucketVariables>,
): Promise<Response> {
  const info = c.var.bucket;
  const body = c.req.valid("json");
  const allowlist = loadConfig(c.env).targetAllowlist;
  const remote = parseTargetUrl(body, allowlist);
  if (!isValidBucketName(remote.targetBucket))
    throw new AdminError(400, "InvalidRequest", "Invalid remote bucket name.");
  if (info.versioning !== "Enabled")
    throw new AdminError(
      400,
      "VersioningNotEnabled",
      `Versioning must be Enabled on ${info.name}.`,
    );
  const region = body.region ?? "us-east-1";
  await checkRemote({ ...remote, region }, allowlist).catch(asAdminError);
  const target = await deploymentStub(c.env).addTarget({
    sourceBucket: info.name,
    ...remote,
    region,
    sync: body.sync ?? false,
    bandwidth: body.bandwidth ?? null,
    healthCheckSeconds: body.healthCheckSeconds ?? 60,
    lagSloSeconds: body.lagSloSeconds ?? null,
  });
  await syncCoordinator(c.env, info.name);
  return json(target);
}

export async function listTargets(c: AdminContext<BlankInput, BucketVariables>): Promise<Response> {
  return json({ targets: await deploymentStub(c.env).listTargets(c.var.bucket.name) });
}

export async function editTarget(
  c: AdminContext<Body<typeof editTargetSchema>, BucketVariables & TargetVariables>,
): Promise<Response> {
  const { target } = c.var;
  const body = c.req.valid("json");
  if (body.accessKey !== undefined || body.secretKey !== undefined) {
    const credentials = await deploymentStub(c.env).targetCredentials(target.arn);
    await checkRemote(
      {
        endpoint: target.endpoint,
        targetBucket: target.targetBucket,
        region: target.region,
        accessKey: body.accessKey ?? target.accessKey,
        secretKey: body.secretKey ?? credentials?.secretKey ?? "",
      },
      loadConfig(c.env).targetAllowlist,
    ).catch(asAdminError);
  }
  const updated = await deploymentStub(c.env).updateTarget(target.arn, body);
  forgetTargetCredentials(target.arn);
  await syncCoordinator(c.env, c.var.bucket.name);
  return json(updated);
}

export async function removeTarget(
  c: AdminContext<BlankInput, BucketVariables & TargetVariables>,
): Promise<Response> {
  const { bucket, target } = c.var;
  const config = await replicationConfig(c.env, bucket.name);
  if (config?.rules.some((rule) => rule.destination === target.arn))
    throw new AdminError(
      409,
      "RemoteTargetInUse",
      `A replication rule of ${bucket.name} still uses ${target.arn}.`,
    );
  await deploymentStub(c.env).removeTarget(target.arn);
  forgetTargetCredentials(target.arn);
  await syncCoordinator(c.env, bucket.name);
  return json({ removed: target.arn });
}

export async function status(c: AdminContext<BlankInput, BucketVariables>): Promise<Response> {
  const bucket = c.var.bucket.name;
  const targets = await deploymentStub(c.env).listTargets(bucket);
  const [stats, jobs] = await Promise.all([
    replicationStats(c.env, bucket, lagObjectives(targets)).then(unwrap),
    resyncStatus(c.env, bucket),
  ]);
  const byArn = new Map(targets.map((t) => [t.arn, t]));
  return json({
    bucket,
    targets: stats.targets.map((s) => {
      const target = byArn.get(s.target);
      return {
        ...s,
        arn: s.target,
        endpoint: target?.endpoint ?? null,
        targetBucket: target?.targetBucket ?? null,
        sync: target?.sync ?? false,
        bandwidth: target?.bandwidth ?? null,
        health: target?.health ?? null,
        job: jobs.find((job) => job.target === s.target) ?? null,
      };
    }),
    received: stats.received,
  });
}

export async function diff(
  c: AdminContext<Valid<z.output<typeof diffQuerySchema>>["query"], BucketVariables>,
): Promise<Response> {
  const params = c.req.valid("query");
  const limit = Math.min(1000, Math.max(1, Number(params.limit ?? 1000) || 1000));
  const entries = await unreplicated(
    c.env,
    c.var.bucket.name,
    params.arn ?? null,
    parseCursor(params.after),
    limit,
  );
  const last = entries[entries.length - 1];
  return json({
    entries,
    next: entries.length === limit && last ? JSON.stringify([last.key, last.versionId]) : null,
  });
}

/** A diff cursor: the opaque `next` of the previous page (`["key","versionId"]`), or a plain key. */
function parseCursor(after: string): { key: string; versionId: string } {
  if (after.startsWith("[")) {
    try {
      const [key, versionId] = JSON.parse(after) as [string, string];
      if (typeof key === "string" && typeof versionId === "string") return { key, versionId };
    } catch {
      // Not a cursor: a key that starts with "[".
    }
  }
  return { key: after, versionId: after === "" ? "" : "\uffff" };
}
