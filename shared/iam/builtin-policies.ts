/**
 * Floe's built-in policies: MinIO's canned policies (readwrite, readonly,
 * writeonly, diagnostics, consoleAdmin) and the two replication policies of
 * MinIO's replication guide: ReplicationAdmin for whoever sets up remote
 * targets and rules on the source, ReplicationRemoteUser for the user whose
 * credentials a remote target stores, who receives replicated data on the
 * target. Built-ins cannot be changed or removed.
 */
import { parsePolicy, type PolicyDocument } from "./policy-document.ts";

const ALL = "arn:aws:s3:::*";

const allow = (actions: string[], resource: string[] | null = [ALL]) =>
  parsePolicy({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, ...(resource ? { Resource: resource } : {}) }],
  });

export const BUILTIN_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  readwrite: allow(["s3:*"]),
  readonly: allow(["s3:GetBucketLocation", "s3:GetObject"]),
  writeonly: allow(["s3:PutObject"]),
  diagnostics: allow([
    "admin:ServerInfo",
    "admin:Profiling",
    "admin:ServerTrace",
    "admin:ConsoleLog",
    "admin:OBDInfo",
    "admin:TopLocksInfo",
    "admin:BandwidthMonitor",
    "admin:Prometheus",
  ]),
  consoleAdmin: allow(["admin:*", "kms:*", "s3:*"]),
  ReplicationAdmin: parsePolicy({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["admin:SetBucketTarget", "admin:GetBucketTarget"] },
      {
        Effect: "Allow",
        Action: [
          "s3:GetReplicationConfiguration",
          "s3:PutReplicationConfiguration",
          "s3:ListBucket",
          "s3:ListBucketMultipartUploads",
          "s3:GetBucketLocation",
          "s3:GetBucketVersioning",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: [ALL],
      },
    ],
  }),
  ReplicationRemoteUser: parsePolicy({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "s3:GetReplicationConfiguration",
          "s3:ListBucket",
          "s3:ListBucketMultipartUploads",
          "s3:GetBucketLocation",
          "s3:GetBucketVersioning",
          "s3:GetBucketObjectLockConfiguration",
          "s3:GetEncryptionConfiguration",
        ],
        Resource: ["arn:aws:s3:::*"],
      },
      {
        Effect: "Allow",
        Action: [
          "s3:GetReplicationConfiguration",
          "s3:ReplicateTags",
          "s3:AbortMultipartUpload",
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:GetObjectVersionTagging",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:ReplicateObject",
          "s3:ReplicateDelete",
        ],
        Resource: ["arn:aws:s3:::*/*"],
      },
    ],
  }),
};

export function isBuiltinPolicy(name: string): boolean {
  return Object.hasOwn(BUILTIN_POLICIES, name);
}
