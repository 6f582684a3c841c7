/**
 * Object tagging (Get/Put/DeleteObjectTagging) and bucket tagging
 * (Get/Put/DeleteBucketTagging). Object tags live in the version record; a
 * change updates the coordinator's record and, in the background, each
 * drive's copy (a copy left stale by an offline drive is fixed by heal).
 * A delete marker has no tags: putting or deleting them on one (the latest
 * version, or one named by versionId) is 405 MethodNotAllowed, as in S3.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import { parseTaggingXml, taggingXml, type Tags } from "../../shared/tags.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { findVersion, updateVersion } from "../objects/versions.ts";
import { bucketTags, existingBucket, setBucketTags } from "../objects/buckets.ts";
import { unwrap } from "../objects/result.ts";
import { readSmallBody } from "./bucket.ts";
import { requireBucket, requireObject, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

async function setObjectTags(ctx: S3Context, tags: Tags | undefined): Promise<VersionRecord> {
  const { bucket, key } = requireObject(ctx);
  const versionId = ctx.query.get("versionId");
  const updated = unwrap(
    await updateVersion(ctx.env, (p) => ctx.exec.waitUntil(p), bucket, key, versionId, { tags }),
  );
  return updated.record;
}

function versionHeader(record: VersionRecord): HeadersInit {
  return record.versionId === "null" ? {} : { "x-amz-version-id": record.versionId };
}

export async function getObjectTagging(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const versionId = ctx.query.get("versionId");
  const { version } = unwrap(await findVersion(ctx.env, bucket, key, versionId));
  return xmlResponse(taggingXml(version.record.tags ?? {}), {
    headers: versionHeader(version.record),
  });
}

export async function putObjectTagging(ctx: S3Context): Promise<Response> {
  const tags = parseTaggingXml(await readSmallBody(ctx));
  const record = await setObjectTags(ctx, tags);
  return new Response(null, { status: 200, headers: versionHeader(record) });
}

export async function deleteObjectTagging(ctx: S3Context): Promise<Response> {
  const record = await setObjectTags(ctx, undefined);
  return new Response(null, { status: 204, headers: versionHeader(record) });
}

export async function getBucketTagging(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  unwrap(await existingBucket(ctx.env, bucket));
  const tags = await bucketTags(ctx.env, bucket);
  if (!tags) throw new S3Error("NoSuchTagSet", undefined, { detail: { BucketName: bucket } });
  return xmlResponse(taggingXml(tags));
}

export async function putBucketTagging(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  const tags = parseTaggingXml(await readSmallBody(ctx), 50);
  unwrap(await setBucketTags(ctx.env, bucket, tags));
  // AWS documents 204, but MinIO answers 200 and its SDKs accept only 200; every client accepts 200.
  return new Response(null, { status: 200 });
}

export async function deleteBucketTagging(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  unwrap(await setBucketTags(ctx.env, bucket, null));
  return new Response(null, { status: 204 });
}
