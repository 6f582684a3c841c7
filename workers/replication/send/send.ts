/**
 * Sending one change to a remote target: ordinary S3 requests signed with
 * the target's credentials (SigV4, UNSIGNED-PAYLOAD) plus the replication
 * headers (shared/replication/headers.ts):
 * - a version: PUT /bucket/key with its metadata, tags, retention, legal
 *   hold, checksums, version id, mtime and ETag; the body streams from the
 *   erasure layer through a FixedLengthStream (so it has a Content-Length)
 *   and, with a bandwidth limit, through the target's throttle;
 * - a multipart version: the same as a multipart upload with the source's
 *   part boundaries, resumable part by part;
 * - a delete marker: DELETE /bucket/key with its version id and mtime;
 * - a version delete: DELETE /bucket/key?versionId=….
 * Versions and delete markers carry their origin (x-floe-source-origin):
 * this site's deployment id for what was written here, the origin a
 * replica arrived with otherwise.
 */
import {
  DEPLOYMENT_ID_HEADER,
  METADATA_ONLY_HEADER,
  REPLICATION_REQUEST_HEADER,
  SOURCE_CHECKSUMS_HEADER,
  SOURCE_METADATA_HEADER,
  SOURCE_METADATA_TIMESTAMP_HEADER,
  SOURCE_DELETE_MARKER_HEADER,
  SOURCE_ETAG_HEADER,
  SOURCE_MTIME_HEADER,
  SOURCE_ORIGIN_HEADER,
  SOURCE_VERSION_ID_HEADER,
} from "../../../shared/replication/headers.ts";
import type { StoredVersion } from "../../../shared/types/bucket-rpc.ts";
import type { UploadProgress } from "../../../shared/types/replication-rpc.ts";
import { peerErrorCode, peerText } from "../../../shared/peer/answer.ts";
import { openVersion } from "../../objects/versions.ts";
import { getDeploymentId } from "../../objects/stubs.ts";
import { originOf } from "../../../shared/types/version-record.ts";
import { throttle } from "./bandwidth.ts";
import { peerClient, type PeerTarget } from "../targets/peer-fetch.ts";

/** Longest a version transfer may take before it counts as failed. */
const PUT_TIMEOUT_MS = 10 * 60_000;
const DELETE_TIMEOUT_MS = 30_000;

export interface SendOutcome {
  ok: boolean;
  status: number;
  /** S3 error code or transport error, when not ok. */
  error: string | null;
  bytes: number;
  /** The target's deployment id, when its answer named it. */
  remote?: string | null;
}

function objectUrl(target: PeerTarget, key: string, query = ""): string {
  return peerClient(target, target.allowlist).objectUrl(target.targetBucket, key, query);
}

