/**
 * Removing many objects: keys (or versions) are listed and deleted in
 * batches of up to 1000 with DeleteObjects, S3's limit per request. Failed
 * keys are reported one by one and the rest go on. Emptying a bucket also
 * aborts its unfinished multipart uploads, whose parts would otherwise keep
 * DeleteBucket from succeeding.
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  type ObjectIdentifier,
  type S3Client,
} from "@aws-sdk/client-s3";
import { isNotImplemented, type ErrorReport } from "../core/errors.ts";
import type { ObjectEntry } from "./entries.ts";
import { listObjects, listVersions } from "./list-remote.ts";

const BATCH = 1000;

export interface RemoveCallbacks {
  onRemoved(entry: ObjectIdentifier): void;
  onFailed(entry: ObjectIdentifier, error: ErrorReport): void;
}

export interface RemoveOptions {
  /** Every version and delete marker, not only current objects. */
  versions: boolean;
  /** Only entries this accepts. */
  filter?: (entry: ObjectEntry) => boolean;
  bypassGovernance?: boolean;
  signal?: AbortSignal;
}

export interface RemoveResult {
  removed: number;
  failed: number;
  firstError?: ErrorReport;
}

/** Removes everything under `prefix`; returns how many entries were removed and failed. */
export async function removePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: RemoveOptions,
  callbacks: RemoveCallbacks,
): Promise<RemoveResult> {
  const list = options.versions ? listVersions : listObjects;
  const counts: RemoveResult = { removed: 0, failed: 0 };
  let batch: ObjectIdentifier[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await deleteBatch(client, bucket, batch, options, callbacks);
    counts.removed += result.removed;
    counts.failed += result.failed;
    counts.firstError ??= result.firstError;
    batch = [];
  };
  for await (const item of list(client, bucket, prefix, {
    recursive: true,
    signal: options.signal,
  })) {
    if (item.type !== "object") continue;
    if (options.filter && !options.filter(item.entry)) continue;
    batch.push({
      Key: item.entry.key,
      VersionId: options.versions ? item.entry.versionId : undefined,
    });
    if (batch.length === BATCH) await flush();
  }
  await flush();
  return counts;
}

/** Deletes up to 1000 objects or versions in one request. */
export async function deleteBatch(
  client: S3Client,
  bucket: string,
  objects: ObjectIdentifier[],
  options: Pick<RemoveOptions, "bypassGovernance" | "signal">,
  callbacks: RemoveCallbacks,
): Promise<RemoveResult> {
  const out = await client.send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: objects, Quiet: true },
      BypassGovernanceRetention: options.bypassGovernance || undefined,
    }),
    { abortSignal: options.signal },
  );
  const failedKeys = new Set<string>();
  let firstError: ErrorReport | undefined;
  for (const error of out.Errors ?? []) {
    failedKeys.add(`${error.Key}\u0000${error.VersionId ?? ""}`);
    const report = { code: error.Code ?? "Error", message: error.Message ?? "Delete failed." };
    firstError ??= report;
    callbacks.onFailed({ Key: error.Key, VersionId: error.VersionId }, report);
  }
  for (const object of objects) {
    if (!failedKeys.has(`${object.Key}\u0000${object.VersionId ?? ""}`))
      callbacks.onRemoved(object);
  }
  return { removed: objects.length - failedKeys.size, failed: failedKeys.size, firstError };
}

type UploadsPage = Pick<
  ListMultipartUploadsCommandOutput,
  "Uploads" | "IsTruncated" | "NextKeyMarker" | "NextUploadIdMarker"
>;

/** Aborts every unfinished multipart upload in a bucket; returns how many (0 where listing uploads is not implemented). */
export async function abortUploads(
  client: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<number> {
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page: UploadsPage = await client
      .send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
        { abortSignal: signal },
      )
      .catch((error: unknown) => {
        if (isNotImplemented(error)) return { Uploads: [], IsTruncated: false };
        throw error;
      });
    for (const upload of page.Uploads ?? []) {
      await client.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: upload.Key,
          UploadId: upload.UploadId,
        }),
        { abortSignal: signal },
      );
      aborted++;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return aborted;
}
