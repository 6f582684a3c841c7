/**
 * Bucket versioning state. A bucket that never had versioning enabled
 * answers GetBucketVersioning with no status; only then can current objects
 * stand for all of its data (and servers without ListObjectVersions, such
 * as simple S3 emulators, still work).
 */
import { GetBucketVersioningCommand, type S3Client } from "@aws-sdk/client-s3";
import { isNotImplemented } from "../core/errors.ts";

/** "Enabled", "Suspended" or "Unversioned". */
export async function versioningStatus(
  client: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<"Enabled" | "Suspended" | "Unversioned"> {
  const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }), {
    abortSignal: signal,
  });
  return out.Status ?? "Unversioned";
}

/** True when the bucket may hold noncurrent versions or delete markers (never on servers without versioning). */
export async function hasVersions(
  client: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    return (await versioningStatus(client, bucket, signal)) !== "Unversioned";
  } catch (error) {
    if (isNotImplemented(error)) return false;
    throw error;
  }
}
