/**
 * The target side of site-to-site replication: PutObject and DeleteObject
 * requests carrying x-floe-replication-request (authorized with
 * s3:ReplicateObject / s3:ReplicateDelete by the pipeline). A replica:
 * - keeps the source's version id, mtime, ETag and checksums, and carries
 *   its metadata, tags, retention and legal hold as headers;
 * - is stored with status REPLICA and is never replicated further, so
 *   two-way and mesh setups do not loop; it keeps the deployment id of the
 *   site where the version was first written (x-floe-source-origin), so
 *   existing-object replication never sends it back there;
 * - is a no-op success when the bucket already holds that version with that
 *   ETag (a replay after a lost acknowledgement), but for newer metadata;
 * - a delete marker is stored as a version of its own in its (mtime,
 *   version id) place, whatever the key holds: markers are never merged,
 *   so sites converge whatever order they receive them in
 *   (x-floe-source-covers, sent by earlier releases, is checked and ignored);
 * - may be a metadata-only update (tags, retention, legal hold) of a version
 *   the bucket holds, applied when newer than its last change (last writer
 *   wins by x-floe-source-metadata-timestamp);
 * - needs versioning Enabled on the target bucket.
 * Object lock holds against replicas as against anyone; the coordinator
 * enforces it in the same transaction as the write
 * (durable-objects/bucket/object-lock.ts):
 * - a version under retention or legal hold is never replaced by a replica
 *   of the same version id with other content (AccessDenied);
 * - a metadata replica may extend retention, change tags, add a legal
 *   hold. It may shorten or remove GOVERNANCE retention only when the
 *   caller holds s3:BypassGovernanceRetention, remove a legal hold only when
 *   it holds s3:PutObjectLegalHold (what doing the same directly needs),
 *   and never shorten or remove COMPLIANCE retention. The built-in
 *   ReplicationRemoteUser holds neither, so a hold released (or GOVERNANCE
 *   retention shortened) at the source stays on the target, and the change
 *   is reported FAILED there, until an operator releases it on the target
 *   or grants the replication user those permissions: credentials a source
 *   site stores must not unlock the target's data;
 * - a replicated version delete is refused under lock exactly as an
 *   ordinary DeleteObject?versionId would be;
 * - retention and legal hold reach only buckets with object lock, as on
 *   ordinary writes (InvalidRequest otherwise).
 * Every protocol header is validated before anything is stored
 * (replica-headers.ts). Protocol headers: shared/replication/headers.ts.
 */
import {
  METADATA_ONLY_HEADER,
  SOURCE_DELETE_MARKER_HEADER,
} from "../../../shared/replication/headers.ts";
import { S3Error } from "../../../shared/s3-errors.ts";
import { parseTaggingHeader } from "../../../shared/tags.ts";
import type { FloeConfig } from "../../../shared/config.ts";
import type { BucketInfo } from "../../objects/buckets.ts";
import type { VersionRecord } from "../../../shared/types/version-record.ts";
import { objectArn } from "../../iam/s3-permissions.ts";
import { putObject as storeVersion, type WriteBatch } from "../../objects/put-object.ts";
import { requireExistingBucket } from "../../s3/bucket.ts";
import { requireObject, type S3Context } from "../../s3/context.ts";
import { metadataFromRequest } from "../../s3/object-headers.ts";
import { checkRetentionLimit, mayBypassGovernance } from "../../s3/object-lock.ts";
import {
  replicaMarker,
  replicaMetadata,
  replicaObject,
  type ReplicaMetadata,
} from "./replica-headers.ts";
import {
  findVersion,
  removeVersion,
  syncRecordCopies,
  updateVersion,
} from "../../objects/versions.ts";
import { unwrap } from "../../objects/result.ts";
import { putDeleteMarker } from "../../objects/versioning.ts";

export async function replicaBucket(ctx: S3Context, bucket: string): Promise<BucketInfo> {
  const info = await requireExistingBucket(ctx, bucket);
  if (info.versioning !== "Enabled")
    throw new S3Error(
      "InvalidRequest",
      "Versioning must be Enabled on the replication target bucket.",
    );
  return info;
}

/** Retention and legal hold exactly as the source sends them (no defaults applied). */
export function replicaLock(
  headers: Headers,
  info: BucketInfo,
  config: FloeConfig,
): Pick<VersionRecord, "retention" | "legalHold"> {
  const mode = headers.get("x-amz-object-lock-mode");
  const until = headers.get("x-amz-object-lock-retain-until-date");
  const hold = headers.get("x-amz-object-lock-legal-hold");
  if ((mode !== null || until !== null || hold !== null) && !info.objectLock)
    throw new S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
  if (hold !== null && hold !== "ON" && hold !== "OFF")
    throw new S3Error("InvalidArgument", "Legal hold must be ON or OFF.");
  let retention: VersionRecord["retention"];
  if (mode !== null || until !== null) {
    const retainUntil = Date.parse(until ?? "");
    if ((mode !== "GOVERNANCE" && mode !== "COMPLIANCE") || Number.isNaN(retainUntil))
      throw new S3Error("InvalidArgument", "Invalid object lock retention.");
    retention = { mode, retainUntil };
    checkRetentionLimit(config, retention);
  }
  return { retention, legalHold: hold === "ON" ? true : undefined };
}

