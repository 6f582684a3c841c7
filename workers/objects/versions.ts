/**
 * Object versions in the object layer: finding one, reading its bytes,
 * removing it, and changing what S3 lets change on a stored version (tags,
 * retention, legal hold). Failures come back as `ObjectResult`s in S3's
 * terms, with the elements S3 puts beside them: NoSuchBucket names the
 * bucket, NoSuchKey the key, NoSuchVersion the key and version id. A read
 * of a delete marker fails as S3's reads do: 404 NoSuchKey when it is the
 * latest version, 405 MethodNotAllowed when it is asked for by id (both with
 * x-amz-delete-marker). Reading a version whose replication is unfinished
 * requeues it, and a read that meets damaged shards queues a heal, as
 * MinIO does.
 */
import { serializeRecord, type VersionRecord } from "../../shared/types/version-record.ts";
import type { ReplicationStatus } from "../../shared/replication/status.ts";
import type { ReplicaMetadataChange, StoredVersion } from "../../shared/types/bucket-rpc.ts";
import { drivesOf } from "./erasure/erasure-set.ts";
import { openObjectStream, type ByteRange } from "./erasure/read-object.ts";

export type { ByteRange, StoredVersion };
import { fail, noSuchBucket, ok, type ObjectFailure, type ObjectResult } from "./result.ts";
import { bucketStub } from "./stubs.ts";

/** A stored version as a read finds it. */
export interface FoundVersion {
  version: StoredVersion;
  /** True once versioning was ever configured on the bucket (responses then name the null version). */
  versioned: boolean;
  /** x-amz-replication-status of the version; null when it is not replicated. */
  replicationStatus: ReplicationStatus | null;
}

/** Lets background work outlive the request (the invocation's waitUntil). */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** The record change S3 allows on a stored version. */
export type VersionPatch = Partial<Pick<VersionRecord, "tags" | "retention" | "legalHold">>;

type VersionError = "NoSuchBucket" | "NoSuchKey" | "NoSuchVersion" | "AccessDenied";

function versionFailure(
  bucket: string,
  key: string,
  versionId: string | null,
  error: VersionError,
): { ok: false; error: ObjectFailure } {
  if (error === "NoSuchBucket") return noSuchBucket(bucket);
  if (error === "NoSuchVersion")
    return fail(error, { detail: { Key: key, VersionId: versionId ?? "" } });
  if (error === "NoSuchKey") return fail(error, { detail: { Key: key } });
  return fail(error);
}

/** The headers S3 sends with any answer about a delete marker. */
function markerHeaders(marker: { versionId: string; mtime: number }): Record<string, string> {
  return {
    "x-amz-delete-marker": "true",
    "x-amz-version-id": marker.versionId,
    "last-modified": new Date(marker.mtime).toUTCString(),
  };
}

/** 405 for an operation a delete marker does not support. */
function markerRefusal(marker: { versionId: string; mtime: number }): {
  ok: false;
  error: ObjectFailure;
} {
  return fail("MethodNotAllowed", {
    detail: { ResourceType: "DeleteMarker" },
    headers: { ...markerHeaders(marker), allow: "DELETE" },
  });
}

