/**
 * Multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads: the S3 side
 * (request parsing, checksum headers, XML documents). Parts are written and
 * completed by the object layer (workers/objects/uploads.ts and
 * complete-upload.ts), which checks the part list and builds the version.
 */
import { replicateInline } from "../replication/send/sync.ts";
import { isReplicaRequest } from "../iam/s3-permissions.ts";
import { replicaBucket, replicaLock } from "../replication/receive/replica.ts";
import { replicaObject } from "../replication/receive/replica-headers.ts";
import { z } from "zod";
import { CHECKSUM_ALGORITHMS, isChecksumAlgorithm } from "../../shared/checksums.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseTaggingHeader } from "../../shared/tags.ts";
import { checksumPlan, finishChecksum, type ChecksumPlan } from "./checksum-headers.ts";
import {
  completedChecksums,
  partChecksumPlan,
  uploadChecksum,
  type UploadChecksum,
} from "./multipart-checksum.ts";
import { parseXml, xmlDocument, type XmlNode } from "../../shared/xml.ts";
import { completeUpload, MAX_PARTS } from "../objects/complete-upload.ts";
import { unwrap } from "../objects/result.ts";
import {
  abortUpload,
  createUpload,
  findUpload,
  listUploadParts,
  listUploads,
  putPart,
  uploadAttributes,
  type NewUploadAttributes,
  type UploadedPart,
  type UploadInfo,
} from "../objects/uploads.ts";
import { findVersion } from "../objects/versions.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, requireObject, type S3Context } from "./context.ts";
import { metadataFromRequest } from "./object-headers.ts";
import {
  declaredPayloadLength,
  parseContentMd5,
  parsePartNumber,
  sameBytes,
} from "./upload-params.ts";
import { xmlResponse } from "./response.ts";
import { lockForWrite } from "./object-lock.ts";

const MAX_PART_SIZE = 5 * 1024 ** 3;

/** The upload named by `uploadId`, or NoSuchUpload. */
export async function requireUpload(ctx: S3Context): Promise<UploadInfo> {
  const { bucket, key } = requireObject(ctx);
  return unwrap(await findUpload(ctx.env, bucket, key, ctx.query.get("uploadId") ?? ""));
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
): Promise<NewUploadAttributes> {
  const headers = ctx.request.headers;
  const replica = replicaObject(headers);
  const info = await replicaBucket(ctx, bucket);
  const existing = await findVersion(ctx.env, bucket, key, replica.versionId);
  if (existing.ok && existing.value.version.record.etag === replica.etag)
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
  const info = await requireExistingBucket(ctx, bucket);
  const tagging = ctx.request.headers.get("x-amz-tagging");
  const declared = uploadChecksum(ctx.request.headers);
  const attributes: NewUploadAttributes = isReplicaRequest(ctx.request.headers)
    ? await replicaAttributes(ctx, bucket, key)
    : {
        ...metadata,
        checksums: {},
        tags: tagging === null ? undefined : parseTaggingHeader(tagging),
        checksumAlgorithm: declared?.algorithm,
        checksumType: declared?.type,
        ...lockForWrite(ctx, info),
      };
  const uploadId = unwrap(
    await createUpload(ctx.env, ctx.config, bucket, key, metadata.storageClass, attributes),
  );
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
  const { checksumAlgorithm, checksumType } = uploadAttributes(upload);
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
  const plan = partChecksumPlan(checksumOf(upload), checksum);
  return putPart(ctx.env, (p) => ctx.exec.waitUntil(p), requireBucket(ctx), upload, {
    number: partNumber,
    body,
    expectedSize,
    hashers: plan ? [plan.checksum] : [],
    verify: ({ md5 }) => {
      if (contentMd5 && !sameBytes(contentMd5, md5)) throw new S3Error("BadDigest");
      return finishChecksum(plan, trailers);
    },
  });
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
  const requested = parsed.data.CompleteMultipartUpload.Part.map((part) => ({
    number: parsePartNumber(part.PartNumber.trim()),
    etag: part.ETag.trim().replace(/^"|"$/g, "").toLowerCase(),
    checksums: Object.fromEntries(
      CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
        const value = (part as Record<string, unknown>)[`Checksum${algorithm.toUpperCase()}`];
        return typeof value === "string" ? [[algorithm, value.trim()]] : [];
      }),
    ),
  }));
  const { record, committed } = await completeUpload(
    ctx.env,
    ctx.config,
    (p) => ctx.exec.waitUntil(p),
    info,
    upload,
    {
      parts: requested,
      statedSize: ctx.request.headers.get("x-amz-mp-object-size"),
      checksums: (parts: UploadedPart[], attributes) =>
        completedChecksums(
          checksumOf(upload),
          parts,
          attributes.replica ? new Headers() : ctx.request.headers,
        ),
    },
  );
  const syncTargets = committed.syncTargets ?? [];
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
  await abortUpload(ctx.env, requireBucket(ctx), upload.uploadId);
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
  const parts = await listUploadParts(ctx.env, bucket, upload.uploadId, marker, maxParts + 1);
  const page = parts.slice(0, maxParts);
  const truncated = parts.length > maxParts;
  const attributes = uploadAttributes(upload);
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
  const listing = unwrap(
    await listUploads(ctx.env, bucket, {
      prefix,
      delimiter,
      keyMarker,
      uploadIdMarker,
      maxUploads,
    }),
  );
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
              ["StorageClass", uploadAttributes(upload).storageClass],
              ["Initiated", new Date(upload.createdAt).toISOString()],
            ],
          ] as const,
      ),
      ...listing.commonPrefixes.map((p) => ["CommonPrefixes", [["Prefix", p]]] as const),
    ]),
  );
}
