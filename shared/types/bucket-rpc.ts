/** RPC types of the Bucket coordinator Durable Object. */
import type { ReplicationStatus } from "../replication/status.ts";
import type { ErasureInfo, VersionRecord } from "./version-record.ts";

export interface BucketInfo {
  name: string;
  createdAt: number;
  owner: string;
  /** "" until versioning is first configured. */
  versioning: "" | "Enabled" | "Suspended";
  /** MinIO's extensions: prefixes (and, with excludeFolders, "folders") whose objects are not versioned. */
  excludedPrefixes: string[];
  excludeFolders: boolean;
  /** Object lock, when the bucket was created with it. */
  objectLock: ObjectLockConfig | null;
  /** True when a replication configuration is set. */
  replication: boolean;
  /** Remote targets replicated to inline (sync), before a write answers. */
  syncTargets: string[];
}

export interface ObjectLockConfig {
  enabled: true;
  defaultRetention?: { mode: "GOVERNANCE" | "COMPLIANCE"; days?: number; years?: number };
}

/** A version with its record and, for inline objects, its data. */
export interface StoredVersion {
  record: VersionRecord;
  inlineData: Uint8Array | null;
}

export type VersionLookup =
  | {
      ok: true;
      version: StoredVersion;
      /** True once versioning was ever configured (responses then name the null version too). */
      versioned?: boolean;
      /** x-amz-replication-status of the version; null when it is not replicated. */
      replicationStatus?: ReplicationStatus | null;
    }
  | { ok: false; error: "NoSuchBucket" | "NoSuchKey" | "NoSuchVersion" };

export interface CommitRequest {
  record: VersionRecord;
  inlineData: Uint8Array | null;
  /** Drives that stored their shards and record copy. */
  acknowledgements: number;
  writeQuorum: number;
  /** Conditional write: checked against the key's current version inside the commit. */
  condition?: { ifNoneMatch: "*" } | { ifMatch: string } | null;
  /**
   * A replica from another site (the record carries `replica`): stored by
   * (mtime, version id), never replicated further.
   */
  replica?: Record<string, never> | null;
}

export type CommitResult =
  | {
      ok: true;
      /** Sync targets the caller replicates to before answering. */
      syncTargets?: string[];
      /** A replica the bucket already held: nothing changed. */
      duplicate?: boolean;
    }
  | {
      ok: false;
      /**
       * AccessDenied: a replica would replace a version under object lock.
       * InternalError: one commit of a batch threw (commitVersions).
       */
      error:
        | "NoSuchBucket"
        | "InsufficientWriteQuorum"
        | "PreconditionFailed"
        | "NoSuchKey"
        | "AccessDenied"
        | "InternalError";
    };

/** Why a tags / retention / legal-hold change was refused (a delete marker names itself). */
export type RecordChangeRefused =
  | { ok: false; error: "AccessDenied" }
  | { ok: false; error: "MethodNotAllowed"; marker: { versionId: string; mtime: number } };

/**
 * A metadata change replicated from another site: applied when newer than
 * the version's last change, under the object lock rules, with the
 * caller's lock permissions (decided by the worker).
 */
export interface ReplicaMetadataChange {
  /** When the change was made at the source (ms): last writer wins. */
  timestamp: number;
  /** The caller holds s3:BypassGovernanceRetention on the object. */
  bypassGovernance: boolean;
  /** The caller holds s3:PutObjectLegalHold on the object. */
  releaseLegalHold: boolean;
}

export type DeleteResult =
  | { ok: true; deleted: VersionRecord | null }
  | { ok: false; error: "NoSuchBucket" | "AccessDenied" };

export interface VersionPage {
  versions: StoredVersion[];
  /** Pass back to continue; null at the end. */
  cursor: string | null;
}

/** A multipart upload in progress. */
export interface UploadInfo {
  uploadId: string;
  key: string;
  createdAt: number;
  /** JSON of the version attributes given at CreateMultipartUpload. */
  attributes: string;
  erasure: ErasureInfo;
}

export interface UploadedPart {
  number: number;
  size: number;
  etag: string;
  dataDir: string;
  checksums: Record<string, string>;
  mtime: number;
}

/** A ListMultipartUploads request, as the coordinator pages it. */
export interface UploadListRequest {
  prefix: string;
  delimiter: string;
  keyMarker: string;
  uploadIdMarker: string;
  maxUploads: number;
}

export interface UploadListing {
  uploads: UploadInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string | null;
  nextUploadIdMarker: string | null;
}

/** What one lifecycle step did. */
export interface LifecycleSummary {
  keysScanned: number;
  /** Current versions expired (removed, or hidden behind a delete marker). */
  expired: number;
  noncurrentRemoved: number;
  markersRemoved: number;
  uploadsAborted: number;
  /** True when the step reached the end of the bucket (the cursor starts over). */
  finished: boolean;
}

export interface ListRequest {
  prefix: string;
  delimiter: string;
  /** List keys strictly after this one ("" = from the start). */
  after: string;
  maxKeys: number;
}

export interface ListedObject {
  key: string;
  etag: string;
  size: number;
  mtime: number;
  storageClass: string;
  versionId: string;
}

export interface ListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of this page (the next marker), when truncated. */
  nextMarker: string | null;
}

export interface VersionListRequest {
  prefix: string;
  delimiter: string;
  keyMarker: string;
  versionIdMarker: string;
  maxKeys: number;
}

export interface ListedVersion extends ListedObject {
  isLatest: boolean;
  deleteMarker: boolean;
}

export interface VersionListPage {
  versions: ListedVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string | null;
  nextVersionIdMarker: string | null;
}
