/**
 * The one S3 error table: every S3 error code Floe answers with, its HTTP
 * status and AWS's default message. Handlers throw `S3Error`; the pipeline
 * renders it as S3 XML (or a bodiless response for HEAD).
 */

export const S3_ERRORS = {
  AccessDenied: [403, "Access Denied"],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed."],
  AuthorizationQueryParametersError: [400, "Error parsing the X-Amz-Credential parameter."],
  BadDigest: [400, "The Content-MD5 you specified did not match what we received."],
  BucketAlreadyExists: [
    409,
    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
  ],
  BucketAlreadyOwnedByYou: [
    409,
    "Your previous request to create the named bucket succeeded and you already own it.",
  ],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty"],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size."],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  ExpiredToken: [400, "The provided token has expired."],
  IncompleteBody: [
    400,
    "You did not provide the number of bytes specified by the Content-Length HTTP header.",
  ],
  IllegalLocationConstraintException: [
    400,
    "The location constraint is incompatible for the region specific endpoint this request was sent to.",
  ],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid."],
  InvalidPart: [
    400,
    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  ],
  InvalidPartOrder: [
    400,
    "The list of parts was not in ascending order. Parts must be ordered by part number.",
  ],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidPartNumber: [416, "The requested partnumber is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidStorageClass: [400, "The storage class you specified is not valid"],
  InvalidTag: [400, "The tag provided was not a valid tag."],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  InvalidBucketState: [409, "The request is not valid with the current state of the bucket."],
  ObjectLockConfigurationNotFoundError: [
    404,
    "Object Lock configuration does not exist for this bucket",
  ],
  NoSuchObjectLockConfiguration: [
    404,
    "The specified object does not have a ObjectLock configuration",
  ],
  NoSuchTagSet: [404, "The TagSet does not exist"],
  NoSuchLifecycleConfiguration: [404, "The lifecycle configuration does not exist"],
  MissingContentMD5: [400, "Missing required header for this request: Content-MD5"],
  KeyTooLongError: [400, "Your key is too long"],
  MalformedXML: [
    400,
    "The XML you provided was not well-formed or did not validate against our published schema.",
  ],
  MalformedTrailerError: [
    400,
    "The request contained trailing data that was not well-formed or did not conform to our published schema.",
  ],
  MalformedPolicy: [400, "Policies must be valid JSON and the first byte must be '{'"],
  MaxMessageLengthExceeded: [400, "Your request was too big."],
  MetadataTooLarge: [400, "Your metadata headers exceed the maximum allowed metadata size."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  MissingSecurityHeader: [400, "Your request was missing a required header."],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchBucketPolicy: [404, "The bucket policy does not exist"],
  ReplicationConfigurationNotFoundError: [404, "The replication configuration was not found"],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchUpload: [
    404,
    "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.",
  ],
  NoSuchVersion: [404, "The specified version does not exist."],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented."],
  NotModified: [304, "Not Modified"],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold"],
  RequestTimeTooSkewed: [
    403,
    "The difference between the request time and the server's time is too large.",
  ],
  ServiceUnavailable: [503, "Please reduce your request rate."],
  SignatureDoesNotMatch: [
    403,
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
  ],
  SlowDown: [503, "Please reduce your request rate."],
  XAmzContentSHA256Mismatch: [
    400,
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
  ],
  InsufficientWriteQuorum: [503, "Storage resources are insufficient for the write operation."],
  InsufficientReadQuorum: [503, "Storage resources are insufficient for the read operation."],
  // Floe's own codes for replication state, answered by the admin API.
  NoExistingObjectReplication: [
    400,
    "No enabled replication rule for the target replicates existing objects.",
  ],
  NoSuchResyncJob: [404, "The specified resync job does not exist."],
  ResyncRunning: [409, "A resync to the target is already running."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** An S3 error with its code, HTTP status and message; rendered by the pipeline. */
export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  /** Extra elements placed in the XML body (e.g. BucketName, Key). */
  readonly detail: Record<string, string>;
  /** Extra response headers (e.g. Content-Range on 416). */
  readonly headers: Record<string, string>;

  constructor(
    code: S3ErrorCode,
    message?: string,
    options: { detail?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    const [status, defaultMessage] = S3_ERRORS[code];
    super(message ?? defaultMessage);
    this.name = "S3Error";
    this.code = code;
    this.status = status;
    this.detail = options.detail ?? {};
    this.headers = options.headers ?? {};
  }
}

/** True when `value` is an S3Error (also across module copies). */
export function isS3Error(value: unknown): value is S3Error {
  return value instanceof S3Error;
}