/** A signed request to the target through the site's guarded dial, cut off after `timeoutMs`. */
async function signedFetch(
  target: PeerTarget,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: BodyInit | null,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  return peerClient(target, target.allowlist).send(method, url, {
    headers,
    body,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
}

async function outcomeOf(response: Response, bytes: number): Promise<SendOutcome> {
  const remote = response.headers.get(DEPLOYMENT_ID_HEADER);
  if (response.ok) {
    await response.body?.cancel();
    return { ok: true, status: response.status, error: null, bytes, remote };
  }
  const text = await peerText(response).catch(() => "");
  const code = peerErrorCode(text) ?? `HTTP ${response.status}`;
  return { ok: false, status: response.status, error: code, bytes: 0, remote };
}

function failure(error: unknown): SendOutcome {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { ok: false, status: 0, error: message, bytes: 0 };
}

/** The origin header of a version sent from this site (none for a replica that arrived without one). */
async function originHeader(env: Env, stored: StoredVersion): Promise<string | null> {
  return originOf(stored.record, await getDeploymentId(env));
}

/** The headers that describe a version to the target. */
export function versionHeaders(
  stored: StoredVersion,
  storageClass: string | null,
  origin: string | null = null,
): Record<string, string> {
  const { record } = stored;
  const headers: Record<string, string> = {
    [REPLICATION_REQUEST_HEADER]: "true",
    [SOURCE_VERSION_ID_HEADER]: record.versionId,
    [SOURCE_MTIME_HEADER]: String(record.mtime),
    [SOURCE_ETAG_HEADER]: record.etag,
    [SOURCE_METADATA_TIMESTAMP_HEADER]: String(record.metadataTimestamp ?? record.mtime),
    "content-length": String(record.size),
  };
  if (origin !== null) headers[SOURCE_ORIGIN_HEADER] = origin;
  if (Object.keys(record.checksums).length > 0)
    headers[SOURCE_CHECKSUMS_HEADER] = JSON.stringify(record.checksums);
  if (record.contentType) headers["content-type"] = record.contentType;
  for (const [name, value] of Object.entries(record.headers)) headers[name] = value;
  for (const [name, value] of Object.entries(record.userMetadata))
    headers[`x-amz-meta-${name}`] = value;
  const cls = storageClass ?? record.storageClass;
  if (cls !== "STANDARD") headers["x-amz-storage-class"] = cls;
  if (record.tags && Object.keys(record.tags).length > 0)
    headers["x-amz-tagging"] = new URLSearchParams(record.tags).toString();
  if (record.retention) {
    headers["x-amz-object-lock-mode"] = record.retention.mode;
    headers["x-amz-object-lock-retain-until-date"] = new Date(
      record.retention.retainUntil,
    ).toISOString();
  }
  if (record.legalHold) headers["x-amz-object-lock-legal-hold"] = "ON";
  return headers;
}

/** PUTs a version to the target, streaming its bytes. */
export async function sendVersion(
  env: Env,
  target: PeerTarget,
  stored: StoredVersion,
  storageClass: string | null,
): Promise<SendOutcome> {
  const { record } = stored;
  const url = objectUrl(target, record.key);
  try {
    const headers = versionHeaders(stored, storageClass, await originHeader(env, stored));
    const source = await openVersion(env, null, stored, null);
    let stream: ReadableStream<Uint8Array>;
    if (source instanceof Uint8Array) {
      stream = new Blob([source]).stream() as ReadableStream<Uint8Array>;
    } else stream = source;
    if (target.bandwidth) stream = stream.pipeThrough(throttle(target.arn, target.bandwidth));
    const fixed = new FixedLengthStream(record.size);
    const abort = new AbortController();
    const piping = stream.pipeTo(fixed.writable).catch((error: unknown) => {
      abort.abort(error);
    });
    const response = await signedFetch(
      target,
      "PUT",
      url,
      headers,
      fixed.readable,
      PUT_TIMEOUT_MS,
      abort.signal,
    );
    await piping;
    return await outcomeOf(response, record.size);
  } catch (error) {
    return failure(error);
  }
}

/**
 * True when the target already holds this version as it is here: same
 * version id, ETag, size, mtime (to the second, as Last-Modified carries
 * it), content type and user metadata; for a delete marker, a marker with
 * that version id. A HEAD with the target's credentials tells.
 */
export async function remoteMatches(target: PeerTarget, stored: StoredVersion): Promise<boolean> {
  const { record } = stored;
  const url = objectUrl(target, record.key, `?versionId=${encodeURIComponent(record.versionId)}`);
  const response = await signedFetch(target, "HEAD", url, {}, null, DELETE_TIMEOUT_MS);
  await response.body?.cancel();
  if (record.deleteMarker)
    return response.status === 405 && response.headers.get("x-amz-delete-marker") === "true";
  if (response.status !== 200) return false;
  const headers = response.headers;
  if (headers.get("etag") !== `"${record.etag}"`) return false;
  if (headers.get("content-length") !== String(record.size)) return false;
  if (headers.get("last-modified") !== new Date(record.mtime).toUTCString()) return false;
  if ((headers.get("content-type") ?? "") !== (record.contentType ?? "binary/octet-stream"))
    return false;
  const remoteMeta: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("x-amz-meta-")) remoteMeta[name.slice("x-amz-meta-".length)] = value;
  });
  const localMeta = record.userMetadata;
  const keys = new Set([...Object.keys(remoteMeta), ...Object.keys(localMeta)]);
  for (const key of keys) if (remoteMeta[key] !== localMeta[key]) return false;
  const tagCount = Object.keys(record.tags ?? {}).length;
  return (headers.get("x-amz-tagging-count") ?? "0") === String(tagCount);
}

/** Sends a version's tags, retention and legal hold alone (404 when the target lacks the version). */
export async function sendMetadata(
  target: PeerTarget,
  stored: StoredVersion,
): Promise<SendOutcome> {
  const { record } = stored;
  try {
    const response = await signedFetch(
      target,
      "PUT",
      objectUrl(target, record.key),
      {
        [REPLICATION_REQUEST_HEADER]: "true",
        [METADATA_ONLY_HEADER]: "true",
        [SOURCE_VERSION_ID_HEADER]: record.versionId,
        [SOURCE_MTIME_HEADER]: String(record.mtime),
        [SOURCE_METADATA_TIMESTAMP_HEADER]: String(record.metadataTimestamp ?? record.mtime),
        [SOURCE_METADATA_HEADER]: JSON.stringify({
          tags: record.tags ?? {},
          retention: record.retention ?? null,
          legalHold: record.legalHold ?? false,
        }),
        "content-length": "0",
      },
      null,
      DELETE_TIMEOUT_MS,
    );
    return await outcomeOf(response, 0);
  } catch (error) {
    return failure(error);
  }
}

/**
 * Sends a multipart version part by part with the same part boundaries (so
 * the target computes the same ETag), resuming from `progress`: parts the
 * target already acknowledged are not sent again. `save` records progress
 * after every part. A 412 on create means the target already holds the
 * version (its metadata is sent alone then); a lost upload (NoSuchUpload)
 * starts over on the next attempt.
 */
