/**
 * Object handlers: PutObject, GetObject, HeadObject, DeleteObject. ETags
 * are the hex MD5 of the content in double quotes. A PUT is visible only
 * once fully written at write quorum; a failed PUT leaves the previous
 * version as it was. GET serves single ranges (206 + Content-Range) and
 * touches only the erasure blocks the range covers.
 */
import { MAX_KEY_BYTES, keyBytes } from "../../shared/names.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { findVersion, openVersion, readableVersion, removeVersion } from "../objects/versions.ts";
import { unwrap } from "../objects/result.ts";
import { putObject as storeVersion } from "../objects/put-object.ts";
import { requireExistingBucket } from "./bucket.ts";
import { requireObject, type S3Context } from "./context.ts";
import { metadataFromRequest, objectResponseHeaders } from "./object-headers.ts";
import { parseRange } from "./range.ts";
import {
  declaredPayloadLength,
  parseContentMd5,
  parsePartNumber,
  sameBytes,
} from "./upload-params.ts";
import type { ByteRange } from "../objects/versions.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { addChecksumHeaders, checksumPlan, finishChecksum } from "./checksum-headers.ts";
import { checkReadConditions, writeCondition, type WriteCondition } from "./conditions.ts";
import { parseTaggingHeader } from "../../shared/tags.ts";
import type { BucketInfo } from "../objects/buckets.ts";
import type { StoredVersion } from "../objects/versions.ts";
import { putDeleteMarker, versionIdFor } from "../objects/versioning.ts";
import { isReplicaRequest } from "../iam/s3-permissions.ts";
import { deleteReplica, putReplica } from "../replication/receive/replica.ts";
import { replicateInline } from "../replication/send/sync.ts";
import { lockForWrite, lockHeaders, mayBypassGovernance } from "./object-lock.ts";

/** Largest single PUT S3 accepts (5 GiB). */
const MAX_PUT_SIZE = 5 * 1024 ** 3;

function checkKey(key: string): void {
  if (keyBytes(key) > MAX_KEY_BYTES) throw new S3Error("KeyTooLongError");
}

export async function putObject(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  checkKey(key);
  const size = declaredPayloadLength(ctx);
  if (size === null) throw new S3Error("MissingContentLength");
  if (size > MAX_PUT_SIZE) throw new S3Error("EntityTooLarge");
  if (isReplicaRequest(ctx.request.headers)) return putReplica(ctx, size);
  const contentMd5 = parseContentMd5(ctx.request.headers.get("content-md5"));
  const metadata = metadataFromRequest(ctx.request.headers);
  const tagging = ctx.request.headers.get("x-amz-tagging");
  const tags = tagging === null ? undefined : parseTaggingHeader(tagging);
  const condition = writeCondition(ctx.request.headers);
  const checksum = checksumPlan(ctx.request.headers);
  const info = await requireExistingBucket(ctx, bucket);
  if (condition) await precheckCondition(ctx, bucket, key, condition);
  let syncTargets: string[] = [];
  const record = await storeVersion(ctx.env, ctx.config, (p) => ctx.exec.waitUntil(p), {
    bucket,
    key,
    versionId: versionIdFor(info, key),
    body: ctx.body().stream,
    expectedSize: size,
    ...metadata,
    ...lockForWrite(ctx, info),
    tags,
    condition,
    checksums: {},
    hashers: checksum ? [checksum.checksum] : [],
    verify: async ({ md5 }) => {
      if (contentMd5 && !sameBytes(contentMd5, md5)) throw new S3Error("BadDigest");
      return { checksums: await finishChecksum(checksum, ctx.body().trailers) };
    },
    onCommitted: (result) => {
      syncTargets = result.syncTargets ?? [];
    },
  });
  if (syncTargets.length > 0)
    await replicateInline(
      ctx.env,
      ctx.exec,
      { bucket, key, versionId: record.versionId },
      syncTargets,
    );
  const headers = new Headers({ etag: `"${record.etag}"` });
  for (const [algorithm, value] of Object.entries(record.checksums))
    headers.set(`x-amz-checksum-${algorithm}`, value);
  if (info.versioning !== "") headers.set("x-amz-version-id", record.versionId);
  return new Response(null, { status: 200, headers });
}

/** Fails a conditional PUT early (the commit checks again, atomically). */
async function precheckCondition(
  ctx: S3Context,
  bucket: string,
  key: string,
  condition: NonNullable<WriteCondition>,
) {
  const found = await findVersion(ctx.env, bucket, key, null);
  const current = found.ok ? found.value.version.record : null;
  const exists = current !== null && !current.deleteMarker;
  if ("ifNoneMatch" in condition && exists)
    throw new S3Error("PreconditionFailed", undefined, { detail: { Condition: "If-None-Match" } });
  if ("ifMatch" in condition) {
    if (!exists) throw new S3Error("NoSuchKey", undefined, { detail: { Key: key } });
    if (current.etag !== condition.ifMatch) {
      throw new S3Error("PreconditionFailed", undefined, { detail: { Condition: "If-Match" } });
    }
  }
}

const RESPONSE_OVERRIDES: [string, string][] = [
  ["response-content-type", "content-type"],
  ["response-content-language", "content-language"],
  ["response-expires", "expires"],
  ["response-cache-control", "cache-control"],
  ["response-content-disposition", "content-disposition"],
  ["response-content-encoding", "content-encoding"],
];

/** Applies GET's response-* query overrides (signed requests only, as S3). */
function applyOverrides(ctx: S3Context, headers: Headers): void {
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = ctx.query.get(param);
    if (value === null) continue;
    if (!ctx.identity)
      throw new S3Error(
        "InvalidRequest",
        "Request specific response headers cannot be used for anonymous GET requests.",
      );
    headers.set(header, value);
  }
}

