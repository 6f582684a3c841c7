/**
 * Version digests for `replicate verify`: the replicated state of every
 * version (version id, delete marker, mtime, ETag, size, storage class,
 * content type and stored content headers, user metadata, tags, checksums,
 * retention, legal hold), summarised so two sites can compare it cheaply.
 *
 * Versions are walked in (key, version id) order and cut into ranges at
 * content-defined boundaries: a range ends after the last version of a key
 * whose FNV-1a hash is 0 modulo RANGE_SPREAD. Both sites cut at the same
 * keys whatever else they hold, so an extra or missing key disturbs only
 * its own range, and two equal sites exchange one digest per ~RANGE_SPREAD
 * keys. A range is `(previous range's last key, last]` with its key and
 * version counts and the SHA-256 of its versions' canonical state lines.
 *
 * Pages: a digest page starts after `after` and stops at the first boundary
 * once `limit` versions were read, or at `until` (inclusive, a forced cut),
 * or at the end; `next` is where the following page starts (null at the
 * end). A line page returns the full state of versions after (key, version
 * id) up to `until`, in the same order.
 *
 * A delete marker's state is its version id and mtime alone. A bucket
 * replicating with a destination storage class compares versions as that
 * class (`storageClass`), since the target stores them so.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

/** Average keys per range: the ratio between a bucket's size and what equal sites exchange. */
export const RANGE_SPREAD = 64;

export interface VersionState {
  versionId: string;
  deleteMarker: boolean;
  mtime: number;
  etag: string;
  size: number;
  storageClass: string;
  contentType: string;
  /** content-encoding, -disposition, -language, cache-control, expires, as stored. */
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
  tags: Record<string, string>;
  checksums: Record<string, string>;
  retention: { mode: string; retainUntil: number } | null;
  legalHold: boolean;
}

/** A version's state with the key it belongs to. */
export interface KeyedVersionState extends VersionState {
  key: string;
}

export interface DigestRange {
  /** The range's last key (inclusive); it starts after the previous range's last key. */
  last: string;
  keys: number;
  versions: number;
  digest: string;
}

export interface DigestPage {
  ranges: DigestRange[];
  /** Pass as `after` for the next page; null when this page reached the end (or `until`). */
  next: string | null;
}

export interface LinePage {
  versions: KeyedVersionState[];
  next: { key: string; versionId: string } | null;
}

const versionStateSchema = z.object({
  versionId: z.string(),
  deleteMarker: z.boolean(),
  mtime: z.number(),
  etag: z.string(),
  size: z.number(),
  storageClass: z.string(),
  contentType: z.string(),
  headers: z.record(z.string(), z.string()),
  userMetadata: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  checksums: z.record(z.string(), z.string()),
  retention: z.object({ mode: z.string(), retainUntil: z.number() }).nullable(),
  legalHold: z.boolean(),
});

/** A peer site's page of range digests, as the digest route answers it. */
export const digestPageSchema: z.ZodType<DigestPage> = z.object({
  ranges: z.array(
    z.object({ last: z.string(), keys: z.number(), versions: z.number(), digest: z.string() }),
  ),
  next: z.string().nullable(),
});

/** A peer site's page of version states, as the digest route answers it. */
export const linePageSchema: z.ZodType<LinePage> = z.object({
  versions: z.array(versionStateSchema.extend({ key: z.string() })),
  next: z.object({ key: z.string(), versionId: z.string() }).nullable(),
});

export interface DigestScope {
  prefix: string;
  /** Keys after this one (null: from the first). */
  after: string | null;
  /** Keys up to and including this one (null: to the end). */
  until: string | null;
  /** Storage class the versions are compared as (the target's), or null for their own. */
  storageClass: string | null;
}

/** A version as the digest reads it: key, version id and the stored record's JSON. */
export interface DigestRow extends Record<string, SqlStorageValue> {
  key: string;
  version_id: string;
  record: string;
}

const stringMap = z.record(z.string(), z.string());

/** The fields of a stored version record that its replicated state is made of. */
export const recordStateSchema = z.object({
  deleteMarker: z.boolean(),
  mtime: z.number(),
  etag: z.string(),
  size: z.number(),
  storageClass: z.string(),
  contentType: z.string().optional(),
  headers: stringMap.optional(),
  userMetadata: stringMap.optional(),
  tags: stringMap.optional(),
  checksums: stringMap.optional(),
  retention: z.object({ mode: z.string(), retainUntil: z.number() }).optional(),
  legalHold: z.boolean().optional(),
});
type StoredRecord = z.infer<typeof recordStateSchema>;

const sorted = (map: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The replicated state of a stored record (its JSON), as both sites compute it. */
export function stateOf(
  versionId: string,
  recordJson: string,
  storageClass: string | null,
): VersionState {
  const record = JSON.parse(recordJson) as StoredRecord;
  if (record.deleteMarker)
    return {
      versionId,
      deleteMarker: true,
      mtime: record.mtime,
      etag: "",
      size: 0,
      storageClass: "",
      contentType: "",
      headers: {},
      userMetadata: {},
      tags: {},
      checksums: {},
      retention: null,
      legalHold: false,
    };
  return {
    versionId,
    deleteMarker: false,
    mtime: record.mtime,
    etag: record.etag,
    size: record.size,
    storageClass: storageClass ?? record.storageClass,
    contentType: record.contentType ?? "",
    headers: sorted(record.headers),
    userMetadata: sorted(record.userMetadata),
    tags: sorted(record.tags),
    checksums: sorted(record.checksums),
    retention: record.retention
      ? { mode: record.retention.mode, retainUntil: record.retention.retainUntil }
      : null,
    legalHold: record.legalHold === true,
  };
}

/** 32-bit FNV-1a of a key's UTF-16 code units: the range boundary test. */
function boundaryHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function isBoundary(key: string): boolean {
  return boundaryHash(key) % RANGE_SPREAD === 0;
}

/** Range digests of rows already in scope, in (key, version id) order. */
export function digestRows(
  rows: Iterable<DigestRow>,
  storageClass: string | null,
  limit: number,
): DigestPage {
  const ranges: DigestRange[] = [];
  let hash = createHash("sha256");
  let open: DigestRange | null = null;
  let read = 0;
  let lastKey: string | null = null;
  const close = () => {
    if (!open) return;
    open.digest = hash.digest("hex");
    ranges.push(open);
    open = null;
    hash = createHash("sha256");
  };
  for (const row of rows) {
    if (row.key !== lastKey) {
      if (lastKey !== null && isBoundary(lastKey)) {
        close();
        if (read >= limit) return { ranges, next: lastKey };
      }
      lastKey = row.key;
      open ??= { last: row.key, keys: 0, versions: 0, digest: "" };
      open.keys++;
      open.last = row.key;
    }
    const current = open;
    if (!current) continue;
    current.versions++;
    read++;
    hash.update(JSON.stringify(stateOf(row.version_id, row.record, storageClass)));
    hash.update("\n");
  }
  close();
  return { ranges, next: null };
}

/** Full states of up to `limit` rows already in scope, in (key, version id) order. */
export function lineRows(
  rows: Iterable<DigestRow>,
  storageClass: string | null,
  limit: number,
): LinePage {
  const versions: KeyedVersionState[] = [];
  for (const row of rows) {
    if (versions.length === limit) {
      const last = versions[versions.length - 1];
      return { versions, next: { key: last.key, versionId: last.versionId } };
    }
    versions.push({
      key: row.key,
      ...stateOf(row.version_id, row.record, storageClass),
    });
  }
  return { versions, next: null };
}
