/**
 * The replication protocol's request headers (shared/replication/headers.ts),
 * parsed and validated in one place before a replica stores anything; a
 * malformed value is 400 InvalidArgument naming the header:
 * - version ids (the version stored, the one a delete marker covers):
 *   "null" or 1–64 of hex digits and dashes (Floe's are UUIDs);
 * - times (x-floe-source-mtime, x-floe-source-metadata-timestamp): decimal
 *   milliseconds since the epoch, positive and at most a day ahead of this
 *   site's clock, which keeps every stored date representable and a source
 *   clock that runs a little ahead acceptable;
 * - x-floe-source-etag: 32 lower-case hex digits, or that and "-N" with N
 *   the part count (1–10000) of a multipart ETag;
 * - x-floe-source-checksums: a JSON object of algorithm → base64 value
 *   (with "-N" for a multipart object's composite checksum);
 * - x-floe-source-metadata: JSON { tags, retention, legalHold }, tags within
 *   S3's limits, a retain-until date within the representable range;
 * - x-floe-source-origin (optional): a deployment id, 1–64 of hex digits
 *   and dashes (Floe's are UUIDs).
 */
import { z } from "zod";
import {
  SOURCE_CHECKSUMS_HEADER,
  SOURCE_COVERS_HEADER,
  SOURCE_ETAG_HEADER,
  SOURCE_METADATA_HEADER,
  SOURCE_METADATA_TIMESTAMP_HEADER,
  SOURCE_MTIME_HEADER,
  SOURCE_ORIGIN_HEADER,
  SOURCE_VERSION_ID_HEADER,
} from "../../../shared/replication/headers.ts";
import { S3Error } from "../../../shared/s3-errors.ts";
import type { VersionRecord } from "../../../shared/types/version-record.ts";

/** How far ahead of this site's clock a source time may be. */
export const MAX_SOURCE_CLOCK_LEAD_MS = 24 * 60 * 60 * 1000;

/** The last millisecond a JavaScript Date represents. */
const MAX_DATE_MS = 8.64e15;

const versionIdSchema = z.string().regex(/^(null|[0-9a-fA-F-]{1,64})$/);
const originSchema = z.string().regex(/^[0-9a-fA-F-]{1,64}$/);
const etagSchema = z.string().regex(/^[0-9a-f]{32}(-([1-9]\d{0,3}|10000))?$/);
const checksumsSchema = z.record(
  z.string().regex(/^[a-z0-9]{1,16}$/),
  z.string().regex(/^[A-Za-z0-9+/=]{1,200}(-\d{1,5})?$/),
);
const tagsSchema = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= 10);
const metadataSchema = z.object({
  tags: tagsSchema,
  retention: z
    .object({
      mode: z.enum(["GOVERNANCE", "COMPLIANCE"]),
      retainUntil: z.number().int().min(0).max(MAX_DATE_MS),
    })
    .nullable(),
  legalHold: z.boolean(),
});

function invalid(header: string): S3Error {
  return new S3Error("InvalidArgument", `Invalid ${header}.`, {
    detail: { ArgumentName: header },
  });
}

/** A required or optional header checked against `schema`. */
function header<T>(headers: Headers, name: string, schema: z.ZodType<T>): T;
function header<T>(headers: Headers, name: string, schema: z.ZodType<T>, optional: true): T | null;
function header<T>(
  headers: Headers,
  name: string,
  schema: z.ZodType<T>,
  optional = false,
): T | null {
  const value = headers.get(name);
  if (value === null) {
    if (optional) return null;
    throw new S3Error("InvalidArgument", `A replica needs ${name}.`, {
      detail: { ArgumentName: name },
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(name);
  return parsed.data;
}

/** Milliseconds since the epoch, positive, at most a day ahead of `now`. */
function timeSchema(now: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number)
    .refine((ms) => ms > 0 && ms <= now + MAX_SOURCE_CLOCK_LEAD_MS);
}

/** A JSON header value checked against `schema`. */
function json<T>(schema: z.ZodType<T>) {
  return z.string().transform((text, ctx): T => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "unexpected JSON" });
      return z.NEVER;
    }
    return parsed.data;
  });
}

export interface ReplicaVersion {
  versionId: string;
  mtime: number;
  /** Deployment id of the site where the version was first written; null when not sent. */
  origin: string | null;
}

/** The version id, mtime and origin every replica of a version (or delete marker) carries. */
export function replicaVersion(headers: Headers, now = Date.now()): ReplicaVersion {
  return {
    versionId: header(headers, SOURCE_VERSION_ID_HEADER, versionIdSchema),
    mtime: header(headers, SOURCE_MTIME_HEADER, timeSchema(now)),
    origin: header(headers, SOURCE_ORIGIN_HEADER, originSchema, true),
  };
}

export interface ReplicaObject extends ReplicaVersion {
  etag: string | null;
  checksums: Record<string, string> | null;
  metadataTimestamp: number | null;
}

/** The headers of a replica PUT (whole or multipart) of an object version. */
export function replicaObject(headers: Headers, now = Date.now()): ReplicaObject {
  return {
    ...replicaVersion(headers, now),
    etag: header(headers, SOURCE_ETAG_HEADER, etagSchema, true),
    checksums: header(headers, SOURCE_CHECKSUMS_HEADER, json(checksumsSchema), true),
    metadataTimestamp: header(headers, SOURCE_METADATA_TIMESTAMP_HEADER, timeSchema(now), true),
  };
}

export interface ReplicaMetadata {
  versionId: string;
  timestamp: number;
  patch: Pick<VersionRecord, "tags" | "retention" | "legalHold">;
}

/** The headers of a metadata-only replica (tags, retention, legal hold of a held version). */
export function replicaMetadata(headers: Headers, now = Date.now()): ReplicaMetadata {
  const versionId = header(headers, SOURCE_VERSION_ID_HEADER, versionIdSchema);
  const metadata = header(headers, SOURCE_METADATA_HEADER, json(metadataSchema));
  const timestamp = header(headers, SOURCE_METADATA_TIMESTAMP_HEADER, timeSchema(now));
  return {
    versionId,
    timestamp,
    patch: {
      tags: Object.keys(metadata.tags).length > 0 ? metadata.tags : undefined,
      retention: metadata.retention ?? undefined,
      legalHold: metadata.legalHold ? true : undefined,
    },
  };
}

/** The headers of a replicated delete marker: its version, mtime and the version it covers. */
export function replicaMarker(
  headers: Headers,
  now = Date.now(),
): ReplicaVersion & { covers: string } {
  const covers = header(headers, SOURCE_COVERS_HEADER, z.literal("").or(versionIdSchema), true);
  return { ...replicaVersion(headers, now), covers: covers ?? "" };
}
