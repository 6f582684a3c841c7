/**
 * Remote-target ARNs: `arn:floe:replication::<uuid>:<target bucket>`, the
 * uuid random per target, as MinIO names its targets
 * (`arn:minio:replication::<uuid>:<bucket>`).
 */
const PATTERN = /^arn:floe:replication::([0-9a-f-]{36}):([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;

export function makeTargetArn(targetBucket: string): string {
  return `arn:floe:replication::${crypto.randomUUID()}:${targetBucket}`;
}

/** The parts of a target ARN, or null when it is not one. */
export function parseTargetArn(arn: string): { id: string; bucket: string } | null {
  const match = PATTERN.exec(arn);
  return match ? { id: match[1], bucket: match[2] } : null;
}
