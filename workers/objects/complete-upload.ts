/**
 * CompleteMultipartUpload in the object layer. The requested part list is
 * checked against what was uploaded: part numbers strictly ascending
 * (InvalidPartOrder), each part present with that ETag and any checksum the
 * request names (InvalidPart), every part but the last at least 5 MiB
 * (EntityTooSmall), and a stated x-amz-mp-object-size equal to the parts'
 * total (InvalidRequest). One version is then committed whose ETag is the
 * MD5 of the parts' binary MD5s followed by "-N" (a replica keeps the
 * source's version id, mtime and ETag). If the commit fails, only the
 * record copies go: the parts stay uploaded for a retry.
 */
import { createHash } from "node:crypto";
import { S3Error } from "../../shared/s3-errors.ts";
import { replicaStamp, type VersionRecord } from "../../shared/types/version-record.ts";
import type { BucketInfo } from "../../shared/types/bucket-rpc.ts";
import { writeSlots } from "./erasure/write-blocks.ts";
import { commitRecord, discardWrite, type CommitSuccess } from "./erasure/write-object.ts";
import { bucketStub, getDeploymentId } from "./stubs.ts";
import {
  listUploadParts,
  uploadAttributes,
  type UploadAttributes,
  type UploadedPart,
  type UploadInfo,
} from "./uploads.ts";
import { versionIdFor } from "./versioning.ts";
import type { WaitUntil } from "./versions.ts";
import type { FloeConfig } from "../../shared/config.ts";

const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** A part as CompleteMultipartUpload names it. */
export interface RequestedPart {
  number: number;
  /** Hex MD5, unquoted, lower case. */
  etag: string;
  checksums: Record<string, string>;
}

export interface Completion {
  parts: RequestedPart[];
  /** x-amz-mp-object-size, when the request states it. */
  statedSize: string | null;
  /** The object's checksums from its parts (the S3 layer's checksum rules). */
  checksums(parts: UploadedPart[], attributes: UploadAttributes): Record<string, string>;
}

/** The multipart ETag: MD5 of the concatenated binary part MD5s, then "-N". */
export function multipartEtag(partEtags: string[]): string {
  const hash = createHash("md5");
  for (const etag of partEtags) hash.update(Buffer.from(etag, "hex"));
  return `${hash.digest("hex")}-${partEtags.length}`;
}

/** The uploaded parts the request names, checked as S3 checks them. */
async function chosenParts(
  env: Env,
  bucket: string,
  upload: UploadInfo,
  requested: RequestedPart[],
): Promise<UploadedPart[]> {
  const uploaded = new Map(
    (await listUploadParts(env, bucket, upload.uploadId, 0, MAX_PARTS)).map((p) => [p.number, p]),
  );
  const parts: UploadedPart[] = [];
  requested.forEach((want, i) => {
    if (i > 0 && want.number <= requested[i - 1].number) throw new S3Error("InvalidPartOrder");
    const have = uploaded.get(want.number);
    const checksumMismatch =
      have &&
      Object.entries(want.checksums).some(
        ([algorithm, value]) => have.checksums[algorithm] !== value,
      );
    if (!have || have.etag !== want.etag || checksumMismatch) {
      throw new S3Error("InvalidPart", undefined, {
        detail: { PartNumber: String(want.number), ETag: want.etag },
      });
    }
    parts.push(have);
  });
  parts.forEach((part, i) => {
    if (i < parts.length - 1 && part.size < MIN_PART_SIZE) {
      throw new S3Error("EntityTooSmall", undefined, {
        detail: {
          ProposedSize: String(part.size),
          MinSizeAllowed: String(MIN_PART_SIZE),
          PartNumber: String(part.number),
        },
      });
    }
  });
  return parts;
}

/** The version record a completed upload becomes. */
function completedRecord(
  info: BucketInfo,
  upload: UploadInfo,
  parts: UploadedPart[],
  attributes: UploadAttributes,
  checksums: Record<string, string>,
): VersionRecord {
  const { replica } = attributes;
  return {
    format: 1,
    bucket: info.name,
    key: upload.key,
    versionId: replica?.versionId ?? versionIdFor(info, upload.key),
    dataDir: crypto.randomUUID(),
    deleteMarker: false,
    mtime: replica?.mtime ?? Date.now(),
    size: parts.reduce((sum, part) => sum + part.size, 0),
    etag: replica?.etag ?? multipartEtag(parts.map((part) => part.etag)),
    contentType: attributes.contentType,
    headers: attributes.headers,
    userMetadata: attributes.userMetadata,
    storageClass: attributes.storageClass,
    tags: attributes.tags,
    retention: attributes.retention,
    legalHold: attributes.legalHold,
    checksums: replica?.checksums ?? checksums,
    erasure: upload.erasure,
    parts: parts.map((part) => ({
      number: part.number,
      size: part.size,
      etag: part.etag,
      dataDir: part.dataDir,
      ...(Object.keys(part.checksums).length > 0 ? { checksums: part.checksums } : {}),
    })),
    inline: false,
    ...(replica
      ? {
          replica: replicaStamp(replica.origin ?? null),
          metadataTimestamp: replica.metadataTimestamp ?? undefined,
        }
      : {}),
  };
}

/** Completes `upload` into one version; returns its record and what the commit said. */
export async function completeUpload(
  env: Env,
  config: FloeConfig,
  waitUntil: WaitUntil,
  info: BucketInfo,
  upload: UploadInfo,
  completion: Completion,
): Promise<{ record: VersionRecord; committed: CommitSuccess }> {
  const bucket = info.name;
  const parts = await chosenParts(env, bucket, upload, completion.parts);
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  const { statedSize } = completion;
  if (statedSize !== null && statedSize.trim() !== String(size))
    throw new S3Error(
      "InvalidRequest",
      `The provided x-amz-mp-object-size ${statedSize} does not match the size of the object (${size}).`,
    );
  const attributes = uploadAttributes(upload);
  const checksums = completion.checksums(parts, attributes);
  const record = completedRecord(info, upload, parts, attributes, checksums);
  const deploymentId = await getDeploymentId(env);
  const slots = writeSlots(env, upload.erasure);
  try {
    const committed = await commitRecord(
      { env, config, deploymentId, waitUntil },
      slots,
      record,
      null,
      (request) =>
        bucketStub(env, bucket).completeUpload(upload.uploadId, {
          ...request,
          replica: attributes.replica ? {} : null,
        }),
    );
    return { record, committed };
  } catch (error) {
    waitUntil(discardWrite(slots, bucket, upload.key, record.versionId, record.dataDir, []));
    throw error;
  }
}
