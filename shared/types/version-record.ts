/**
 * The version record: everything needed to serve one version of a key. The
 * bucket coordinator holds the authoritative copy (and, for small objects,
 * the whole data inline); every drive of the object's set holds a copy with
 * its own shard of inline data, so the namespace can be rebuilt from drives.
 * `format` marks the stored shape; readers migrate older shapes.
 */
import { z } from "zod";

/**
 * Every storage class AWS names. Floe stores and reports the class a client
 * asked for; the class only chooses the parity (see FLOE_STORAGE_CLASS_MAP in
 * config.ts). No class is archival: every object is readable at once.
 */
export const STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "GLACIER_IR",
  "DEEP_ARCHIVE",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE",
] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** True when `value` is one of the storage classes AWS names. */
export function isStorageClass(value: string): value is StorageClass {
  return (STORAGE_CLASSES as readonly string[]).includes(value);
}

export const erasureInfoSchema = z.object({
  /** Set name, e.g. `pool-0/set-1`. */
  set: z.string(),
  dataShards: z.number().int().min(1).max(16),
  parityShards: z.number().int().min(0).max(15),
  blockSize: z.number().int().positive(),
  /** distribution[shardIndex] = drive index in the set. */
  distribution: z.array(z.number().int().min(0).max(15)),
});
export type ErasureInfo = z.infer<typeof erasureInfoSchema>;

export const partInfoSchema = z.object({
  number: z.number().int().min(1),
  size: z.number().int().min(0),
  /** Hex MD5 of the part. */
  etag: z.string(),
  /** The data dir holding this part's blocks (the record's own for single-part objects). */
  dataDir: z.string(),
  /** Per-part checksums (algorithm → base64), for multipart composite checksums. */
  checksums: z.record(z.string(), z.string()).optional(),
});
export type PartInfo = z.infer<typeof partInfoSchema>;

export const versionRecordSchema = z.object({
  format: z.literal(1),
  bucket: z.string(),
  key: z.string(),
  /** A UUID, or "null" for the null version. */
  versionId: z.string(),
  /**
   * Unique id of this write: the data dir holding its shard-blocks on the
   * drives (no blocks for inline data and delete markers). Drives delete a
   * record copy only when its data dir matches, so garbage collection of a
   * replaced version can never remove a newer copy of the same version id.
   */
  dataDir: z.string(),
  deleteMarker: z.boolean(),
  /** Milliseconds since the epoch. */
  mtime: z.number(),
  size: z.number().int().min(0),
  /** Quoted-free hex ETag (MD5, or md5-of-md5s "-N" for multipart). */
  etag: z.string(),
  contentType: z.string().optional(),
  /** Standard headers stored with the object: content-encoding, -disposition, -language, cache-control, expires. */
  headers: z.record(z.string(), z.string()),
  /** x-amz-meta-* without the prefix, lower-case names. */
  userMetadata: z.record(z.string(), z.string()),
  /** Checksum algorithm (lower-case, e.g. "crc32") → base64 value. */
  checksums: z.record(z.string(), z.string()),
  storageClass: z.enum(STORAGE_CLASSES),
  /** Object tags (key → value). */
  tags: z.record(z.string(), z.string()).optional(),
  /** Object lock retention: the version cannot be deleted before retainUntil (ms). */
  retention: z
    .object({ mode: z.enum(["GOVERNANCE", "COMPLIANCE"]), retainUntil: z.number() })
    .optional(),
  /** Object lock legal hold: the version cannot be deleted while on. */
  legalHold: z.boolean().optional(),
  /** Erasure layout: the set that holds this version's record copies (and shards, if any). */
  erasure: erasureInfoSchema,
  parts: z.array(partInfoSchema),
  /** True when the data lives in the record (coordinator: whole; drives: their shard). */
  inline: z.boolean(),
  /** When tags, retention or legal hold last changed (ms): last writer wins across sites. */
  metadataTimestamp: z.number().optional(),
  /**
   * Set when this version arrived by replication from another site (status
   * REPLICA), with the deployment id of the site where it was first written
   * (absent when the sender did not say).
   */
  replica: z.object({ timestamp: z.number(), origin: z.string().optional() }).optional(),
});
export type VersionRecord = z.infer<typeof versionRecordSchema>;

/**
 * The deployment id of the site where a version was first written: `here`
 * for a version written on this site, the origin a replica carried, or null
 * when a replica arrived without one.
 */
export function originOf(record: VersionRecord, here: string): string | null {
  if (!record.replica) return here;
  return record.replica.origin ?? null;
}

/** The replica stamp of a version received now from another site. */
export function replicaStamp(origin: string | null): NonNullable<VersionRecord["replica"]> {
  return origin === null ? { timestamp: Date.now() } : { timestamp: Date.now(), origin };
}

/** Every data dir a version's blocks live in. */
export function dataDirsOf(record: VersionRecord): string[] {
  return [...new Set([record.dataDir, ...record.parts.map((part) => part.dataDir)])];
}

/** Puts a value's keys in its schema's order, dropping keys the schema does not name. */
type Canonical = (value: unknown) => unknown;

function canonicalFor(schema: z.ZodType): Canonical {
  if (schema instanceof z.ZodOptional) {
    const inner = canonicalFor(schema.unwrap() as z.ZodType);
    return (value) => (value === undefined ? undefined : inner(value));
  }
  if (schema instanceof z.ZodArray) {
    const element = canonicalFor(schema.element as z.ZodType);
    return (value) => (value as unknown[]).map(element);
  }
  if (schema instanceof z.ZodObject) {
    const fields = Object.entries(schema.shape).map(
      ([name, field]) => [name, canonicalFor(field as z.ZodType)] as const,
    );
    return (value) => {
      const from = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, canonical] of fields)
        if (from[name] !== undefined) out[name] = canonical(from[name]);
      return out;
    };
  }
  return (value) => value;
}

const canonicalRecord = canonicalFor(versionRecordSchema);

/**
 * The canonical JSON of a record (schema key order), as drives and the
 * coordinator store it: what `JSON.stringify(versionRecordSchema.parse(r))`
 * gives for a valid record, without validating it again (every record is
 * built by typed code or parsed where it crossed an RPC boundary, and
 * validating it once per drive copy and store cost a write ~3 zod parses).
 */
export function serializeRecord(record: VersionRecord): string {
  return JSON.stringify(canonicalRecord(record));
}
