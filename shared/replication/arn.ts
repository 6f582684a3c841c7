/**
 * Remote-target ARNs: `arn:floe:replication::<uuid>:<target bucket>`, as
 * MinIO names its targets (`arn:minio:replication::<uuid>:<bucket>`). The
 * uuid is derived from the source bucket, the remote endpoint and the
 * target bucket, so a site rebuilt after total loss gets the same ARN when
 * it adds the same target again, and an exported replication configuration
 * imports unchanged.
 */
const PATTERN = /^arn:floe:replication::([0-9a-f-]{36}):([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;

export async function makeTargetArn(
  sourceBucket: string,
  endpoint: string,
  targetBucket: string,
): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(`${sourceBucket}\n${endpoint}\n${targetBucket}`),
    ),
  );
  const hex = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return `arn:floe:replication::${uuid}:${targetBucket}`;
}

/** The parts of a target ARN, or null when it is not one. */
export function parseTargetArn(arn: string): { id: string; bucket: string } | null {
  const match = PATTERN.exec(arn);
  return match ? { id: match[1], bucket: match[2] } : null;
}
