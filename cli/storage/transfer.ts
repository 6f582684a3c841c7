/**
 * Copying one object between any two places, local or remote, as a stream:
 * memory stays bounded by the upload's part buffers whatever the size.
 *
 * - local → local: a streamed file copy, keeping the file's mtime.
 * - local → remote: lib-storage's Upload (one PUT below the part size,
 *   multipart above), Content-Type guessed from the file's extension.
 * - remote → local: GET streamed into a temporary file renamed into place,
 *   with the object's Last-Modified as the file's mtime (so a later mirror
 *   sees it as up to date).
 * - remote → remote on the same alias: server-side CopyObject up to 5 GiB.
 * - remote → remote across aliases: GET streamed into an Upload.
 *
 * Remote sources keep their Content-Type, standard headers, user metadata
 * and tags unless `attributes` or `tags` replace them.
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type S3Client,
  type Tag,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import mime from "mime";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import type { ObjectAttributes, ObjectHeaders } from "../core/attributes.ts";
import { CliError, isNotImplemented, s3ErrorCode } from "../core/errors.ts";
import { bareEtag } from "./entries.ts";
import { writeFileAtomically } from "./local-files.ts";

const MiB = 1024 * 1024;
const PART_SIZE = 8 * MiB;
const MAX_PARTS = 10_000;
const MAX_COPY_OBJECT = 5 * 1024 * MiB;

export interface LocalEndpoint {
  kind: "local";
  path: string;
}

export interface RemoteEndpoint {
  kind: "remote";
  alias: string;
  client: S3Client;
  bucket: string;
  key: string;
  versionId?: string;
}

export type Endpoint = LocalEndpoint | RemoteEndpoint;

export interface CopyOptions {
  /** Replaces the source's headers and user metadata. */
  attributes?: ObjectAttributes;
  /** Replaces the source's tags. */
  tags?: Tag[];
  signal?: AbortSignal;
  /** Called with each chunk's byte count as it is read. */
  onBytes?: (bytes: number) => void;
}

export interface CopyResult {
  size: number;
  etag?: string;
  versionId?: string;
}

interface OpenedSource {
  body: Readable;
  size: number;
  lastModified?: Date;
  headers: ObjectHeaders;
  metadata: Record<string, string>;
  tags: Tag[];
}

/** Copies one object or file from `source` to `target`. */
export async function copyObject(
  source: Endpoint,
  target: Endpoint,
  options: CopyOptions = {},
): Promise<CopyResult> {
  if (source.kind === "remote" && target.kind === "remote" && source.alias === target.alias) {
    const copied = await serverSideCopy(source, target, options);
    if (copied) return copied;
  }
  const opened = await openSource(source, target.kind === "remote", options.signal);
  const body = opened.body.pipe(counter(options.onBytes));
  opened.body.once("error", (error) => body.destroy(error));
  try {
    if (target.kind === "local") {
      await writeFileAtomically(target.path, body, {
        mtime: opened.lastModified,
        signal: options.signal,
      });
      return { size: opened.size };
    }
    return await upload(target, body, opened, options);
  } finally {
    opened.body.destroy();
  }
}

async function openSource(
  source: Endpoint,
  wantTags: boolean,
  signal?: AbortSignal,
): Promise<OpenedSource> {
  if (source.kind === "local") {
    const info = await stat(source.path);
    if (!info.isFile()) throw new CliError("NotAFile", `${source.path} is not a file.`);
    const type = mime.getType(source.path);
    return {
      body: createReadStream(source.path),
      size: info.size,
      lastModified: info.mtime,
      headers: type ? { ContentType: type } : {},
      metadata: {},
      tags: [],
    };
  }
  const out = await source.client.send(
    new GetObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }),
    { abortSignal: signal },
  );
  if (!(out.Body instanceof Readable)) {
    throw new CliError("InvalidResponse", "The object's body is not a stream.");
  }
  // Servers send x-amz-tagging-count only when there are tags, and some never
  // send it, so only an explicit 0 saves the tagging request.
  const tags = wantTags && (out.TagCount ?? 1) > 0 ? await readTags(source, signal) : [];
  return {
    body: out.Body,
    size: out.ContentLength ?? 0,
    lastModified: out.LastModified,
    headers: definedOnly({
      ContentType: out.ContentType,
      CacheControl: out.CacheControl,
      ContentDisposition: out.ContentDisposition,
      ContentEncoding: out.ContentEncoding,
      ContentLanguage: out.ContentLanguage,
    }),
    metadata: out.Metadata ?? {},
    tags,
  };
}

/**
 * An object's tags; none where the server does not implement tagging or the
 * caller may read the object but not its tags (s3:GetObjectTagging).
 */
export async function readTags(source: RemoteEndpoint, signal?: AbortSignal): Promise<Tag[]> {
  try {
    const out = await source.client.send(
      new GetObjectTaggingCommand({
        Bucket: source.bucket,
        Key: source.key,
        VersionId: source.versionId,
      }),
      { abortSignal: signal },
    );
    return out.TagSet ?? [];
  } catch (error) {
    if (isNotImplemented(error) || s3ErrorCode(error) === "AccessDenied") return [];
    throw error;
  }
}

async function upload(
  target: RemoteEndpoint,
  body: Readable,
  opened: OpenedSource,
  options: CopyOptions,
): Promise<CopyResult> {
  const headers = options.attributes?.headers ?? opened.headers;
  const metadata = options.attributes?.metadata ?? opened.metadata;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await new Upload({
      client: target.client,
      params: {
        Bucket: target.bucket,
        Key: target.key,
        Body: body,
        ...headers,
        Metadata: metadata,
      },
      tags: options.tags ?? opened.tags,
      partSize: Math.max(PART_SIZE, Math.ceil(opened.size / MAX_PARTS)),
      queueSize: 4,
      abortController: abort,
    }).done();
    return { size: opened.size, etag: bareEtag(result.ETag), versionId: result.VersionId };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** CopyObject within one endpoint; undefined when the object is too large for it. */
async function serverSideCopy(
  source: RemoteEndpoint,
  target: RemoteEndpoint,
  options: CopyOptions,
): Promise<CopyResult | undefined> {
  const head = await source.client.send(
    new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }),
    { abortSignal: options.signal },
  );
  const size = head.ContentLength ?? 0;
  if (size > MAX_COPY_OBJECT) return undefined;
  const copySource =
    `${encodeURIComponent(source.bucket)}/${encodeURIComponent(source.key).replace(/%2F/g, "/")}` +
    (source.versionId ? `?versionId=${encodeURIComponent(source.versionId)}` : "");
  const replaceMetadata = options.attributes !== undefined;
  const out = await target.client.send(
    new CopyObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      CopySource: copySource,
      MetadataDirective: replaceMetadata ? "REPLACE" : "COPY",
      ...(replaceMetadata
        ? { ...options.attributes?.headers, Metadata: options.attributes?.metadata }
        : {}),
      TaggingDirective: options.tags ? "REPLACE" : "COPY",
      Tagging: options.tags ? tagQuery(options.tags) : undefined,
    }),
    { abortSignal: options.signal },
  );
  options.onBytes?.(size);
  return {
    size,
    etag: bareEtag(out.CopyObjectResult?.ETag),
    versionId: out.VersionId,
  };
}

/** Tags in the URL query form of `x-amz-tagging`. */
export function tagQuery(tags: Tag[]): string {
  return new URLSearchParams(tags.map((t) => [t.Key ?? "", t.Value ?? ""])).toString();
}

function counter(onBytes?: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
}

function definedOnly(headers: ObjectHeaders): ObjectHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined));
}
