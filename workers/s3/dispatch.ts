/**
 * Dispatch: every S3 action to its handler, or null where Floe does not
 * implement it (the pipeline answers those 501 NotImplemented).
 */
import type { S3Action } from "./actions.ts";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  headBucket,
  listBuckets,
} from "./bucket.ts";
import {
  deleteBucketPolicy,
  getBucketPolicy,
  getBucketPolicyStatus,
  putBucketPolicy,
} from "./bucket-policy.ts";
import type { S3Handler } from "./context.ts";
import {
  deleteBucketReplication,
  getBucketReplication,
  putBucketReplication,
} from "./replication.ts";
import { copyObject, uploadPartCopy } from "./copy.ts";
import { replicateObjects } from "../replication/receive/replica-batch.ts";
import { deleteObjects } from "./delete-objects.ts";
import {
  deleteBucketLifecycle,
  getBucketLifecycleConfiguration,
  putBucketLifecycleConfiguration,
} from "./lifecycle.ts";
import { listObjects, listObjectsV2, listObjectVersions } from "./list.ts";
import {
  getObjectLegalHold,
  getObjectLockConfiguration,
  getObjectRetention,
  putObjectLegalHold,
  putObjectLockConfiguration,
  putObjectRetention,
} from "./object-lock.ts";
import { getBucketVersioning, putBucketVersioning } from "./versioning.ts";
import {
  deleteBucketTagging,
  deleteObjectTagging,
  getBucketTagging,
  getObjectTagging,
  putBucketTagging,
  putObjectTagging,
} from "./tagging.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from "./multipart.ts";
import { deleteObject, getObject, headObject, putObject } from "./object.ts";
import { getObjectAttributes } from "./object-attributes.ts";

export const S3_HANDLERS: Record<S3Action, S3Handler | null> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  ListMultipartUploads: listMultipartUploads,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
  GetBucketReplication: getBucketReplication,
  PutBucketReplication: putBucketReplication,
  DeleteBucketReplication: deleteBucketReplication,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  GetObjectLockConfiguration: getObjectLockConfiguration,
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetBucketEncryption: null,
  PutBucketEncryption: null,
  DeleteBucketEncryption: null,
  GetBucketAcl: null,
  PutBucketAcl: null,
  GetBucketCors: null,
  PutBucketCors: null,
  DeleteBucketCors: null,
  GetBucketNotificationConfiguration: null,
  PutBucketNotificationConfiguration: null,
  GetBucketWebsite: null,
  PutBucketWebsite: null,
  DeleteBucketWebsite: null,
  GetBucketLogging: null,
  PutBucketLogging: null,
  GetBucketOwnershipControls: null,
  PutBucketOwnershipControls: null,
  DeleteBucketOwnershipControls: null,
  GetPublicAccessBlock: null,
  PutPublicAccessBlock: null,
  DeletePublicAccessBlock: null,
  GetBucketAccelerateConfiguration: null,
  PutBucketAccelerateConfiguration: null,
  GetBucketRequestPayment: null,
  PutBucketRequestPayment: null,
  GetBucketAnalyticsConfiguration: null,
  PutBucketAnalyticsConfiguration: null,
  DeleteBucketAnalyticsConfiguration: null,
  GetBucketMetricsConfiguration: null,
  PutBucketMetricsConfiguration: null,
  DeleteBucketMetricsConfiguration: null,
  GetBucketInventoryConfiguration: null,
  PutBucketInventoryConfiguration: null,
  DeleteBucketInventoryConfiguration: null,
  GetBucketIntelligentTieringConfiguration: null,
  PutBucketIntelligentTieringConfiguration: null,
  DeleteBucketIntelligentTieringConfiguration: null,
  GetObjectTorrent: null,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  ReplicateObjects: replicateObjects,
  CopyObject: copyObject,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  GetObjectAcl: null,
  PutObjectAcl: null,
  GetObjectRetention: getObjectRetention,
  PutObjectRetention: putObjectRetention,
  GetObjectLegalHold: getObjectLegalHold,
  PutObjectLegalHold: putObjectLegalHold,
  GetObjectAttributes: getObjectAttributes,
  RestoreObject: null,
  SelectObjectContent: null,
  PostObject: null,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
};
