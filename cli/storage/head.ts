/**
 * HEAD of one object. A HEAD has no error body, so a 404 is reported as
 * NoSuchKey naming the path asked for (a missing bucket looks the same).
 */
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { CliError, isNotFound } from "../core/errors.ts";
import { bareEtag, type ObjectEntry } from "./entries.ts";

/** HeadObject, with checksums asked for; throws NoSuchKey on 404. */
export async function headObject(
  client: S3Client,
  target: { bucket: string; key: string; versionId?: string },
  display: string,
  signal?: AbortSignal,
): Promise<HeadObjectCommandOutput> {
  try {
    return await client.send(
      new HeadObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        VersionId: target.versionId,
        ChecksumMode: "ENABLED",
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    if (isNotFound(error)) {
      throw new CliError("NoSuchKey", `Object does not exist: ${display}`);
    }
    throw error;
  }
}

/** The listing entry a HEAD answer describes. */
export function headEntry(key: string, head: HeadObjectCommandOutput): ObjectEntry {
  return {
    key,
    size: head.ContentLength ?? 0,
    lastModified: head.LastModified ?? new Date(0),
    etag: bareEtag(head.ETag),
    storageClass: head.StorageClass,
    versionId: head.VersionId,
  };
}
