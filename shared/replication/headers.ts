/**
 * Headers of Floe's site-to-site replication protocol. A replica write
 * carries REPLICATION_REQUEST_HEADER: "true"; the target authorizes it with
 * s3:ReplicateObject / s3:ReplicateDelete / s3:ReplicateTags instead of the
 * ordinary write permissions.
 */
export const REPLICATION_REQUEST_HEADER = "x-floe-replication-request";
