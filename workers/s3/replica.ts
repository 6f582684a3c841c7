/**
 * The target side of site-to-site replication: PutObject and DeleteObject
 * requests carrying x-floe-replication-request (authorized with
 * s3:ReplicateObject / s3:ReplicateDelete by the pipeline). A replica:
 * - keeps the source's version id, mtime, ETag and checksums, and carries
 *   its metadata, tags, retention and legal hold as headers;
 * - is stored with status REPLICA and is never replicated further, so
 *   two-way and mesh setups do not loop;
 * - is a no-op success when the bucket already holds that version with that
 *   ETag (a replay after a lost acknowledgement), but for newer metadata;
 * - may be a metadata-only update (tags, retention, legal hold) of a version
 *   the bucket holds, applied when newer than its last change (last writer
 *   wins by x-floe-source-metadata-timestamp);
 * - needs versioning Enabled on the target bucket.
 * Protocol headers: shared/replication/headers.ts.
 */
import { z } from "zod";
import {
  METADATA_ONLY_HEADER,
  SOURCE_METADATA_HEADER,
  SOURCE_METADATA_TIMESTAMP_HEADER,
  SOURCE_COVERS_HEADER,
  SOURCE_DELETE_MARKER_HEADER,
  SOURCE_ETAG_HEADER,
  SOURCE_MTIME_HEADER,
  SOURCE_VERSION_ID_HEADER,
} from "../../shared/replication/headers.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseTaggingHeader } from "../../shared/tags.ts";
import type { BucketInfo } from "../../durable-objects/bucket/types.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { bucketStub, getDeploymentId } from "../storage/stubs.ts";
import { writeObject } from "../storage/write-object.ts";
import { requireExistingBucket } from "./bucket.ts";
import { requireObject, type S3Context } from "./context.ts";
import { metadataFromRequest } from "./object-headers.ts";
import { syncRecordCopies } from "./tagging.ts";
import { writeDeleteMarker } from "./versioning.ts";

/** Header with the source's checksums as JSON (algorithm → base64), stored as given. */
export const SOURCE_CHECKSUMS_HEADER = "x-floe-source-checksums";

const VERSION_ID = /^(null|[0-9a-fA-F-]{1,64})$/;
const checksumsSchema = z.record(z.string().regex(/^[a-z0-9]+$/), z.string().max(200));

export function sourceVersion(headers: Headers): { versionId: string; mtime: number } {
  const versionId = headers.get(SOURCE_VERSION_ID_HEADER);
  const mtime = Number(headers.get(SOURCE_MTIME_HEADER));
  if (!versionId || !VERSION_ID.test(versionId))
    throw new S3Error("InvalidArgument", `A replica needs ${SOURCE_VERSION_ID_HEADER}.`);
  if (!Number.isSafeInteger(mtime) || mtime <= 0)
    throw new S3Error("InvalidArgument", `A replica needs ${SOURCE_MTIME_HEADER} (ms).`);
  return { versionId, mtime };
}

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
): Pick<VersionRecord, "retention" | "legalHold"> {
  const mode = headers.get("x-amz-object-lock-mode");
  const until = headers.get("x-amz-object-lock-retain-until-date");
  const hold = headers.get("x-amz-object-lock-legal-hold");
  if ((mode !== null || hold !== null) && !info.objectLock)
    throw new S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
  let retention: VersionRecord["retention"];
  if ((mode === "GOVERNANCE" || mode === "COMPLIANCE") && until !== null) {
    const retainUntil = Date.parse(until);
    if (Number.isNaN(retainUntil))
      throw new S3Error("InvalidArgument", "Invalid object lock retention.");
    retention = { mode, retainUntil };
  }
  return { retention, legalHold: hold === "ON" ? true : undefined };
}

const metadataSchema = z.object({
  tags: z.record(z.string(), z.string()),
  retention: z
    .object({ mode: z.enum(["GOVERNANCE", "COMPLIANCE"]), retainUntil: z.number() })
    .nullable(),
  legalHold: z.boolean(),
});

