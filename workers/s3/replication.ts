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
import { bucketStub, deploymentStub } from "../objects/stubs.ts";
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
  const targets = new Set(
    (await deploymentStub(ctx.env).listTargets(bucket)).map((target) => target.arn),
  );
  for (const rule of config.rules) {
    if (!targets.has(rule.destination))
      throw new S3Error(
        "InvalidRequest",
        `The destination ${rule.destination} is not a remote target of bucket ${bucket}.`,
      );
  }
  const outcome = await bucketStub(ctx.env, bucket).setReplication(config);
  if (outcome === "NoSuchBucket")
    throw new S3Error("NoSuchBucket", undefined, { detail: { BucketName: bucket } });
  if (outcome === "VersioningNotEnabled")
    throw new S3Error(
      "InvalidRequest",
      "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
    );
  return new Response(null, { status: 200 });
}

export async function getBucketReplication(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const config = await bucketStub(ctx.env, bucket).getReplication();
  if (!config)
    throw new S3Error("ReplicationConfigurationNotFoundError", undefined, {
      detail: { BucketName: bucket },
    });
  return xmlResponse(xmlDocument("ReplicationConfiguration", replicationXml(config)));
}

export async function deleteBucketReplication(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  await bucketStub(ctx.env, bucket).setReplication(null);
  return new Response(null, { status: 204 });
}