/** The version a read names (versionId or the latest); S3 errors for missing ones and delete markers. */
export async function lookupVersion(
  ctx: S3Context,
): Promise<{ stored: StoredVersion; versioned: boolean; replication: string | null }> {
  const { bucket, key } = requireObject(ctx);
  const versionId = ctx.query.get("versionId");
  const found = unwrap(
    await readableVersion(ctx.env, (p) => ctx.exec.waitUntil(p), bucket, key, versionId),
  );
  const { record } = found.version;
  return {
    stored: found.version,
    versioned: versionId !== null || found.versioned || record.versionId !== "null",
    replication: found.replicationStatus,
  };
}

/**
 * The byte range of `?partNumber=N`: a part of a multipart object (part 1 of
 * any other object is all of it). Null without the parameter.
 */
function partRange(
  ctx: S3Context,
  record: VersionRecord,
): { range: ByteRange | null; parts: number } | null {
  const value = ctx.query.get("partNumber");
  if (value === null) return null;
  const number = parsePartNumber(value);
  if (ctx.request.headers.has("range")) {
    throw new S3Error(
      "InvalidRequest",
      "Cannot specify both Range header and partNumber query parameter",
    );
  }
  const multipart = /-\d+$/.test(record.etag);
  if (!multipart) {
    if (number !== 1) throw new S3Error("InvalidPartNumber");
    return { range: null, parts: 1 };
  }
  let offset = 0;
  for (const part of record.parts) {
    if (part.number === number) {
      return {
        range: part.size > 0 ? { start: offset, end: offset + part.size - 1 } : null,
        parts: record.parts.length,
      };
    }
    offset += part.size;
  }
  throw new S3Error("InvalidPartNumber");
}

export async function getObject(ctx: S3Context): Promise<Response> {
  const { stored, versioned, replication } = await lookupVersion(ctx);
  const { record } = stored;
  checkReadConditions(ctx.request.headers, record);
  const part = partRange(ctx, record);
  const range = part ? part.range : parseRange(ctx.request.headers.get("range"), record.size);
  const body = await openVersion(ctx.env, (p) => ctx.exec.waitUntil(p), stored, range);
  const headers = objectResponseHeaders(record, versioned);
  if (replication) headers.set("x-amz-replication-status", replication);
  applyOverrides(ctx, headers);
  lockHeaders(headers, record);
  addChecksumHeaders(headers, ctx.request.headers, record, range === null);
  const length = range ? range.end - range.start + 1 : record.size;
  headers.set("content-length", String(length));
  if (range) headers.set("content-range", `bytes ${range.start}-${range.end}/${record.size}`);
  if (part && part.parts > 1) headers.set("x-amz-mp-parts-count", String(part.parts));
  const status = range && !(part && part.parts === 1) ? 206 : 200;
  if (body instanceof Uint8Array) return new Response(body, { status, headers });
  const fixed = new FixedLengthStream(length);
  ctx.exec.waitUntil(body.pipeTo(fixed.writable).catch(() => undefined));
  return new Response(fixed.readable, { status, headers });
}

export async function headObject(ctx: S3Context): Promise<Response> {
  const { stored, versioned, replication } = await lookupVersion(ctx);
  checkReadConditions(ctx.request.headers, stored.record);
  const headers = objectResponseHeaders(stored.record, versioned);
  if (replication) headers.set("x-amz-replication-status", replication);
  const part = partRange(ctx, stored.record);
  addChecksumHeaders(headers, ctx.request.headers, stored.record, part === null);
  lockHeaders(headers, stored.record);
  const range = part?.range ?? null;
  headers.set("content-length", String(range ? range.end - range.start + 1 : stored.record.size));
  if (part && part.parts > 1) {
    headers.set("x-amz-mp-parts-count", String(part.parts));
    if (range)
      headers.set("content-range", `bytes ${range.start}-${range.end}/${stored.record.size}`);
    return new Response(null, { status: 206, headers });
  }
  return new Response(null, { status: 200, headers });
}

/**
 * Deletes one key as S3 does: with a version id, that version permanently;
 * otherwise the null version in an unversioned bucket, or a new delete
 * marker in a versioned one (a null marker while versioning is suspended).
 */
export async function deleteKey(
  ctx: S3Context,
  info: BucketInfo,
  key: string,
  versionId: string | null,
): Promise<{ versionId: string | null; deleteMarker: boolean }> {
  // An empty id names no version: answering success would claim a deletion that never happened.
  if (versionId === "")
    throw new S3Error("InvalidArgument", "Version id cannot be the empty string");
  if (versionId !== null || info.versioning === "") {
    const bypass = await mayBypassGovernance(ctx, info.name, key);
    const deleted = unwrap(
      await removeVersion(ctx.env, info.name, key, versionId, { bypassGovernance: bypass }),
    );
    return { versionId, deleteMarker: deleted?.deleteMarker ?? false };
  }
  const marker = await putDeleteMarker(
    ctx.env,
    ctx.config,
    (p) => ctx.exec.waitUntil(p),
    info,
    key,
  );
  return { versionId: marker.versionId, deleteMarker: true };
}

export async function deleteObject(ctx: S3Context): Promise<Response> {
  if (isReplicaRequest(ctx.request.headers)) return deleteReplica(ctx);
  const { bucket, key } = requireObject(ctx);
  const info = await requireExistingBucket(ctx, bucket);
  const deleted = await deleteKey(ctx, info, key, ctx.query.get("versionId"));
  const headers = new Headers();
  if (deleted.versionId !== null) headers.set("x-amz-version-id", deleted.versionId);
  if (deleted.deleteMarker) headers.set("x-amz-delete-marker", "true");
  return new Response(null, { status: 204, headers });
}
