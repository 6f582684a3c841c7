/**
 * CopyObject and UploadPartCopy. The source (x-amz-copy-source:
 * "[/]bucket/key[?versionId=id]", URL-encoded) is streamed out of the
 * erasure layer and written like a new PUT, so a copy is as safe as any
 * write. Metadata: `x-amz-metadata-directive` COPY (default) keeps the
 * source's content headers and user metadata, REPLACE takes the request's;
 * tags likewise with `x-amz-tagging-directive`. Copying an object onto
 * itself is refused unless something changes (REPLACE or another storage
 * class). x-amz-copy-source-if-* conditions fail with 412.
 */
import { replicateInline } from "../replication/send/sync.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseTaggingHeader } from "../../shared/tags.ts";
import { xmlDocument } from "../../shared/xml.ts";
import { findVersion, openVersion, type StoredVersion } from "../objects/versions.ts";
import { unwrap } from "../objects/result.ts";
import { findUpload } from "../objects/uploads.ts";
import { putObject as storeVersion } from "../objects/put-object.ts";
import { requireExistingBucket } from "./bucket.ts";
import { checkCopySourceConditions } from "./conditions.ts";
import { requireObject, type S3Context } from "./context.ts";
import { storePart } from "./multipart.ts";
import { parsePartNumber } from "./upload-params.ts";
import { metadataFromRequest } from "./object-headers.ts";
import { xmlResponse } from "./response.ts";
import { versionIdFor } from "../objects/versioning.ts";
import { lockForWrite } from "./object-lock.ts";

export interface CopySource {
  bucket: string;
  key: string;
  versionId: string | null;
}

/** Parses x-amz-copy-source. */
export function parseCopySource(header: string): CopySource {
  const [path, query = ""] = header.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, "");
  } catch {
    throw new S3Error("InvalidArgument", "Invalid copy source encoding.");
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error(
      "InvalidArgument",
      "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
    );
  }
  const versionId = new URLSearchParams(query).get("versionId");
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

async function readSource(ctx: S3Context, source: CopySource): Promise<StoredVersion> {
  const { version } = unwrap(
    await findVersion(ctx.env, source.bucket, source.key, source.versionId),
  );
  if (version.record.deleteMarker) {
    throw new S3Error(source.versionId ? "InvalidRequest" : "NoSuchKey", undefined, {
      detail: { Key: source.key },
    });
  }
  return version;
}

function asStream(body: ReadableStream<Uint8Array> | Uint8Array): ReadableStream<Uint8Array> {
  if (!(body instanceof Uint8Array)) return body;
  return new ReadableStream({
    start(controller) {
      if (body.byteLength > 0) controller.enqueue(body);
      controller.close();
    },
  });
}

function sourceStream(
  ctx: S3Context,
  stored: StoredVersion,
  range: { start: number; end: number } | null,
) {
  return openVersion(ctx.env, (p) => ctx.exec.waitUntil(p), stored, range).then(asStream);
}

export async function copyObject(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const headers = ctx.request.headers;
  const source = parseCopySource(headers.get("x-amz-copy-source") ?? "");
  const metadataDirective = headers.get("x-amz-metadata-directive") ?? "COPY";
  const taggingDirective = headers.get("x-amz-tagging-directive") ?? "COPY";
  if (!["COPY", "REPLACE"].includes(metadataDirective))
    throw new S3Error("InvalidArgument", "Unknown metadata directive.");
  if (!["COPY", "REPLACE"].includes(taggingDirective))
    throw new S3Error("InvalidArgument", "Unknown tagging directive.");
  const [stored, info] = await Promise.all([
    readSource(ctx, source),
    requireExistingBucket(ctx, bucket),
  ]);
  const src = stored.record;
  checkCopySourceConditions(headers, src);
  const requested = metadataFromRequest(headers);
  const storageClass = headers.has("x-amz-storage-class") ? requested.storageClass : "STANDARD";
  if (
    source.bucket === bucket &&
    source.key === key &&
    metadataDirective === "COPY" &&
    storageClass === src.storageClass &&
    (source.versionId === null || source.versionId === src.versionId)
  ) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const metadata =
    metadataDirective === "REPLACE"
      ? requested
      : {
          contentType: src.contentType,
          headers: src.headers,
          userMetadata: src.userMetadata,
          storageClass,
        };
  const tagging = headers.get("x-amz-tagging");
  const tags =
    taggingDirective === "REPLACE" ? (tagging ? parseTaggingHeader(tagging) : undefined) : src.tags;
  let syncTargets: string[] = [];
  const record = await storeVersion(ctx.env, ctx.config, (p) => ctx.exec.waitUntil(p), {
    bucket,
    key,
    versionId: versionIdFor(info, key),
    body: await sourceStream(ctx, stored, null),
    expectedSize: src.size,
    ...metadata,
    storageClass,
    tags,
    ...lockForWrite(ctx, info),
    checksums: {},
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
  const response = new Headers();
  if (src.versionId !== "null") response.set("x-amz-copy-source-version-id", src.versionId);
  if (info.versioning !== "") response.set("x-amz-version-id", record.versionId);
  return xmlResponse(
    xmlDocument("CopyObjectResult", [
      ["LastModified", new Date(record.mtime).toISOString()],
      ["ETag", `"${record.etag}"`],
    ]),
    { headers: response },
  );
}

/** Parses x-amz-copy-source-range ("bytes=a-b", both required, inside the source). */
function parseCopyRange(
  header: string | null,
  size: number,
): { start: number; end: number } | null {
  if (header === null) return null;
  const match = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!match)
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
    );
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start || end >= size) {
    throw new S3Error("InvalidRange", undefined, {
      headers: { "content-range": `bytes */${size}` },
    });
  }
  return { start, end };
}

export async function uploadPartCopy(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  const partNumber = parsePartNumber(ctx.query.get("partNumber"));
  const uploadId = ctx.query.get("uploadId") ?? "";
  const source = parseCopySource(ctx.request.headers.get("x-amz-copy-source") ?? "");
  const [stored, upload] = await Promise.all([
    readSource(ctx, source),
    findUpload(ctx.env, bucket, key, uploadId),
  ]);
  const target = unwrap(upload);
  checkCopySourceConditions(ctx.request.headers, stored.record);
  const range = parseCopyRange(
    ctx.request.headers.get("x-amz-copy-source-range"),
    stored.record.size,
  );
  const size = range ? range.end - range.start + 1 : stored.record.size;
  const body = stored.record.size === 0 ? null : await sourceStream(ctx, stored, range);
  const part = await storePart(ctx, target, partNumber, body, size, null);
  const headers = new Headers();
  if (stored.record.versionId !== "null")
    headers.set("x-amz-copy-source-version-id", stored.record.versionId);
  return xmlResponse(
    xmlDocument("CopyPartResult", [
      ["LastModified", new Date(part.mtime).toISOString()],
      ["ETag", `"${part.etag}"`],
    ]),
    { headers },
  );
}
