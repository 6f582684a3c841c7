/**
 * Multipart uploads in the object layer. An upload is planned onto one
 * erasure set when it is created, and keeps the version attributes given
 * then (content headers, metadata, tags, lock settings, checksum algorithm
 * and type, and for a replica the source's version id, mtime and ETag).
 * Each part is erasure-coded and streamed like a PUT, under its own data
 * dir, and is recorded by the coordinator only once written at write
 * quorum; a part that fails is removed from the drives. Completion lives in
 * complete-upload.ts.
 */
import { z } from "zod";
import type { FloeConfig } from "../../shared/config.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { STORAGE_CLASSES, type StorageClass } from "../../shared/types/version-record.ts";
import type { UploadedPart, UploadInfo, UploadListing } from "../../shared/types/bucket-rpc.ts";
import type { UploadListRequest } from "../../shared/types/bucket-rpc.ts";
import { planErasure } from "./erasure/erasure-set.ts";
import { assertWriteQuorum, toHex, writeBlocks, writeSlots } from "./erasure/write-blocks.ts";
import { discardWrite, type VersionAttributes } from "./erasure/write-object.ts";
import { fail, noSuchBucket, ok, type ObjectResult } from "./result.ts";
import { bucketStub, getDeploymentId } from "./stubs.ts";
import type { WaitUntil } from "./versions.ts";

export type { UploadedPart, UploadInfo, UploadListing, UploadListRequest };

export const CHECKSUM_TYPES = ["COMPOSITE", "FULL_OBJECT"] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

const uploadAttributesSchema = z.object({
  contentType: z.string().optional(),
  headers: z.record(z.string(), z.string()),
  userMetadata: z.record(z.string(), z.string()),
  storageClass: z.enum(STORAGE_CLASSES),
  checksums: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()).optional(),
  checksumAlgorithm: z.string().optional(),
  checksumType: z.enum(CHECKSUM_TYPES).optional(),
  retention: z
    .object({ mode: z.enum(["GOVERNANCE", "COMPLIANCE"]), retainUntil: z.number() })
    .optional(),
  legalHold: z.boolean().optional(),
  /** A replica from another site, completed with the source's version id, mtime and ETag. */
  replica: z
    .object({
      versionId: z.string(),
      mtime: z.number(),
      etag: z.string().nullable(),
      checksums: z.record(z.string(), z.string()).nullable(),
      metadataTimestamp: z.number().nullable(),
      origin: z.string().nullable().optional(),
    })
    .optional(),
});

/** What an upload was created with: the version's attributes, its checksum, and replica facts. */
export type UploadAttributes = z.infer<typeof uploadAttributesSchema>;

/** Attributes as given at creation (the replica and checksum fields are optional). */
export type NewUploadAttributes = VersionAttributes & {
  checksumAlgorithm?: string;
  checksumType?: string;
  replica?: UploadAttributes["replica"];
};

/** The attributes an upload was created with. */
export function uploadAttributes(upload: UploadInfo): UploadAttributes {
  return uploadAttributesSchema.parse(JSON.parse(upload.attributes));
}

/** Starts an upload of `key`, planned onto the set its storage class picks; returns its id. */
export async function createUpload(
  env: Env,
  config: FloeConfig,
  bucket: string,
  key: string,
  storageClass: StorageClass,
  attributes: NewUploadAttributes,
): Promise<ObjectResult<string>> {
  const deploymentId = await getDeploymentId(env);
  const erasure = planErasure(config, deploymentId, bucket, key, storageClass);
  const uploadId = await bucketStub(env, bucket).createUpload(
    key,
    JSON.stringify(attributes),
    erasure,
  );
  return uploadId ? ok(uploadId) : noSuchBucket(bucket);
}

/** The upload `uploadId` of `key`; NoSuchUpload when there is none (or it is another key's). */
export async function findUpload(
  env: Env,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<ObjectResult<UploadInfo>> {
  const upload = await bucketStub(env, bucket).getUpload(uploadId);
  if (!upload || upload.key !== key)
    return fail("NoSuchUpload", { detail: { UploadId: uploadId } });
  return ok(upload);
}

/** Up to `limit` uploaded parts numbered above `after`, in order (none for an unknown upload). */
export async function listUploadParts(
  env: Env,
  bucket: string,
  uploadId: string,
  after: number,
  limit: number,
): Promise<UploadedPart[]> {
  return (await bucketStub(env, bucket).listParts(uploadId, after, limit)) ?? [];
}

/** One page of the bucket's uploads in progress. */
export async function listUploads(
  env: Env,
  bucket: string,
  request: UploadListRequest,
): Promise<ObjectResult<UploadListing>> {
  const listing = await bucketStub(env, bucket).listUploads(request);
  return listing ? ok(listing) : noSuchBucket(bucket);
}

/** Drops an upload; its parts' data goes to garbage collection. */
export async function abortUpload(env: Env, bucket: string, uploadId: string): Promise<void> {
  await bucketStub(env, bucket).abortUpload(uploadId);
}

/** A part's bytes and what checks them once read. */
export interface PartWrite {
  number: number;
  body: ReadableStream<Uint8Array> | null;
  /** Declared payload length, when known; a body of another length fails with IncompleteBody. */
  expectedSize: number | null;
  /** Extra hashers fed with every byte (checksums). */
  hashers: { update(data: Uint8Array): void }[];
  /** Runs once the body is read, before the part is recorded; returns the part's checksums. */
  verify(written: { md5: Uint8Array; size: number }): Promise<Record<string, string>>;
}

/** Writes one part of `upload` and records it; returns it. */
export async function putPart(
  env: Env,
  waitUntil: WaitUntil,
  bucket: string,
  upload: UploadInfo,
  write: PartWrite,
): Promise<UploadedPart> {
  const { key, erasure } = upload;
  const slots = writeSlots(env, erasure);
  const dataDir = crypto.randomUUID();
  try {
    const written = await writeBlocks({
      erasure,
      slots,
      bucket,
      key,
      dataDir,
      part: write.number,
      body: write.body,
      expectedSize: write.expectedSize,
      inlineThreshold: 0,
      hashers: write.hashers,
    });
    if (write.expectedSize !== null && written.size !== write.expectedSize)
      throw new S3Error("IncompleteBody");
    const checksums = await write.verify({ md5: written.md5, size: written.size });
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.failed) return;
        try {
          await slot.stub.commitDataDirs([dataDir]);
        } catch {
          slot.failed = true;
        }
      }),
    );
    assertWriteQuorum(slots, erasure);
    const part: UploadedPart = {
      number: write.number,
      size: written.size,
      etag: toHex(written.md5),
      dataDir,
      checksums,
      mtime: Date.now(),
    };
    if (!(await bucketStub(env, bucket).putPart(upload.uploadId, part))) {
      throw new S3Error("NoSuchUpload", undefined, { detail: { UploadId: upload.uploadId } });
    }
    return part;
  } catch (error) {
    waitUntil(discardWrite(slots, bucket, key, "", dataDir, []));
    throw error;
  }
}
