/**
 * Multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads. Each part is
 * erasure-coded and streamed like a PUT, under its own data dir, and is
 * recorded by the coordinator only once written at quorum. Completion checks
 * the part list against what was uploaded (InvalidPartOrder, InvalidPart,
 * EntityTooSmall under 5 MiB except the last part, InvalidRequest when
 * x-amz-mp-object-size differs from the parts' total) and commits one
 * version whose ETag is the MD5 of the parts' binary MD5s followed by "-N".
 */
import { replicateInline } from "../replication/sync.ts";
import { isReplicaRequest } from "../iam/s3-permissions.ts";
import { replicaBucket, replicaLock } from "./replica.ts";
import { replicaObject } from "./replica-headers.ts";
import { createHash } from "node:crypto";
import { z } from "zod";
import { CHECKSUM_ALGORITHMS, isChecksumAlgorithm } from "../../shared/checksums.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseTaggingHeader } from "../../shared/tags.ts";
import { checksumPlan, finishChecksum, type ChecksumPlan } from "./checksum-headers.ts";
import {
  CHECKSUM_TYPES,
  completedChecksums,
  partChecksumPlan,
  uploadChecksum,
  type UploadChecksum,
} from "./multipart-checksum.ts";
import { parseXml, xmlDocument, type XmlNode } from "../../shared/xml.ts";
import {
  replicaStamp,
  STORAGE_CLASSES,
  type VersionRecord,
} from "../../shared/types/version-record.ts";
import type { UploadedPart, UploadInfo } from "../../shared/types/bucket-rpc.ts";
import { planErasure } from "../storage/erasure-set.ts";
import { bucketStub, getDeploymentId } from "../storage/stubs.ts";
import { assertWriteQuorum, toHex, writeBlocks, writeSlots } from "../storage/write-blocks.ts";
import {
  commitRecord,
  discardWrite,
  type VersionAttributes,
  type WriteContext,
} from "../storage/write-object.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, requireObject, type S3Context } from "./context.ts";
import { metadataFromRequest } from "./object-headers.ts";
import { declaredPayloadLength, parseContentMd5, sameBytes } from "./object.ts";
import { xmlResponse } from "./response.ts";
import { versionIdFor } from "./versioning.ts";
import { lockForWrite } from "./object-lock.ts";

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_SIZE = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;

