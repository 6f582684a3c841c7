/**
 * What listings yield, local or remote: objects (or files) with the fields
 * the commands print and compare, and common prefixes (folders). Keys of
 * local files use `/` whatever the platform. Ordering follows S3: UTF-8
 * byte order of the full key.
 */

/** One object version, or one local file. */
export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: Date;
  etag?: string;
  storageClass?: string;
  versionId?: string;
  isLatest?: boolean;
  isDeleteMarker?: boolean;
}

export type ListItem = { type: "object"; entry: ObjectEntry } | { type: "prefix"; key: string };

/** Compares keys in UTF-8 byte order, as S3 sorts them. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** An ETag without its quotes. */
export function bareEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, "");
}
