/**
 * Headers of Floe's site-to-site replication protocol (MinIO's, renamed).
 * Every replica write is an ordinary SigV4 header-signed S3 request with
 * the remote target's credentials (every x-floe-* header inside the
 * signature; presigned or anonymous replica writes are refused), plus:
 *   x-floe-replication-request: true     marks it; the target authorizes it
 *       with s3:ReplicateObject / s3:ReplicateDelete / s3:ReplicateTags,
 *       refuses it on an explicit Deny of the ordinary action it performs,
 *       holds object lock against it, and never replicates it further
 *       (loop avoidance);
 *   x-floe-source-version-id             the version id to store;
 *   x-floe-source-mtime                  its modification time (ms);
 *   x-floe-source-etag                   the ETag to keep (a multipart ETag
 *       survives a single-PUT transfer); a replay of a version the target
 *       already holds with that ETag is a no-op success;
 *   x-floe-source-checksums              the source's checksums as JSON
 *       (algorithm → base64, "-N" on a multipart composite), stored as given;
 *   x-floe-source-delete-marker: true    on DELETE: create the delete
 *       marker with that version id and mtime;
 *   x-floe-source-covers                 sent with delete markers by earlier
 *       releases (the version below the marker at the source); checked and
 *       ignored: every marker is stored as a version of its own;
 *   x-floe-source-metadata-timestamp     when the version's tags, retention
 *       or legal hold last changed (ms): last writer wins by this time;
 *   x-floe-source-origin                 the deployment id of the site where
 *       the version (or delete marker) was first written; the target stores
 *       it with the replica, so existing-object replication never sends a
 *       version back to the site it came from;
 *   x-floe-deployment-id                 on the answer to every authorized
 *       request carrying x-floe-replication-request: the target's own
 *       deployment id, how a source learns which site a target is;
 *   x-floe-replication-metadata: true    a metadata-only update (no body)
 *       of a version the target holds, with x-floe-source-metadata (JSON
 *       { tags, retention, legalHold }); 404 NoSuchVersion when it does not.
 */
export const REPLICATION_REQUEST_HEADER = "x-floe-replication-request";
export const SOURCE_VERSION_ID_HEADER = "x-floe-source-version-id";
export const SOURCE_MTIME_HEADER = "x-floe-source-mtime";
export const SOURCE_ETAG_HEADER = "x-floe-source-etag";
export const SOURCE_DELETE_MARKER_HEADER = "x-floe-source-delete-marker";
export const SOURCE_COVERS_HEADER = "x-floe-source-covers";
export const SOURCE_METADATA_TIMESTAMP_HEADER = "x-floe-source-metadata-timestamp";
export const SOURCE_ORIGIN_HEADER = "x-floe-source-origin";
export const DEPLOYMENT_ID_HEADER = "x-floe-deployment-id";
export const METADATA_ONLY_HEADER = "x-floe-replication-metadata";
export const SOURCE_METADATA_HEADER = "x-floe-source-metadata";
export const SOURCE_CHECKSUMS_HEADER = "x-floe-source-checksums";
