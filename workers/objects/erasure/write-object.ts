/**
 * Writing a whole object version (PutObject, CopyObject). The write state
 * machine:
 *   1. stream the body's blocks onto the set (write-blocks.ts), or keep it
 *      whole when it is small enough to inline;
 *   2. verify what only the whole body can tell (length, Content-MD5,
 *      checksums) before anything becomes visible;
 *   3. each surviving drive stores its copy of the version record (with its
 *      inline shard), which commits the data dir on that drive;
 *   4. at write quorum the coordinator commits the version, atomically.
 * Everything goes under a fresh data dir, so a failure at any step leaves the
 * previous version intact; a failed write's blocks and copies are removed
 * (and a drive's own sweep removes data dirs that were never committed).
 */
import { sealShard } from "../../../shared/bitrot.ts";
import type { FloeConfig } from "../../../shared/config.ts";
import { S3Error, type S3ErrorCode } from "../../../shared/s3-errors.ts";
import type { CommitRequest, CommitResult } from "../../../shared/types/bucket-rpc.ts";
import type { VersionCopyWrite } from "../../../shared/types/drive-rpc.ts";

export type CommitSuccess = Extract<CommitResult, { ok: true }>;
import {
  dataDirsOf,
  replicaStamp,
  serializeRecord,
  type StorageClass,
  type VersionRecord,
} from "../../../shared/types/version-record.ts";
import { planErasure, quorumOf } from "./erasure-set.ts";
import { toS3Error } from "../result.ts";
import { bucketStub } from "../stubs.ts";
import type { WriteBatch } from "./write-batch.ts";
import {
  assertWriteQuorum,
  toHex,
  writeBlocks,
  writeSlots,
  type DriveSlot,
} from "./write-blocks.ts";

export interface WriteContext {
  env: Env;
  config: FloeConfig;
  deploymentId: string;
  waitUntil(promise: Promise<unknown>): void;
  /** Writes this one travels with: copies and commit go out together (write-batch.ts). */
  batch?: WriteBatch;
}

/** What describes a version besides its bytes. */
export interface VersionAttributes {
  contentType?: string;
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
  storageClass: StorageClass;
  checksums: Record<string, string>;
  tags?: Record<string, string>;
  retention?: VersionRecord["retention"];
  legalHold?: boolean;
}

export interface ObjectWrite extends VersionAttributes {
  bucket: string;
  key: string;
  versionId: string;
  body: ReadableStream<Uint8Array> | null;
  /** Declared payload length, when known; a body of another length fails with IncompleteBody. */
  expectedSize: number | null;
  /** Conditional write, checked atomically at commit. */
  condition?: CommitRequest["condition"];
  /** Extra hashers fed with every byte (checksums), finished in `verify`. */
  hashers?: { update(data: Uint8Array): void }[];
  /**
   * A replica from another site: it keeps the source's mtime, ETag and
   * checksums, and commits as a replica (never replicated further).
   */
  replica?: {
    mtime: number;
    etag: string | null;
    checksums: Record<string, string> | null;
    metadataTimestamp: number | null;
    /** Deployment id of the site where the version was first written, when the sender said. */
    origin?: string | null;
  };
  /** Told what the commit said (sync replication targets, or a duplicate replica). */
  onCommitted?: (result: CommitSuccess) => void;
  /** Runs after the whole body was read, before anything is committed (Content-MD5, checksums). */
  verify?: (result: {
    md5: Uint8Array;
    size: number;
  }) => Promise<Partial<VersionAttributes> | void> | Partial<VersionAttributes> | void;
}

