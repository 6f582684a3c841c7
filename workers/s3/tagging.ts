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
import { serializeRecord, type VersionRecord } from "../../shared/types/version-record.ts";
import { drivesOf } from "../objects/erasure/erasure-set.ts";
import { bucketStub } from "../objects/stubs.ts";
import { bucketTags, existingBucket, setBucketTags } from "../objects/buckets.ts";
import { unwrap } from "../objects/result.ts";
import { readSmallBody } from "./bucket.ts";
import { requireBucket, requireObject, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

/** Pushes an updated record to the drives' copies, in the background. */
export function syncRecordCopies(ctx: S3Context, record: VersionRecord): void {
  const json = serializeRecord(record);
  ctx.exec.waitUntil(
    Promise.allSettled(
      drivesOf(ctx.env, record.erasure).map((drive) =>
        drive.updateVersionRecord(
          record.bucket,
          record.key,
          record.versionId,
          record.dataDir,
          json,
        ),
      ),
    ),
  );
}

async function setObjectTags(ctx: S3Context, tags: Tags | undefined): Promise<VersionRecord> {
  const { bucket, key } = requireObject(ctx);
  const versionId = ctx.query.get("versionId");
  const result = await bucketStub(ctx.env, bucket).updateRecord(key, versionId, { tags });
  if (!result.ok && result.error === "MethodNotAllowed") {
    throw new S3Error("MethodNotAllowed", undefined, {
      detail: { Method: ctx.request.method, ResourceType: "DeleteMarker" },
      headers: {
        "x-amz-delete-marker": "true",
        "x-amz-version-id": result.marker.versionId,
        "last-modified": new Date(result.marker.mtime).toUTCString(),
        allow: "DELETE",
      },
    });
  }
  if (!result.ok) {
    throw new S3Error(result.error, undefined, {
      detail: result.error === "NoSuchBucket" ? { BucketName: bucket } : { Key: key },
    });
  }
  syncRecordCopies(ctx, result.version.record);
  return result.version.record;
}

function versionHeader(record: VersionRecord): HeadersInit {
  return record.versionId === "null" ? {} : { "x-amz-version-id": record.versionId };
}

export async function getObjectTagging(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const versionId = ctx.query.get("versionId");
  const lookup = await bucketStub(ctx.env, bucket).getVersion(key, versionId);
  if (!lookup.ok) throw new S3Error(lookup.error, undefined, { detail: { Key: key } });
  return xmlResponse(taggingXml(lookup.version.record.tags ?? {}), {
    headers: versionHeader(lookup.version.record),
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
