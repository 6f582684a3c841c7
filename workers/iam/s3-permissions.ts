/**
 * Which IAM permission an S3 request needs: the action (`s3:GetObject`, ...)
 * and the resource ARN it applies to, from the classified AWS action, as S3
 * documents them. Variants:
 * - a `versionId` turns object reads, deletes and tagging into their
 *   `...Version...` permissions;
 * - CopyObject and UploadPartCopy also need to read the source
 *   (copySourcePermission);
 * - x-amz-object-lock-mode / -retain-until-date on PutObject, CopyObject and
 *   CreateMultipartUpload also need s3:PutObjectRetention, and
 *   x-amz-object-lock-legal-hold s3:PutObjectLegalHold, as AWS requires;
 * - replica writes from another site (the replication request header) need
 *   s3:ReplicateObject, s3:ReplicateDelete or s3:ReplicateTags instead, and
 *   an explicit Deny of the ordinary action the replica performs refuses
 *   them too (`unlessDenied`): a replica PUT is an s3:PutObject (plus the
 *   lock and tagging actions of the headers it carries), a metadata-only
 *   replica is s3:PutObject(Version)Tagging, s3:PutObjectRetention and
 *   s3:PutObjectLegalHold, a replicated version delete is
 *   s3:DeleteObjectVersion, a replicated delete marker s3:DeleteObject.
 *   Retention and legal hold requests have no replica form: the header
 *   there changes nothing.
 * Pure: no I/O.
 */
import {
  METADATA_ONLY_HEADER,
  REPLICATION_REQUEST_HEADER,
} from "../../shared/replication/headers.ts";
import type { S3Action } from "../s3/actions.ts";

export interface Permission {
  action: string;
  resource: string;
  /**
   * Ordinary actions the request performs by way of `action` (a replica
   * write): an explicit Deny of any of them on `resource` refuses it too.
   */
  unlessDenied?: readonly string[];
}

/** Bucket-level actions whose IAM name differs from `s3:<Action>`. */
const BUCKET_PERMISSIONS: Partial<Record<S3Action, string>> = {
  HeadBucket: "s3:ListBucket",
  ListObjects: "s3:ListBucket",
  ListObjectsV2: "s3:ListBucket",
  ListObjectVersions: "s3:ListBucketVersions",
  ListMultipartUploads: "s3:ListBucketMultipartUploads",
  DeleteBucketTagging: "s3:PutBucketTagging",
  GetBucketReplication: "s3:GetReplicationConfiguration",
  PutBucketReplication: "s3:PutReplicationConfiguration",
  DeleteBucketReplication: "s3:PutReplicationConfiguration",
  GetBucketLifecycleConfiguration: "s3:GetLifecycleConfiguration",
  PutBucketLifecycleConfiguration: "s3:PutLifecycleConfiguration",
  DeleteBucketLifecycle: "s3:PutLifecycleConfiguration",
  GetObjectLockConfiguration: "s3:GetBucketObjectLockConfiguration",
  PutObjectLockConfiguration: "s3:PutBucketObjectLockConfiguration",
  GetBucketEncryption: "s3:GetEncryptionConfiguration",
  PutBucketEncryption: "s3:PutEncryptionConfiguration",
  DeleteBucketEncryption: "s3:PutEncryptionConfiguration",
  GetBucketCors: "s3:GetBucketCORS",
  PutBucketCors: "s3:PutBucketCORS",
  DeleteBucketCors: "s3:PutBucketCORS",
  GetBucketNotificationConfiguration: "s3:GetBucketNotification",
  PutBucketNotificationConfiguration: "s3:PutBucketNotification",
  DeleteBucketOwnershipControls: "s3:PutBucketOwnershipControls",
  GetPublicAccessBlock: "s3:GetBucketPublicAccessBlock",
  PutPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
  DeletePublicAccessBlock: "s3:PutBucketPublicAccessBlock",
  GetBucketAccelerateConfiguration: "s3:GetAccelerateConfiguration",
  PutBucketAccelerateConfiguration: "s3:PutAccelerateConfiguration",
  GetBucketRequestPayment: "s3:GetBucketRequestPayment",
  PutBucketRequestPayment: "s3:PutBucketRequestPayment",
  GetBucketAnalyticsConfiguration: "s3:GetAnalyticsConfiguration",
  PutBucketAnalyticsConfiguration: "s3:PutAnalyticsConfiguration",
  DeleteBucketAnalyticsConfiguration: "s3:PutAnalyticsConfiguration",
  GetBucketMetricsConfiguration: "s3:GetMetricsConfiguration",
  PutBucketMetricsConfiguration: "s3:PutMetricsConfiguration",
  DeleteBucketMetricsConfiguration: "s3:PutMetricsConfiguration",
  GetBucketInventoryConfiguration: "s3:GetInventoryConfiguration",
  PutBucketInventoryConfiguration: "s3:PutInventoryConfiguration",
  DeleteBucketInventoryConfiguration: "s3:PutInventoryConfiguration",
  GetBucketIntelligentTieringConfiguration: "s3:GetIntelligentTieringConfiguration",
  PutBucketIntelligentTieringConfiguration: "s3:PutIntelligentTieringConfiguration",
  DeleteBucketIntelligentTieringConfiguration: "s3:PutIntelligentTieringConfiguration",
};

