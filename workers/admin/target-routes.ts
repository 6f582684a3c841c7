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
 */
import { z } from "zod";
import { loadConfig } from "../../shared/config.ts";
import { isValidBucketName } from "../../shared/names.ts";
import { checkTargetUrl, type TargetAllowlist } from "../../shared/net/target-url.ts";
import { lagObjectives } from "../../shared/replication/lag.ts";
import { deploymentStub } from "../objects/stubs.ts";
import { bucketInfo, replicationConfig } from "../objects/buckets.ts";
import {
  replicationStats,
  resyncStatus,
  setReplicationTargets,
  unreplicated,
} from "../objects/replication-state.ts";
import { RemoteCheckFailure, checkRemote } from "../replication/targets/remote-check.ts";
import { AdminError, json, readJson, requireAdminAction, requireBucketAction } from "./http.ts";
import { accessKeySchema, secretKeySchema } from "./iam-schemas.ts";
import type { RouteCall } from "./iam-routes.ts";

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

const addSchema = z
  .object({
    url: z.string().url().optional(),
    endpoint: z.string().url().optional(),
    targetBucket: z.string().optional(),
    accessKey: accessKeySchema.optional(),
    secretKey: secretKeySchema.optional(),
    ...optionsSchema,
  })
  .strict();

const editSchema = z
  .object({
    accessKey: accessKeySchema.optional(),
    secretKey: secretKeySchema.optional(),
    sync: z.boolean().optional(),
    bandwidth: z.number().int().min(MIN_BANDWIDTH).nullable().optional(),
    healthCheckSeconds: z.number().int().min(1).max(3600).optional(),
    lagSloSeconds: z.number().int().min(1).max(86_400).nullable().optional(),
  })
  .strict();

async function sourceBucket(call: RouteCall) {
  const bucket = call.segments[1];
  if (!isValidBucketName(bucket))
    throw new AdminError(400, "InvalidRequest", "Invalid bucket name.");
  const info = await bucketInfo(call.env, bucket);
  if (!info) throw new AdminError(404, "NoSuchBucket", `The bucket ${bucket} does not exist.`);
  return info;
}

/** Tells the bucket's coordinator which targets it has and which are sync. */
async function syncCoordinator(env: Env, bucket: string): Promise<void> {
  const targets = await deploymentStub(env).listTargets(bucket);
  await setReplicationTargets(
    env,
    bucket,
    targets.map((t) => ({ arn: t.arn, sync: t.sync })),
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

function parseTargetUrl(body: z.infer<typeof addSchema>, allowlist: TargetAllowlist) {
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

export async function addTarget(call: RouteCall): Promise<Response> {
  const info = await sourceBucket(call);
  await requireAdminAction(call.caller, "admin:SetBucketTarget", info.name);
  const body = await readJson(call.request, call.caller, addSchema);
  const allowlist = loadConfig(call.env).targetAllowlist;
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
  const target = await deploymentStub(call.env).addTarget({
    sourceBucket: info.name,
    ...remote,
    region,
    sync: body.sync ?? false,
    bandwidth: body.bandwidth ?? null,
    healthCheckSeconds: body.healthCheckSeconds ?? 60,
    lagSloSeconds: body.lagSloSeconds ?? null,
  });
  await syncCoordinator(call.env, info.name);
  return json(target);
}

export async function listTargets(call: RouteCall): Promise<Response> {
  const info = await sourceBucket(call);
  await requireAdminAction(call.caller, "admin:GetBucketTarget", info.name);
  return json({ targets: await deploymentStub(call.env).listTargets(info.name) });
}

async function ownTarget(call: RouteCall, bucket: string) {
  const arn = new URL(call.request.url).searchParams.get("arn");
  if (!arn) throw new AdminError(400, "InvalidRequest", "Name the target with ?arn=.");
  const target = await deploymentStub(call.env).getTarget(arn);
  if (!target || target.sourceBucket !== bucket)
    throw new AdminError(404, "NoSuchRemoteTarget", `No remote target ${arn} on bucket ${bucket}.`);
  return target;
}

export async function editTarget(call: RouteCall): Promise<Response> {
  const info = await sourceBucket(call);
  await requireAdminAction(call.caller, "admin:SetBucketTarget", info.name);
  const target = await ownTarget(call, info.name);
  const body = await readJson(call.request, call.caller, editSchema);
  if (body.accessKey !== undefined || body.secretKey !== undefined) {
    const credentials = await deploymentStub(call.env).targetCredentials(target.arn);
    await checkRemote(
      {
        endpoint: target.endpoint,
        targetBucket: target.targetBucket,
        region: target.region,
        accessKey: body.accessKey ?? target.accessKey,
        secretKey: body.secretKey ?? credentials?.secretKey ?? "",
      },
      loadConfig(call.env).targetAllowlist,
    ).catch(asAdminError);
  }
  const updated = await deploymentStub(call.env).updateTarget(target.arn, body);
  await syncCoordinator(call.env, info.name);
  return json(updated);
}

export async function removeTarget(call: RouteCall): Promise<Response> {
  const info = await sourceBucket(call);
  await requireAdminAction(call.caller, "admin:SetBucketTarget", info.name);
  const target = await ownTarget(call, info.name);
  const config = await replicationConfig(call.env, info.name);
  if (config?.rules.some((rule) => rule.destination === target.arn))
    throw new AdminError(
      409,
      "RemoteTargetInUse",
      `A replication rule of ${info.name} still uses ${target.arn}.`,
    );
  await deploymentStub(call.env).removeTarget(target.arn);
  await syncCoordinator(call.env, info.name);
  return json({ removed: target.arn });
}

export async function status(call: RouteCall): Promise<Response> {
  const info = await sourceBucket(call);
  await requireBucketAction(call.caller, info.name, "s3:GetReplicationConfiguration");
  const targets = await deploymentStub(call.env).listTargets(info.name);
  const [stats, jobs] = await Promise.all([
    replicationStats(call.env, info.name, lagObjectives(targets)),
    resyncStatus(call.env, info.name),
  ]);
  const byArn = new Map(targets.map((t) => [t.arn, t]));
  return json({
    bucket: info.name,
    targets: (stats?.targets ?? []).map((s) => {
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
    received: stats?.received ?? { count: 0, bytes: 0 },
  });
}

export async function diff(call: RouteCall): Promise<Response> {
  const info = await sourceBucket(call);
  await requireBucketAction(call.caller, info.name, "s3:GetReplicationConfiguration");
  const params = new URL(call.request.url).searchParams;
  const limit = Math.min(1000, Math.max(1, Number(params.get("limit") ?? 1000) || 1000));
  const entries = await unreplicated(
    call.env,
    info.name,
    params.get("arn"),
    parseCursor(params.get("after") ?? ""),
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