/** Writes one object version and commits it; returns the committed record. */
export async function writeObject(ctx: WriteContext, write: ObjectWrite): Promise<VersionRecord> {
  const erasure = planErasure(
    ctx.config,
    ctx.deploymentId,
    write.bucket,
    write.key,
    write.storageClass,
  );
  const slots = writeSlots(ctx.env, erasure);
  const dataDir = crypto.randomUUID();
  try {
    const written = await writeBlocks({
      erasure,
      slots,
      bucket: write.bucket,
      key: write.key,
      dataDir,
      part: 1,
      body: write.body,
      expectedSize: write.expectedSize,
      inlineThreshold: ctx.config.inlineThreshold,
      hashers: write.hashers,
    });
    if (write.expectedSize !== null && written.size !== write.expectedSize)
      throw new S3Error("IncompleteBody");
    const extra = (await write.verify?.({ md5: written.md5, size: written.size })) ?? {};
    const etag = toHex(written.md5);
    const record: VersionRecord = {
      format: 1,
      bucket: write.bucket,
      key: write.key,
      versionId: write.versionId,
      dataDir,
      deleteMarker: false,
      mtime: write.replica?.mtime ?? Date.now(),
      size: written.size,
      etag: write.replica?.etag ?? etag,
      contentType: write.contentType,
      headers: write.headers,
      userMetadata: write.userMetadata,
      checksums: write.replica?.checksums ?? { ...write.checksums, ...(extra.checksums ?? {}) },
      storageClass: write.storageClass,
      tags: write.tags,
      retention: write.retention,
      legalHold: write.legalHold,
      erasure,
      parts: [{ number: 1, size: written.size, etag, dataDir }],
      inline: written.inline !== null,
      ...(write.replica
        ? {
            replica: replicaStamp(write.replica.origin ?? null),
            metadataTimestamp: write.replica.metadataTimestamp ?? undefined,
          }
        : {}),
    };
    const committed = await commitRecord(ctx, slots, record, written.inline, (request) => {
      const full = {
        ...request,
        condition: write.condition ?? null,
        replica: write.replica ? {} : null,
      };
      return ctx.batch
        ? ctx.batch.commit(ctx.env, record.bucket, full)
        : bucketStub(ctx.env, record.bucket).commitVersion(full);
    });
    // A replica the bucket already held: the copies just written are not needed.
    if (committed.duplicate)
      ctx.waitUntil(discardWrite(slots, write.bucket, write.key, write.versionId, dataDir, []));
    write.onCommitted?.(committed);
    return record;
  } catch (error) {
    ctx.waitUntil(discardWrite(slots, write.bucket, write.key, write.versionId, dataDir, []));
    throw error;
  }
}

/**
 * Steps 3 and 4: record copies on every surviving drive, then the
 * coordinator's commit at write quorum. Throws (leaving the caller to
 * discard) when either fails.
 */
export async function commitRecord(
  ctx: WriteContext,
  slots: DriveSlot[],
  record: VersionRecord,
  inline: { data: Uint8Array; shards: Uint8Array[] } | null,
  commit: (request: CommitRequest) => Promise<CommitSuccess | { ok: false; error: S3ErrorCode }> = (
    request,
  ) => bucketStub(ctx.env, record.bucket).commitVersion(request),
): Promise<CommitSuccess> {
  const recordJson = serializeRecord(record);
  const partDirs = dataDirsOf(record).filter((dir) => dir !== record.dataDir);
  const copyOf = (slot: DriveSlot): VersionCopyWrite => {
    const shard = inline?.shards[slot.shard];
    return {
      bucket: record.bucket,
      key: record.key,
      versionId: record.versionId,
      dataDir: record.dataDir,
      record: recordJson,
      inline: shard ? sealShard(shard) : null,
      partDirs,
    };
  };
  if (ctx.batch) {
    const live = slots.flatMap((slot, i) => (slot.failed ? [] : [{ slot, i }]));
    const stored = await ctx.batch.storeCopies(
      live.map(({ slot, i }) => ({
        drive: `${record.erasure.set}#${i}`,
        stub: slot.stub,
        copy: copyOf(slot),
      })),
    );
    live.forEach(({ slot }, at) => {
      if (!stored[at]) slot.failed = true;
    });
  } else {
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.failed) return;
        const copy = copyOf(slot);
        try {
          await slot.stub.putVersionCopy(
            copy.bucket,
            copy.key,
            copy.versionId,
            copy.dataDir,
            copy.record,
            copy.inline,
            copy.partDirs,
          );
        } catch {
          slot.failed = true;
        }
      }),
    );
  }
  assertWriteQuorum(slots, record.erasure);
  const committed = await commit({
    record,
    inlineData: inline?.data ?? null,
    acknowledgements: slots.filter((slot) => !slot.failed).length,
    writeQuorum: quorumOf(record.erasure).writeQuorum,
  });
  if (!committed.ok) throw toS3Error({ code: committed.error });
  return committed;
}

/** Best-effort removal of a failed write's record copies and blocks. */
export async function discardWrite(
  slots: DriveSlot[],
  bucket: string,
  key: string,
  versionId: string,
  dataDir: string,
  partDirs: string[],
): Promise<void> {
  await Promise.allSettled(
    slots.map((slot) => slot.stub.deleteVersion(bucket, key, versionId, dataDir, partDirs)),
  );
}