const attributesSchema = z.object({
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

function writeContext(ctx: S3Context, deploymentId: string): WriteContext {
  return {
    env: ctx.env,
    config: ctx.config,
    deploymentId,
    waitUntil: (p) => ctx.exec.waitUntil(p),
  };
}

/** The upload named by `uploadId`, or NoSuchUpload. */
async function requireUpload(ctx: S3Context): Promise<UploadInfo> {
  const { bucket, key } = requireObject(ctx);
  const uploadId = ctx.query.get("uploadId") ?? "";
  const upload = await bucketStub(ctx.env, bucket).getUpload(uploadId);
  if (!upload || upload.key !== key)
    throw new S3Error("NoSuchUpload", undefined, { detail: { UploadId: uploadId } });
  return upload;
}

/** Parses a part number: an integer 1..10000. */
export function parsePartNumber(value: string | null): number {
  const n = Number(value);
  if (value === null || !/^\d+$/.test(value) || n < 1 || n > MAX_PARTS) {
    throw new S3Error(
      "InvalidArgument",
      "Part number must be an integer between 1 and 10000, inclusive",
      {
        detail: { ArgumentName: "partNumber", ArgumentValue: value ?? "" },
      },
    );
  }
  return n;
}

/** The multipart ETag: MD5 of the concatenated binary part MD5s, then "-N". */
export function multipartEtag(partEtags: string[]): string {
  const hash = createHash("md5");
  for (const etag of partEtags) hash.update(Buffer.from(etag, "hex"));
  return `${hash.digest("hex")}-${partEtags.length}`;
}

/**
 * A replica's multipart upload (another site replicating a multipart
 * version part by part): refused with 412 when the version is already here
 * with that ETag, which the source counts as done.
 */
async function replicaAttributes(
  ctx: S3Context,
  bucket: string,
  key: string,
): Promise<z.infer<typeof attributesSchema>> {
  const headers = ctx.request.headers;
  const replica = replicaObject(headers);
  const info = await replicaBucket(ctx, bucket);
  const existing = await bucketStub(ctx.env, bucket).getVersion(key, replica.versionId);
  if (existing.ok && existing.version.record.etag === replica.etag)
    throw new S3Error("PreconditionFailed", "The replica version is already here.");
  const tagging = headers.get("x-amz-tagging");
  return {
    ...metadataFromRequest(headers),
    checksums: {},
    tags: tagging === null ? undefined : parseTaggingHeader(tagging),
    ...replicaLock(headers, info, ctx.config),
    replica,
  };
}

export async function createMultipartUpload(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const metadata = metadataFromRequest(ctx.request.headers);
  const [info, deploymentId] = await Promise.all([
    requireExistingBucket(ctx, bucket),
    getDeploymentId(ctx.env),
  ]);
  const erasure = planErasure(ctx.config, deploymentId, bucket, key, metadata.storageClass);
  const tagging = ctx.request.headers.get("x-amz-tagging");
  const declared = uploadChecksum(ctx.request.headers);
  const attributes: VersionAttributes & { checksumAlgorithm?: string; checksumType?: string } =
    isReplicaRequest(ctx.request.headers)
      ? await replicaAttributes(ctx, bucket, key)
      : {
          ...metadata,
          checksums: {},
          tags: tagging === null ? undefined : parseTaggingHeader(tagging),
          checksumAlgorithm: declared?.algorithm,
          checksumType: declared?.type,
          ...lockForWrite(ctx, info),
        };
  const uploadId = await bucketStub(ctx.env, bucket).createUpload(
    key,
    JSON.stringify(attributes),
    erasure,
  );
  if (!uploadId) throw new S3Error("NoSuchBucket", undefined, { detail: { BucketName: bucket } });
  const headers = declared
    ? {
        "x-amz-checksum-algorithm": declared.algorithm.toUpperCase(),
        "x-amz-checksum-type": declared.type,
      }
    : undefined;
  return xmlResponse(
    xmlDocument("InitiateMultipartUploadResult", [
      ["Bucket", bucket],
      ["Key", key],
      ["UploadId", uploadId],
    ]),
    { headers },
  );
}

/** The checksum an upload was created with, if any. */
function checksumOf(upload: UploadInfo): UploadChecksum | null {
  const { checksumAlgorithm, checksumType } = attributesSchema.parse(JSON.parse(upload.attributes));
  if (!checksumAlgorithm || !isChecksumAlgorithm(checksumAlgorithm)) return null;
  return { algorithm: checksumAlgorithm, type: checksumType ?? "COMPOSITE" };
}

/** Writes one part from `body`; shared by UploadPart and UploadPartCopy. */
export async function storePart(
  ctx: S3Context,
  upload: UploadInfo,
  partNumber: number,
  body: ReadableStream<Uint8Array> | null,
  expectedSize: number | null,
  contentMd5: Uint8Array | null,
  checksum: ChecksumPlan | null = null,
  trailers: Promise<Record<string, string>> = Promise.resolve({}),
): Promise<UploadedPart> {
  const { bucket, key } = requireObject(ctx);
  checksum = partChecksumPlan(checksumOf(upload), checksum);
  const slots = writeSlots(ctx.env, upload.erasure);
  const dataDir = crypto.randomUUID();
  try {
    const written = await writeBlocks({
      erasure: upload.erasure,
      slots,
      bucket,
      key,
      dataDir,
      part: partNumber,
      body,
      expectedSize,
      inlineThreshold: 0,
      hashers: checksum ? [checksum.checksum] : [],
    });
    if (expectedSize !== null && written.size !== expectedSize) throw new S3Error("IncompleteBody");
    if (contentMd5 && !sameBytes(contentMd5, written.md5)) throw new S3Error("BadDigest");
    const checksums = await finishChecksum(checksum, trailers);
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
    assertWriteQuorum(slots, upload.erasure);
    const part: UploadedPart = {
      number: partNumber,
      size: written.size,
      etag: toHex(written.md5),
      dataDir,
      checksums,
      mtime: Date.now(),
    };
    if (!(await bucketStub(ctx.env, bucket).putPart(upload.uploadId, part))) {
      throw new S3Error("NoSuchUpload", undefined, { detail: { UploadId: upload.uploadId } });
    }
    return part;
  } catch (error) {
    ctx.exec.waitUntil(discardWrite(slots, bucket, key, "", dataDir, []));
    throw error;
  }
}

export async function uploadPart(ctx: S3Context): Promise<Response> {
  const partNumber = parsePartNumber(ctx.query.get("partNumber"));
  const size = declaredPayloadLength(ctx);
  if (size === null) throw new S3Error("MissingContentLength");
  if (size > MAX_PART_SIZE) throw new S3Error("EntityTooLarge");
  const contentMd5 = parseContentMd5(ctx.request.headers.get("content-md5"));
  const upload = await requireUpload(ctx);
  const checksum = checksumPlan(ctx.request.headers);
  const body = ctx.body();
  const part = await storePart(
    ctx,
    upload,
    partNumber,
    body.stream,
    size,
    contentMd5,
    checksum,
    body.trailers,
  );
  const headers = new Headers({ etag: `"${part.etag}"` });
  for (const [algorithm, value] of Object.entries(part.checksums))
    headers.set(`x-amz-checksum-${algorithm}`, value);
  return new Response(null, { status: 200, headers });
}

const completeSchema = z.object({
  CompleteMultipartUpload: z.object({
    Part: z
      .array(z.object({ PartNumber: z.string(), ETag: z.string() }).passthrough())
      .min(1)
      .max(MAX_PARTS),
  }),
});

export async function completeMultipartUpload(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const parsed = completeSchema.safeParse(
    parseXml(await readSmallBody(ctx, 2 * 1024 * 1024), ["Part"]),
  );
  if (!parsed.success) throw new S3Error("MalformedXML");
  const [upload, info] = await Promise.all([
    requireUpload(ctx),
    requireExistingBucket(ctx, bucket),
  ]);
  const coordinator = bucketStub(ctx.env, bucket);
  const uploaded = new Map(
    ((await coordinator.listParts(upload.uploadId, 0, MAX_PARTS)) ?? []).map((p) => [p.number, p]),
  );
  const requested = parsed.data.CompleteMultipartUpload.Part.map((part) => ({
    number: parsePartNumber(part.PartNumber.trim()),
    etag: part.ETag.trim().replace(/^"|"$/g, "").toLowerCase(),
    checksums: Object.fromEntries(
      CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
        const value = (part as Record<string, unknown>)[`Checksum${algorithm.toUpperCase()}`];
        return typeof value === "string" ? [[algorithm, value.trim()]] : [];
      }),
    ) as Record<string, string>,
  }));
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
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  const statedSize = ctx.request.headers.get("x-amz-mp-object-size");
  if (statedSize !== null && statedSize.trim() !== String(size))
    throw new S3Error(
      "InvalidRequest",
      `The provided x-amz-mp-object-size ${statedSize} does not match the size of the object (${size}).`,
    );
  const attributes = attributesSchema.parse(JSON.parse(upload.attributes));
  const checksums = completedChecksums(
    checksumOf(upload),
    parts,
    attributes.replica ? new Headers() : ctx.request.headers,
  );
  const replica = attributes.replica;
  const record: VersionRecord = {
    format: 1,
    bucket,
    key,
    versionId: replica?.versionId ?? versionIdFor(info, key),
    dataDir: crypto.randomUUID(),
    deleteMarker: false,
    mtime: replica?.mtime ?? Date.now(),
    size,
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
  const deploymentId = await getDeploymentId(ctx.env);
  const slots = writeSlots(ctx.env, upload.erasure);
  let syncTargets: string[] = [];
  try {
    const committed = await commitRecord(
      writeContext(ctx, deploymentId),
      slots,
      record,
      null,
      (request) =>
        coordinator.completeUpload(upload.uploadId, { ...request, replica: replica ? {} : null }),
    );
    syncTargets = committed.syncTargets ?? [];
  } catch (error) {
    // Only the record copies go: the parts stay uploaded for a retry.
    ctx.exec.waitUntil(discardWrite(slots, bucket, key, record.versionId, record.dataDir, []));
    throw error;
  }
  if (syncTargets.length > 0)
    await replicateInline(
      ctx.env,
      ctx.exec,
      { bucket, key, versionId: record.versionId },
      syncTargets,
    );
  const versionHeader: HeadersInit =
    info.versioning !== "" ? { "x-amz-version-id": record.versionId } : {};
  return xmlResponse(
    xmlDocument("CompleteMultipartUploadResult", [
      ["Location", `/${bucket}/${key}`],
      ["Bucket", bucket],
      ["Key", key],
      ["ETag", `"${record.etag}"`],
      ...Object.entries(record.checksums).flatMap(([alg, value]) => [
        [`Checksum${alg.toUpperCase()}`, value] as const,
        ["ChecksumType", value.includes("-") ? "COMPOSITE" : "FULL_OBJECT"] as const,
      ]),
    ]),
    { headers: versionHeader },
  );
}

export async function abortMultipartUpload(ctx: S3Context): Promise<Response> {
  const upload = await requireUpload(ctx);
  await bucketStub(ctx.env, requireBucket(ctx)).abortUpload(upload.uploadId);
  return new Response(null, { status: 204 });
}

function parseLimit(value: string | null, name: string, max = 1000): number {
  if (value === null || value === "") return max;
  if (!/^\d+$/.test(value))
    throw new S3Error("InvalidArgument", `Provided ${name} not an integer or within integer range`);
  return Math.min(Number(value), max);
}

function ownerNodes(ctx: S3Context): XmlNode[] {
  const id = ctx.identity?.accessKeyId ?? "";
  return [
    [
      "Initiator",
      [
        ["ID", id],
        ["DisplayName", id],
      ],
    ],
    [
      "Owner",
      [
        ["ID", id],
        ["DisplayName", id],
      ],
    ],
  ];
}

export async function listParts(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const upload = await requireUpload(ctx);
  const maxParts = parseLimit(ctx.query.get("max-parts"), "max-parts");
  const marker = Number(ctx.query.get("part-number-marker") ?? "0") || 0;
  const parts =
    (await bucketStub(ctx.env, bucket).listParts(upload.uploadId, marker, maxParts + 1)) ?? [];
  const page = parts.slice(0, maxParts);
  const truncated = parts.length > maxParts;
  const attributes = attributesSchema.parse(JSON.parse(upload.attributes));
  return xmlResponse(
    xmlDocument("ListPartsResult", [
      ["Bucket", bucket],
      ["Key", key],
      ["UploadId", upload.uploadId],
      ...ownerNodes(ctx),
      ["StorageClass", attributes.storageClass],
      attributes.checksumAlgorithm
        ? ["ChecksumAlgorithm", attributes.checksumAlgorithm.toUpperCase()]
        : null,
      attributes.checksumAlgorithm
        ? ["ChecksumType", attributes.checksumType ?? "COMPOSITE"]
        : null,
      ["PartNumberMarker", marker],
      ["NextPartNumberMarker", page.length ? page[page.length - 1].number : 0],
      ["MaxParts", maxParts],
      ["IsTruncated", truncated],
      ...page.map(
        (part) =>
          [
            "Part",
            [
              ["PartNumber", part.number],
              ["LastModified", new Date(part.mtime).toISOString()],
              ["ETag", `"${part.etag}"`],
              ["Size", part.size],
              ...Object.entries(part.checksums).map(
                ([algorithm, value]) => [`Checksum${algorithm.toUpperCase()}`, value] as const,
              ),
            ],
          ] as const,
      ),
    ]),
  );
}

export async function listMultipartUploads(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  const q = ctx.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  const uploadIdMarker = keyMarker ? (q.get("upload-id-marker") ?? "") : "";
  const maxUploads = parseLimit(q.get("max-uploads"), "max-uploads");
  const listing = await bucketStub(ctx.env, bucket).listUploads({
    prefix,
    delimiter,
    keyMarker,
    uploadIdMarker,
    maxUploads,
  });
  if (!listing) throw new S3Error("NoSuchBucket", undefined, { detail: { BucketName: bucket } });
  return xmlResponse(
    xmlDocument("ListMultipartUploadsResult", [
      ["Bucket", bucket],
      ["KeyMarker", keyMarker],
      ["UploadIdMarker", uploadIdMarker],
      listing.isTruncated ? ["NextKeyMarker", listing.nextKeyMarker ?? ""] : null,
      listing.isTruncated ? ["NextUploadIdMarker", listing.nextUploadIdMarker ?? ""] : null,
      ["Prefix", prefix],
      delimiter ? ["Delimiter", delimiter] : null,
      ["MaxUploads", maxUploads],
      ["IsTruncated", listing.isTruncated],
      ...listing.uploads.map(
        (upload) =>
          [
            "Upload",
            [
              ["Key", upload.key],
              ["UploadId", upload.uploadId],
              ...ownerNodes(ctx),
              ["StorageClass", attributesSchema.parse(JSON.parse(upload.attributes)).storageClass],
              ["Initiated", new Date(upload.createdAt).toISOString()],
            ],
          ] as const,
      ),
      ...listing.commonPrefixes.map((p) => ["CommonPrefixes", [["Prefix", p]]] as const),
    ]),
  );
}
