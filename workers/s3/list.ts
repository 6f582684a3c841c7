/**
 * ListObjectsV2 and ListObjects (v1), served from the coordinator's index.
 * Keys come in UTF-8 binary order; at most 1000 per page. V2 continuation
 * tokens are the page's last key or common prefix, base64url-encoded; v1
 * uses the marker directly and returns NextMarker when truncated. With
 * `encoding-type=url`, keys, prefixes, delimiter and markers in the response
 * are percent-encoded.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import { xmlDocument, type XmlNode } from "../../shared/xml.ts";
import type { ListPage } from "../../shared/types/bucket-rpc.ts";
import { bucketStub } from "../storage/stubs.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

const MAX_KEYS = 1000;

function parseMaxKeys(value: string | null): number {
  if (value === null || value === "") return MAX_KEYS;
  if (!/^\d+$/.test(value))
    throw new S3Error(
      "InvalidArgument",
      "Provided max-keys not an integer or within integer range",
    );
  return Math.min(Number(value), MAX_KEYS);
}

function parseEncoding(value: string | null): ((s: string) => string) | null {
  if (value === null) return null;
  if (value !== "url")
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request");
  return (s) => encodeURIComponent(s).replace(/%2F/g, "/");
}

/** Encodes a continuation token. */
export function encodeToken(marker: string): string {
  const bytes = new TextEncoder().encode(marker);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Decodes a continuation token; InvalidArgument when it is not one of ours. */
export function decodeToken(token: string): string {
  try {
    const binary = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new S3Error("InvalidArgument", "The continuation token provided is incorrect");
  }
}

async function listPage(
  ctx: S3Context,
  prefix: string,
  delimiter: string,
  after: string,
  maxKeys: number,
): Promise<ListPage> {
  const bucket = requireBucket(ctx);
  const page = await bucketStub(ctx.env, bucket).listObjects({ prefix, delimiter, after, maxKeys });
  if (!page) throw new S3Error("NoSuchBucket", undefined, { detail: { BucketName: bucket } });
  return page;
}

function contents(page: ListPage, encode: (s: string) => string, owner: XmlNode | null): XmlNode[] {
  return page.objects.map(
    (o) =>
      [
        "Contents",
        [
          ["Key", encode(o.key)],
          ["LastModified", new Date(o.mtime).toISOString()],
          ["ETag", `"${o.etag}"`],
          ["Size", o.size],
          owner,
          ["StorageClass", o.storageClass],
        ],
      ] as const,
  );
}

function commonPrefixes(page: ListPage, encode: (s: string) => string): XmlNode[] {
  return page.commonPrefixes.map((p) => ["CommonPrefixes", [["Prefix", encode(p)]]] as const);
}

function ownerNode(ctx: S3Context): XmlNode {
  const id = ctx.identity?.accessKeyId ?? "";
  return [
    "Owner",
    [
      ["ID", id],
      ["DisplayName", id],
    ],
  ];
}

export async function listObjectsV2(ctx: S3Context): Promise<Response> {
  const q = ctx.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeys = parseMaxKeys(q.get("max-keys"));
  const encoder = parseEncoding(q.get("encoding-type"));
  const encode = encoder ?? ((s: string) => s);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? "";
  const after = token !== null ? decodeToken(token) : startAfter;
  const page = await listPage(ctx, prefix, delimiter, after, maxKeys);
  const owner = q.get("fetch-owner") === "true" ? ownerNode(ctx) : null;
  return xmlResponse(
    xmlDocument("ListBucketResult", [
      ["Name", requireBucket(ctx)],
      ["Prefix", encode(prefix)],
      startAfter ? ["StartAfter", encode(startAfter)] : null,
      token !== null ? ["ContinuationToken", token] : null,
      page.isTruncated && page.nextMarker !== null
        ? ["NextContinuationToken", encodeToken(page.nextMarker)]
        : null,
      ["KeyCount", page.objects.length + page.commonPrefixes.length],
      ["MaxKeys", maxKeys],
      delimiter ? ["Delimiter", encode(delimiter)] : null,
      encoder ? ["EncodingType", "url"] : null,
      ["IsTruncated", page.isTruncated],
      ...contents(page, encode, owner),
      ...commonPrefixes(page, encode),
    ]),
  );
}

export async function listObjects(ctx: S3Context): Promise<Response> {
  const q = ctx.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const marker = q.get("marker") ?? "";
  const maxKeys = parseMaxKeys(q.get("max-keys"));
  const encoder = parseEncoding(q.get("encoding-type"));
  const encode = encoder ?? ((s: string) => s);
  const page = await listPage(ctx, prefix, delimiter, marker, maxKeys);
  return xmlResponse(
    xmlDocument("ListBucketResult", [
      ["Name", requireBucket(ctx)],
      ["Prefix", encode(prefix)],
      ["Marker", encode(marker)],
      page.isTruncated && page.nextMarker !== null ? ["NextMarker", encode(page.nextMarker)] : null,
      ["MaxKeys", maxKeys],
      delimiter ? ["Delimiter", encode(delimiter)] : null,
      encoder ? ["EncodingType", "url"] : null,
      ["IsTruncated", page.isTruncated],
      ...contents(page, encode, ownerNode(ctx)),
      ...commonPrefixes(page, encode),
    ]),
  );
}

export async function listObjectVersions(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  const q = ctx.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") ?? "";
  if (versionIdMarker && !keyMarker) {
    throw new S3Error(
      "InvalidArgument",
      "A version-id marker cannot be specified without a key marker.",
    );
  }
  const maxKeys = parseMaxKeys(q.get("max-keys"));
  const encoder = parseEncoding(q.get("encoding-type"));
  const encode = encoder ?? ((s: string) => s);
  const page = await bucketStub(ctx.env, bucket).listObjectVersions({
    prefix,
    delimiter,
    keyMarker,
    versionIdMarker,
    maxKeys,
  });
  if (!page) throw new S3Error("NoSuchBucket", undefined, { detail: { BucketName: bucket } });
  const owner = ownerNode(ctx);
  return xmlResponse(
    xmlDocument("ListVersionsResult", [
      ["Name", bucket],
      ["Prefix", encode(prefix)],
      ["KeyMarker", encode(keyMarker)],
      ["VersionIdMarker", versionIdMarker],
      page.isTruncated && page.nextKeyMarker !== null
        ? ["NextKeyMarker", encode(page.nextKeyMarker)]
        : null,
      page.isTruncated && page.nextVersionIdMarker !== null
        ? ["NextVersionIdMarker", page.nextVersionIdMarker]
        : null,
      ["MaxKeys", maxKeys],
      delimiter ? ["Delimiter", encode(delimiter)] : null,
      encoder ? ["EncodingType", "url"] : null,
      ["IsTruncated", page.isTruncated],
      ...page.versions.map((v) =>
        v.deleteMarker
          ? ([
              "DeleteMarker",
              [
                ["Key", encode(v.key)],
                ["VersionId", v.versionId],
                ["IsLatest", v.isLatest],
                ["LastModified", new Date(v.mtime).toISOString()],
                owner,
              ],
            ] as const)
          : ([
              "Version",
              [
                ["Key", encode(v.key)],
                ["VersionId", v.versionId],
                ["IsLatest", v.isLatest],
                ["LastModified", new Date(v.mtime).toISOString()],
                ["ETag", `"${v.etag}"`],
                ["Size", v.size],
                owner,
                ["StorageClass", v.storageClass],
              ],
            ] as const),
      ),
      ...page.commonPrefixes.map((p) => ["CommonPrefixes", [["Prefix", encode(p)]]] as const),
    ]),
  );
}
