/**
 * Put/Get/DeleteBucketReplication. The configuration (shared/replication/
 * config.ts) is validated, then checked against the bucket: versioning must
 * be Enabled, and every rule's destination must be one of this bucket's
 * remote targets (added through the admin API). It is kept by the bucket's
 * coordinator, which applies it to every write from then on.
 */
import { parseReplicationXml, replicationXml } from "../../shared/replication/config.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { xmlDocument } from "../../shared/xml.ts";
import { bucketTargetArns, replicationConfig, setReplicationConfig } from "../objects/buckets.ts";
import { unwrap } from "../objects/result.ts";
import { MAX_XML_BODY, readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

export async function putBucketReplication(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  const info = await requireExistingBucket(ctx, bucket);
  const config = parseReplicationXml(await readSmallBody(ctx, MAX_XML_BODY));
  if (info.versioning !== "Enabled")
    throw new S3Error(
      "InvalidRequest",
      "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
    );
  const targets = await bucketTargetArns(ctx.env, bucket);
  for (const rule of config.rules) {
    if (!targets.has(rule.destination))
      throw new S3Error(
        "InvalidRequest",
        `The destination ${rule.destination} is not a remote target of bucket ${bucket}.`,
      );
  }
  unwrap(await setReplicationConfig(ctx.env, bucket, config));
  return new Response(null, { status: 200 });
}

export async function getBucketReplication(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const config = await replicationConfig(ctx.env, bucket);
  if (!config)
    throw new S3Error("ReplicationConfigurationNotFoundError", undefined, {
      detail: { BucketName: bucket },
    });
  return xmlResponse(xmlDocument("ReplicationConfiguration", replicationXml(config)));
}

export async function deleteBucketReplication(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  unwrap(await setReplicationConfig(ctx.env, bucket, null));
  return new Response(null, { status: 204 });
}
