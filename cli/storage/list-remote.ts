/**
 * Listing a bucket page by page: ListObjectsV2 for current objects,
 * ListObjectVersions for every version and delete marker. Without
 * `recursive` the listing stops at the next `/` and yields folders as
 * prefixes, like a directory listing.
 */
import {
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  type Bucket,
  type S3Client,
} from "@aws-sdk/client-s3";
import { bareEtag, compareKeys, type ListItem } from "./entries.ts";

export interface ListOptions {
  recursive: boolean;
  signal?: AbortSignal;
}

/** Every bucket of the endpoint. */
export async function listBuckets(client: S3Client, signal?: AbortSignal): Promise<Bucket[]> {
  const out = await client.send(new ListBucketsCommand({}), { abortSignal: signal });
  return out.Buckets ?? [];
}

/** Current objects (and, unless recursive, folders) under `prefix`, in key order. */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: ListOptions,
): AsyncGenerator<ListItem> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix || undefined,
        Delimiter: options.recursive ? undefined : "/",
        ContinuationToken: token,
      }),
      { abortSignal: options.signal },
    );
    const items: ListItem[] = [];
    for (const object of page.Contents ?? []) {
      items.push({
        type: "object",
        entry: {
          key: object.Key ?? "",
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
          etag: bareEtag(object.ETag),
          storageClass: object.StorageClass,
        },
      });
    }
    for (const common of page.CommonPrefixes ?? []) {
      items.push({ type: "prefix", key: common.Prefix ?? "" });
    }
    yield* sortItems(items);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Every version and delete marker under `prefix`, newest first within a key. */
export async function* listVersions(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: ListOptions,
): AsyncGenerator<ListItem> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix || undefined,
        Delimiter: options.recursive ? undefined : "/",
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
      { abortSignal: options.signal },
    );
    const items: ListItem[] = [];
    for (const version of page.Versions ?? []) {
      items.push({
        type: "object",
        entry: {
          key: version.Key ?? "",
          size: version.Size ?? 0,
          lastModified: version.LastModified ?? new Date(0),
          etag: bareEtag(version.ETag),
          storageClass: version.StorageClass,
          versionId: version.VersionId,
          isLatest: version.IsLatest,
          isDeleteMarker: false,
        },
      });
    }
    for (const marker of page.DeleteMarkers ?? []) {
      items.push({
        type: "object",
        entry: {
          key: marker.Key ?? "",
          size: 0,
          lastModified: marker.LastModified ?? new Date(0),
          versionId: marker.VersionId,
          isLatest: marker.IsLatest,
          isDeleteMarker: true,
        },
      });
    }
    for (const common of page.CommonPrefixes ?? []) {
      items.push({ type: "prefix", key: common.Prefix ?? "" });
    }
    yield* sortItems(items);
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
}

/** Orders one page: by key, then the latest version, then newest first. */
function sortItems(items: ListItem[]): ListItem[] {
  const keyOf = (item: ListItem) => (item.type === "prefix" ? item.key : item.entry.key);
  const latest = (item: ListItem) => (item.type === "object" && item.entry.isLatest ? 1 : 0);
  const timeOf = (item: ListItem) =>
    item.type === "prefix" ? 0 : item.entry.lastModified.getTime();
  return items
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) =>
        compareKeys(keyOf(a.item), keyOf(b.item)) ||
        latest(b.item) - latest(a.item) ||
        timeOf(b.item) - timeOf(a.item) ||
        a.index - b.index,
    )
    .map(({ item }) => item);
}