/** Pushes an updated record to the drives' copies, in the background. */
export function syncRecordCopies(env: Env, waitUntil: WaitUntil, record: VersionRecord): void {
  const json = serializeRecord(record);
  waitUntil(
    Promise.allSettled(
      drivesOf(env, record.erasure).map((drive) =>
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

/** The latest version of `key` (versionId null) or the one named, delete markers included. */
export async function findVersion(
  env: Env,
  bucket: string,
  key: string,
  versionId: string | null,
): Promise<ObjectResult<FoundVersion>> {
  const lookup = await bucketStub(env, bucket).getVersion(key, versionId);
  if (!lookup.ok) return versionFailure(bucket, key, versionId, lookup.error);
  return ok({
    version: lookup.version,
    versioned: lookup.versioned === true,
    replicationStatus: lookup.replicationStatus ?? null,
  });
}

/**
 * The version a read (GET, HEAD, attributes, tags) names: a delete marker is
 * refused as S3 refuses it. Unfinished replication of the version is requeued.
 */
export async function readableVersion(
  env: Env,
  waitUntil: WaitUntil,
  bucket: string,
  key: string,
  versionId: string | null,
): Promise<ObjectResult<FoundVersion>> {
  const found = await findVersion(env, bucket, key, versionId);
  if (!found.ok) return found;
  const { record } = found.value.version;
  if (record.deleteMarker) {
    if (versionId === null)
      return fail("NoSuchKey", { detail: { Key: key }, headers: markerHeaders(record) });
    return markerRefusal(record);
  }
  const status = found.value.replicationStatus;
  if (status === "PENDING" || status === "FAILED")
    waitUntil(bucketStub(env, bucket).requeueVersion(key, record.versionId));
  return found;
}

/**
 * The bytes of a version in `range` (all when null); damage seen on the way
 * queues a heal, unless `waitUntil` is null (the replication sender).
 */
export function openVersion(
  env: Env,
  waitUntil: WaitUntil | null,
  stored: StoredVersion,
  range: ByteRange | null,
): Promise<ReadableStream<Uint8Array> | Uint8Array> {
  const { record } = stored;
  return openObjectStream(env, stored, range, {
    onDamage: () =>
      waitUntil?.(bucketStub(env, record.bucket).scheduleHeal(record.key, record.versionId)),
  });
}

/**
 * Removes a version permanently (the null version when `versionId` is null)
 * and returns it (null when there was none: deleting what does not exist
 * succeeds, as in S3). AccessDenied while object lock protects it. A replica
 * delete (from another site) is not replicated further.
 */
export async function removeVersion(
  env: Env,
  bucket: string,
  key: string,
  versionId: string | null,
  options: { bypassGovernance: boolean; replica?: boolean },
): Promise<ObjectResult<VersionRecord | null>> {
  const result = await bucketStub(env, bucket).deleteVersion(
    key,
    versionId,
    options.bypassGovernance,
    options.replica ?? false,
  );
  if (!result.ok) return versionFailure(bucket, key, versionId, result.error);
  return ok(result.deleted);
}

/**
 * Changes tags or legal hold of a version and returns it updated; a delete
 * marker has neither (405). With `replica`, a change replicated from another
 * site: applied when newer than the version's last change, within what object
 * lock allows the caller. The drives' copies of the record follow in the
 * background (a copy left stale by an offline drive is fixed by heal).
 */
export async function updateVersion(
  env: Env,
  waitUntil: WaitUntil,
  bucket: string,
  key: string,
  versionId: string | null,
  patch: VersionPatch,
  replica: ReplicaMetadataChange | null = null,
): Promise<ObjectResult<StoredVersion>> {
  const result = await bucketStub(env, bucket).updateRecord(key, versionId, patch, replica);
  if (result.ok) {
    syncRecordCopies(env, waitUntil, result.version.record);
    return ok(result.version);
  }
  if (result.error === "MethodNotAllowed") return markerRefusal(result.marker);
  return versionFailure(bucket, key, versionId, result.error);
}

/** Sets or removes a version's retention under the object lock rules (AccessDenied without bypass). */
export async function setVersionRetention(
  env: Env,
  waitUntil: WaitUntil,
  bucket: string,
  key: string,
  versionId: string | null,
  retention: VersionRecord["retention"],
  bypassGovernance: boolean,
): Promise<ObjectResult<StoredVersion>> {
  const result = await bucketStub(env, bucket).setRetention(
    key,
    versionId,
    retention,
    bypassGovernance,
  );
  if (result.ok) {
    syncRecordCopies(env, waitUntil, result.version.record);
    return ok(result.version);
  }
  if (result.error === "MethodNotAllowed") return markerRefusal(result.marker);
  return versionFailure(bucket, key, versionId, result.error);
}