export async function sendMultipart(
  env: Env,
  target: PeerTarget,
  stored: StoredVersion,
  storageClass: string | null,
  progress: UploadProgress | null,
  save: (progress: UploadProgress | null) => Promise<void>,
): Promise<SendOutcome> {
  const { record } = stored;
  const base = objectUrl(target, record.key);
  try {
    let upload = progress;
    if (!upload) {
      const headers = versionHeaders(stored, storageClass, await originHeader(env, stored));
      delete headers["content-length"];
      const created = await signedFetch(
        target,
        "POST",
        `${base}?uploads`,
        headers,
        null,
        DELETE_TIMEOUT_MS,
      );
      // The target already holds the version: only its tags and lock state may lag behind.
      if (created.status === 412) {
        await created.body?.cancel();
        return await sendMetadata(target, stored);
      }
      if (!created.ok) return await outcomeOf(created, 0);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await peerText(created))?.[1];
      if (!uploadId)
        return { ok: false, status: 502, error: "no UploadId from the target", bytes: 0 };
      upload = { uploadId, parts: {} };
      await save(upload);
    }
    let offset = 0;
    let sent = 0;
    for (const part of record.parts) {
      const start = offset;
      offset += part.size;
      if (upload.parts[part.number]) continue;
      const source = await openVersion(
        env,
        null,
        stored,
        part.size > 0 ? { start, end: start + part.size - 1 } : null,
      );
      let stream = source instanceof Uint8Array ? new Blob([source]).stream() : source;
      if (target.bandwidth) stream = stream.pipeThrough(throttle(target.arn, target.bandwidth));
      const fixed = new FixedLengthStream(part.size);
      const abort = new AbortController();
      const piping = stream.pipeTo(fixed.writable).catch((error: unknown) => abort.abort(error));
      const query = `?partNumber=${part.number}&uploadId=${encodeURIComponent(upload.uploadId)}`;
      const response = await signedFetch(
        target,
        "PUT",
        `${base}${query}`,
        { [REPLICATION_REQUEST_HEADER]: "true", "content-length": String(part.size) },
        fixed.readable,
        PUT_TIMEOUT_MS,
        abort.signal,
      );
      await piping;
      if (!response.ok) {
        const outcome = await outcomeOf(response, 0);
        if (outcome.error === "NoSuchUpload") await save(null);
        return outcome;
      }
      await response.body?.cancel();
      upload.parts[part.number] = (response.headers.get("etag") ?? "").replace(/"/g, "");
      sent += part.size;
      await save(upload);
    }
    const body = `<CompleteMultipartUpload>${record.parts
      .map(
        (p) =>
          `<Part><PartNumber>${p.number}</PartNumber><ETag>"${upload.parts[p.number]}"</ETag></Part>`,
      )
      .join("")}</CompleteMultipartUpload>`;
    const completed = await signedFetch(
      target,
      "POST",
      `${base}?uploadId=${encodeURIComponent(upload.uploadId)}`,
      { [REPLICATION_REQUEST_HEADER]: "true", "content-type": "application/xml" },
      body,
      PUT_TIMEOUT_MS,
    );
    const outcome = await outcomeOf(completed, sent);
    if (outcome.error === "NoSuchUpload") await save(null);
    return outcome;
  } catch (error) {
    return failure(error);
  }
}

/** Creates the delete marker on the target. */
export async function sendDeleteMarker(
  env: Env,
  target: PeerTarget,
  stored: StoredVersion,
): Promise<SendOutcome> {
  const { record } = stored;
  try {
    const origin = await originHeader(env, stored);
    const response = await signedFetch(
      target,
      "DELETE",
      objectUrl(target, record.key),
      {
        [REPLICATION_REQUEST_HEADER]: "true",
        [SOURCE_DELETE_MARKER_HEADER]: "true",
        [SOURCE_VERSION_ID_HEADER]: record.versionId,
        [SOURCE_MTIME_HEADER]: String(record.mtime),
        ...(origin === null ? {} : { [SOURCE_ORIGIN_HEADER]: origin }),
      },
      null,
      DELETE_TIMEOUT_MS,
    );
    return await outcomeOf(response, 0);
  } catch (error) {
    return failure(error);
  }
}

/** Deletes a version on the target. */
export async function sendVersionDelete(
  target: PeerTarget,
  key: string,
  versionId: string,
): Promise<SendOutcome> {
  try {
    const response = await signedFetch(
      target,
      "DELETE",
      objectUrl(target, key, `?versionId=${encodeURIComponent(versionId)}`),
      { [REPLICATION_REQUEST_HEADER]: "true" },
      null,
      DELETE_TIMEOUT_MS,
    );
    return await outcomeOf(response, 0);
  } catch (error) {
    return failure(error);
  }
}