/** Object-level actions: [unversioned, with versionId]. */
const OBJECT_PERMISSIONS: Partial<Record<S3Action, readonly [string, string]>> = {
  GetObject: ["s3:GetObject", "s3:GetObjectVersion"],
  HeadObject: ["s3:GetObject", "s3:GetObjectVersion"],
  GetObjectAttributes: ["s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"],
  SelectObjectContent: ["s3:GetObject", "s3:GetObject"],
  GetObjectTorrent: ["s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"],
  DeleteObject: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
  GetObjectTagging: ["s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
  PutObjectTagging: ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
  DeleteObjectTagging: ["s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"],
  GetObjectAcl: ["s3:GetObjectAcl", "s3:GetObjectVersionAcl"],
  PutObjectAcl: ["s3:PutObjectAcl", "s3:PutObjectVersionAcl"],
  GetObjectRetention: ["s3:GetObjectRetention", "s3:GetObjectRetention"],
  PutObjectRetention: ["s3:PutObjectRetention", "s3:PutObjectRetention"],
  GetObjectLegalHold: ["s3:GetObjectLegalHold", "s3:GetObjectLegalHold"],
  PutObjectLegalHold: ["s3:PutObjectLegalHold", "s3:PutObjectLegalHold"],
  RestoreObject: ["s3:RestoreObject", "s3:RestoreObject"],
  PutObject: ["s3:PutObject", "s3:PutObject"],
  CopyObject: ["s3:PutObject", "s3:PutObject"],
  PostObject: ["s3:PutObject", "s3:PutObject"],
  CreateMultipartUpload: ["s3:PutObject", "s3:PutObject"],
  UploadPart: ["s3:PutObject", "s3:PutObject"],
  UploadPartCopy: ["s3:PutObject", "s3:PutObject"],
  CompleteMultipartUpload: ["s3:PutObject", "s3:PutObject"],
  AbortMultipartUpload: ["s3:AbortMultipartUpload", "s3:AbortMultipartUpload"],
  ListParts: ["s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"],
};

/** Replica writes from another site and the permission each needs. */
const REPLICA_PERMISSIONS: Partial<Record<S3Action, string>> = {
  PutObject: "s3:ReplicateObject",
  CreateMultipartUpload: "s3:ReplicateObject",
  UploadPart: "s3:ReplicateObject",
  CompleteMultipartUpload: "s3:ReplicateObject",
  DeleteObject: "s3:ReplicateDelete",
  PutObjectTagging: "s3:ReplicateTags",
  DeleteObjectTagging: "s3:ReplicateTags",
};

/** Writes whose object lock headers need the lock permissions. */
const LOCK_HEADER_WRITES: ReadonlySet<S3Action> = new Set<S3Action>([
  "PutObject",
  "CopyObject",
  "CreateMultipartUpload",
]);

/** The permissions a write's object lock headers need. */
function lockHeaderActions(headers: Headers): string[] {
  const actions: string[] = [];
  if (headers.has("x-amz-object-lock-mode") || headers.has("x-amz-object-lock-retain-until-date"))
    actions.push("s3:PutObjectRetention");
  if (headers.has("x-amz-object-lock-legal-hold")) actions.push("s3:PutObjectLegalHold");
  return actions;
}

/** The ordinary actions a replica write performs (see the module header). */
function replicaOrdinaryActions(action: S3Action, headers: Headers, versioned: boolean): string[] {
  if (action === "PutObject" && headers.get(METADATA_ONLY_HEADER)?.toLowerCase() === "true")
    return [
      "s3:PutObjectTagging",
      "s3:PutObjectVersionTagging",
      "s3:PutObjectRetention",
      "s3:PutObjectLegalHold",
    ];
  if (action === "PutObject" || action === "CreateMultipartUpload")
    return [
      "s3:PutObject",
      ...lockHeaderActions(headers),
      ...(headers.has("x-amz-tagging") ? ["s3:PutObjectTagging"] : []),
    ];
  if (action === "DeleteObject") return [versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject"];
  const ordinary = OBJECT_PERMISSIONS[action];
  return ordinary ? [ordinary[versioned ? 1 : 0]] : [];
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** True when the request says it is a replica write from another site. */
export function isReplicaRequest(headers: Headers): boolean {
  return headers.get(REPLICATION_REQUEST_HEADER)?.toLowerCase() === "true";
}

/**
 * The permissions a classified request needs (all of them). DeleteObjects
 * and ReplicateObjects need none here: their handlers check every key.
 */
export function requiredPermissions(request: {
  action: S3Action;
  bucket: string | null;
  key: string | null;
  query: URLSearchParams;
  headers: Headers;
}): Permission[] {
  const { action, bucket, key } = request;
  if (action === "ListBuckets")
    return [{ action: "s3:ListAllMyBuckets", resource: "arn:aws:s3:::*" }];
  if (bucket === null) return [{ action: `s3:${action}`, resource: "arn:aws:s3:::*" }];
  if (action === "DeleteObjects" || action === "ReplicateObjects") return [];
  const object = OBJECT_PERMISSIONS[action];
  if (object && key !== null) {
    const resource = objectArn(bucket, key);
    const versioned = request.query.has("versionId");
    const replica = isReplicaRequest(request.headers) ? REPLICA_PERMISSIONS[action] : undefined;
    if (replica) {
      const unlessDenied = replicaOrdinaryActions(action, request.headers, versioned);
      const permission = { action: replica, resource, unlessDenied };
      // MinIO also requires s3:DeleteObject for a replicated delete.
      return action === "DeleteObject"
        ? [permission, { action: "s3:DeleteObject", resource }]
        : [permission];
    }
    const permissions = [{ action: object[versioned ? 1 : 0], resource }];
    if (LOCK_HEADER_WRITES.has(action))
      for (const lock of lockHeaderActions(request.headers))
        permissions.push({ action: lock, resource });
    return permissions;
  }
  return [{ action: BUCKET_PERMISSIONS[action] ?? `s3:${action}`, resource: bucketArn(bucket) }];
}

/** The read a CopyObject / UploadPartCopy needs on its source. */
export function copySourcePermission(source: {
  bucket: string;
  key: string;
  versionId: string | null;
}): Permission {
  return {
    action: source.versionId ? "s3:GetObjectVersion" : "s3:GetObject",
    resource: objectArn(source.bucket, source.key),
  };
}