/** Applies a replicated tags / retention / legal hold change, last writer wins, under lock. */
async function applyReplicaMetadata(
  ctx: S3Context,
  bucket: string,
  key: string,
  update: ReplicaMetadata,
): Promise<Response> {
  checkRetentionLimit(ctx.config, update.patch.retention);
  await ctx.body().drain();
  const resource = objectArn(bucket, key);
  const scope = { versionId: update.versionId };
  const [bypassGovernance, releaseLegalHold] = await Promise.all([
    ctx.authorizer.allows({ action: "s3:BypassGovernanceRetention", resource }, scope),
    ctx.authorizer.allows({ action: "s3:PutObjectLegalHold", resource }, scope),
  ]);
  unwrap(
    await updateVersion(
      ctx.env,
      (p) => ctx.exec.waitUntil(p),
      bucket,
      key,
      update.versionId,
      update.patch,
      { timestamp: update.timestamp, bypassGovernance, releaseLegalHold },
    ),
  );
  return new Response(null, { status: 200, headers: { "x-amz-version-id": update.versionId } });
}

/** True when a version already has these tags, retention and legal hold. */
function sameReplicatedState(
  record: VersionRecord,
  patch: Pick<VersionRecord, "tags" | "retention" | "legalHold">,
): boolean {
  const tags = (t: VersionRecord["tags"]) =>
    JSON.stringify(Object.entries(t ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  const retention = (r: VersionRecord["retention"]) => (r ? `${r.mode} ${r.retainUntil}` : "");
  return (
    tags(record.tags) === tags(patch.tags) &&
    retention(record.retention) === retention(patch.retention) &&
    (record.legalHold === true) === (patch.legalHold === true)
  );
}

/** A replica PUT; `batch` when it is an entry of a replica batch (replica-batch.ts). */
export async function putReplica(
  ctx: S3Context,
  size: number,
  batch?: WriteBatch,
): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const headers = ctx.request.headers;
  if (headers.get(METADATA_ONLY_HEADER)?.toLowerCase() === "true") {
    const update = replicaMetadata(headers);
    const info = await replicaBucket(ctx, bucket);
    const locks = update.patch.retention !== undefined || update.patch.legalHold === true;
    if (locks && !info.objectLock)
      throw new S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
    return applyReplicaMetadata(ctx, bucket, key, update);
  }
  const source = replicaObject(headers);
  const tagging = headers.get("x-amz-tagging");
  const tags = tagging === null ? undefined : parseTaggingHeader(tagging);
  const metadata = metadataFromRequest(headers);
  const info = await replicaBucket(ctx, bucket);
  const lock = replicaLock(headers, info, ctx.config);
  const { versionId, etag } = source;
  const existing = await findVersion(ctx.env, bucket, key, versionId);
  const answer = (e: string) =>
    new Response(null, { status: 200, headers: { etag: `"${e}"`, "x-amz-version-id": versionId } });
  const held = existing.ok ? existing.value.version.record : null;
  if (held && !held.deleteMarker && held.etag === etag) {
    const patch = { tags, ...lock };
    // The source changed tags or lock state since the held copy: those apply, last writer wins.
    if (
      source.metadataTimestamp !== null &&
      source.metadataTimestamp > (held.metadataTimestamp ?? 0) &&
      !sameReplicatedState(held, patch)
    )
      return applyReplicaMetadata(ctx, bucket, key, {
        versionId,
        timestamp: source.metadataTimestamp,
        patch,
      });
    await ctx.body().drain();
    return answer(held.etag);
  }
  let duplicate = false;
  const record = await storeVersion(
    ctx.env,
    ctx.config,
    (p) => ctx.exec.waitUntil(p),
    {
      bucket,
      key,
      versionId,
      body: ctx.body().stream,
      expectedSize: size,
      ...metadata,
      ...lock,
      tags,
      checksums: {},
      replica: {
        mtime: source.mtime,
        etag,
        checksums: source.checksums,
        metadataTimestamp: source.metadataTimestamp,
        origin: source.origin,
      },
      onCommitted: (committed) => {
        duplicate = committed.duplicate === true;
      },
      verify: ({ md5 }) => {
        // A single-part source ETag is the body's MD5: check it (a multipart one cannot be).
        const hex = Array.from(md5, (b) => b.toString(16).padStart(2, "0")).join("");
        if (etag && !etag.includes("-") && etag !== hex) throw new S3Error("BadDigest");
      },
    },
    batch,
  );
  if (duplicate) {
    // A racing transfer stored the version first; its copies on the drives get the merged record.
    const stored = await findVersion(ctx.env, bucket, key, versionId);
    if (stored.ok)
      syncRecordCopies(ctx.env, (p) => ctx.exec.waitUntil(p), stored.value.version.record);
  }
  return answer(record.etag);
}

export async function deleteReplica(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const headers = ctx.request.headers;
  if (headers.get(SOURCE_DELETE_MARKER_HEADER)?.toLowerCase() === "true") {
    const marker = replicaMarker(headers);
    const info = await replicaBucket(ctx, bucket);
    const { versionId, mtime, origin } = marker;
    await putDeleteMarker(ctx.env, ctx.config, (p) => ctx.exec.waitUntil(p), info, key, {
      versionId,
      mtime,
      origin,
    });
    return new Response(null, {
      status: 204,
      headers: { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId },
    });
  }
  const versionId = ctx.query.get("versionId");
  if (versionId === null)
    throw new S3Error("InvalidArgument", "A replicated delete names the version it removes.");
  await replicaBucket(ctx, bucket);
  const bypass = await mayBypassGovernance(ctx, bucket, key);
  unwrap(
    await removeVersion(ctx.env, bucket, key, versionId, {
      bypassGovernance: bypass,
      replica: true,
    }),
  );
  return new Response(null, { status: 204, headers: { "x-amz-version-id": versionId } });
}
