/**
 * Middleware of the admin routes under buckets/{bucket}/: the bucket in the
 * path (a valid name, 400 "Invalid bucket name."), the bucket itself (404
 * NoSuchBucket), and the remote target a query names (`?arn=`, 400 without
 * one, 404 NoSuchRemoteTarget unless it is a target of this bucket). Each
 * route orders them against its permission check in workers/http/routes.ts.
 */
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { isValidBucketName } from "../../shared/names.ts";
import type { BucketInfo } from "../../shared/types/bucket-rpc.ts";
import type { RemoteTarget } from "../../shared/types/remote-target.ts";
import { bucketInfo } from "../objects/buckets.ts";
import { deploymentStub } from "../objects/stubs.ts";
import { AdminError } from "./http.ts";
import { param, query, type AdminEdge, type Valid } from "./middleware.ts";

/** What a route sees once `existingBucket` ran. */
export interface BucketVariables {
  bucket: BucketInfo;
}

/** What a route sees once `remoteTarget` ran. */
export interface TargetVariables {
  target: RemoteTarget;
}

/** A valid bucket name in the path. */
export const bucketPath = param(
  z.object({ bucket: z.string().refine(isValidBucketName) }),
  "Invalid bucket name.",
);

/** `?arn=`: the remote target a route acts on. */
export const arnQuery = query(
  z.object({ arn: z.string().min(1) }),
  () => new AdminError(400, "InvalidRequest", "Name the target with ?arn=."),
);

/** The bucket the path names; 404 NoSuchBucket when it does not exist. */
export const existingBucket: MiddlewareHandler<AdminEdge & { Variables: BucketVariables }> = async (
  c,
  next,
) => {
  const name = c.req.param("bucket") ?? "";
  const info = await bucketInfo(c.env, name);
  if (!info) throw new AdminError(404, "NoSuchBucket", `The bucket ${name} does not exist.`);
  c.set("bucket", info);
  await next();
};

/** The remote target `?arn=` names, which must be one of the path's bucket. */
export const remoteTarget: MiddlewareHandler<
  AdminEdge & { Variables: TargetVariables },
  string,
  Valid<{ arn: string }>["query"]
> = async (c, next) => {
  const bucket = c.req.param("bucket") ?? "";
  const { arn } = c.req.valid("query");
  c.set("target", await targetOf(c.env, bucket, arn));
  await next();
};

/** A remote target of the bucket; 404 NoSuchRemoteTarget otherwise. */
export async function targetOf(env: Env, bucket: string, arn: string): Promise<RemoteTarget> {
  const target = await deploymentStub(env).getTarget(arn);
  if (!target || target.sourceBucket !== bucket)
    throw new AdminError(404, "NoSuchRemoteTarget", `No remote target ${arn} on bucket ${bucket}.`);
  return target;
}