export function metadataTimestamp(headers: Headers): number | null {
  const value = Number(headers.get(SOURCE_METADATA_TIMESTAMP_HEADER));
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** Applies a replicated tags / retention / legal hold change, last writer wins. */
async function replicaMetadata(ctx: S3Context, bucket: string, key: string, versionId: string) {
  const headers = ctx.request.headers;
  const timestamp = metadataTimestamp(headers);
  let parsed: z.infer<typeof metadataSchema>;
  try {
    parsed = metadataSchema.parse(JSON.parse(headers.get(SOURCE_METADATA_HEADER) ?? ""));
  } catch {
    throw new S3Error("InvalidArgument", `Invalid ${SOURCE_METADATA_HEADER}.`);
  }
  if (timestamp === null)
    throw new S3Error(
      "InvalidArgument",
      `A metadata replica needs ${SOURCE_METADATA_TIMESTAMP_HEADER}.`,
    );
  await ctx.body().drain();
  const result = await bucketStub(ctx.env, bucket).updateRecord(
    key,
    versionId,
    {
      tags: Object.keys(parsed.tags).length > 0 ? parsed.tags : undefined,
      retention: parsed.retention ?? undefined,
      legalHold: parsed.legalHold ? true : undefined,
    },
    timestamp,
  );
  if (!result.ok)
    throw new S3Error(result.error, undefined, { detail: { Key: key, VersionId: versionId } });
  syncRecordCopies(ctx, result.version.record);
  return new Response(null, { status: 200, headers: { "x-amz-version-id": versionId } });
}

/** The source's checksums (x-floe-source-checksums), or null when not sent. */
export function sourceChecksums(headers: Headers): Record<string, string> | null {
  const header = headers.get(SOURCE_CHECKSUMS_HEADER);
  if (!header) return null;
  let value: unknown;
  try {
    value = JSON.parse(header);
  } catch {
    throw new S3Error("InvalidArgument", `Invalid ${SOURCE_CHECKSUMS_HEADER}.`);
  }
  const parsed = checksumsSchema.safeParse(value);
  if (!parsed.success) throw new S3Error("InvalidArgument", `Invalid ${SOURCE_CHECKSUMS_HEADER}.`);
  return parsed.data;
}

export async function putReplica(ctx: S3Context, size: number): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const headers = ctx.request.headers;
  const { versionId, mtime } = sourceVersion(headers);
  if (headers.get(METADATA_ONLY_HEADER)?.toLowerCase() === "true") {
    await replicaBucket(ctx, bucket);
    return replicaMetadata(ctx, bucket, key, versionId);
  }
  const [info, deploymentId] = await Promise.all([
    replicaBucket(ctx, bucket),
    getDeploymentId(ctx.env),
  ]);
  const etag = headers.get(SOURCE_ETAG_HEADER);
  const existing = await bucketStub(ctx.env, bucket).getVersion(key, versionId);
  const answer = (e: string) =>
    new Response(null, { status: 200, headers: { etag: `"${e}"`, "x-amz-version-id": versionId } });
  if (
    existing.ok &&
    !existing.version.record.deleteMarker &&
    existing.version.record.etag === etag
  ) {
    await ctx.body().drain();
    return answer(existing.version.record.etag);
  }
  let checksums: Record<string, string> | null = null;
  const checksumHeader = headers.get(SOURCE_CHECKSUMS_HEADER);
  if (checksumHeader) {
    const parsed = checksumsSchema.safeParse(JSON.parse(checksumHeader));
    if (!parsed.success)
      throw new S3Error("InvalidArgument", `Invalid ${SOURCE_CHECKSUMS_HEADER}.`);
    checksums = parsed.data;
  }
  const tagging = headers.get("x-amz-tagging");
  const record = await writeObject(
    { env: ctx.env, config: ctx.config, deploymentId, waitUntil: (p) => ctx.exec.waitUntil(p) },
    {
      bucket,
      key,
      versionId,
      body: ctx.body().stream,
      expectedSize: size,
      ...metadataFromRequest(headers),
      ...replicaLock(headers, info),
      tags: tagging === null ? undefined : parseTaggingHeader(tagging),
      checksums: {},
      replica: { mtime, etag, checksums, metadataTimestamp: metadataTimestamp(headers) },
      verify: ({ md5 }) => {
        // A single-part source ETag is the body's MD5: check it (a multipart one cannot be).
        const hex = Array.from(md5, (b) => b.toString(16).padStart(2, "0")).join("");
        if (etag && !etag.includes("-") && etag !== hex) throw new S3Error("BadDigest");
      },
    },
  );
  return answer(record.etag);
}

export async function deleteReplica(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const headers = ctx.request.headers;
  const info = await replicaBucket(ctx, bucket);
  if (headers.get(SOURCE_DELETE_MARKER_HEADER)?.toLowerCase() === "true") {
    const { versionId, mtime } = sourceVersion(headers);
    const covers = headers.get(SOURCE_COVERS_HEADER) ?? "";
    await writeDeleteMarker(ctx, info, key, { versionId, mtime, covers });
    return new Response(null, {
      status: 204,
      headers: { "x-amz-delete-marker": "true", "x-amz-version-id": versionId },
    });
  }
  const versionId = ctx.query.get("versionId");
  if (versionId === null)
    throw new S3Error("InvalidArgument", "A replicated delete names the version it removes.");
  const result = await bucketStub(ctx.env, bucket).deleteVersion(key, versionId, false, true);
  if (!result.ok) throw new S3Error(result.error, undefined, { detail: { Key: key } });
  return new Response(null, { status: 204, headers: { "x-amz-version-id": versionId } });
}
