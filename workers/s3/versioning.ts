/**
 * Bucket versioning: Put/GetBucketVersioning (Enabled, Suspended, and
 * MinIO's ExcludedPrefixes (≤ 10) and ExcludeFolders, whose objects are not
 * versioned), the version id a new write gets (a fresh UUID while versioning
 * is Enabled and the key is not excluded, else "null"), and delete markers.
 */
import { z } from "zod";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument } from "../../shared/xml.ts";
import { replicaStamp, type VersionRecord } from "../../shared/types/version-record.ts";
import type { BucketInfo } from "../../shared/types/bucket-rpc.ts";
import { planErasure } from "../storage/erasure-set.ts";
import { bucketStub, getDeploymentId } from "../storage/stubs.ts";
import { commitRecord, discardWrite } from "../storage/write-object.ts";
import { writeSlots } from "../storage/write-blocks.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

/** True when `key` is excluded from versioning by MinIO's extensions. */
export function isExcluded(info: BucketInfo, key: string): boolean {
  if (info.excludeFolders && key.endsWith("/")) return true;
  return info.excludedPrefixes.some((prefix) => key.startsWith(prefix));
}

/** The version id a new write of `key` gets. */
export function versionIdFor(info: BucketInfo, key: string): string {
  return info.versioning === "Enabled" && !isExcluded(info, key) ? crypto.randomUUID() : "null";
}

const versioningSchema = z.object({
  VersioningConfiguration: z.object({
    Status: z.enum(["Enabled", "Suspended"]),
    MfaDelete: z.string().optional(),
    ExcludeFolders: z.enum(["true", "false"]).optional(),
    ExcludedPrefixes: z
      .array(z.object({ Prefix: z.string() }))
      .max(10)
      .optional(),
  }),
});

export async function putBucketVersioning(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const parsed = versioningSchema.safeParse(
    parseXml(await readSmallBody(ctx), ["ExcludedPrefixes"]),
  );
  if (!parsed.success) throw new S3Error("MalformedXML");
  const config = parsed.data.VersioningConfiguration;
  if (config.MfaDelete?.trim() === "Enabled")
    throw new S3Error("NotImplemented", "MFA Delete is not supported.");
  const excludedPrefixes = (config.ExcludedPrefixes ?? []).map((p) => p.Prefix);
  const excludeFolders = config.ExcludeFolders === "true";
  if (config.Status === "Suspended" && (excludedPrefixes.length > 0 || excludeFolders)) {
    throw new S3Error(
      "InvalidArgument",
      "ExcludedPrefixes and ExcludeFolders apply only while versioning is Enabled.",
    );
  }
  const outcome = await bucketStub(ctx.env, bucket).setVersioning(config.Status, {
    excludedPrefixes,
    excludeFolders,
  });
  if (outcome === "InvalidBucketState") {
    throw new S3Error(
      "InvalidBucketState",
      "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
    );
  }
  if (outcome !== "ok") throw new S3Error(outcome, undefined, { detail: { BucketName: bucket } });
  return new Response(null, { status: 200 });
}

export async function getBucketVersioning(ctx: S3Context): Promise<Response> {
  const info = await requireExistingBucket(ctx, requireBucket(ctx));
  return xmlResponse(
    xmlDocument("VersioningConfiguration", [
      info.versioning ? ["Status", info.versioning] : null,
      info.excludeFolders ? ["ExcludeFolders", "true"] : null,
      ...info.excludedPrefixes.map((prefix) => ["ExcludedPrefixes", [["Prefix", prefix]]] as const),
    ]),
  );
}

/** Writes a delete marker for `key` (versioned buckets) and returns it. */
export async function writeDeleteMarker(
  ctx: S3Context,
  info: BucketInfo,
  key: string,
  replica?: { versionId: string; mtime: number; origin: string | null },
): Promise<VersionRecord> {
  const deploymentId = await getDeploymentId(ctx.env);
  const erasure = planErasure(ctx.config, deploymentId, info.name, key, "STANDARD");
  const record: VersionRecord = {
    format: 1,
    bucket: info.name,
    key,
    versionId: replica?.versionId ?? versionIdFor(info, key),
    dataDir: crypto.randomUUID(),
    deleteMarker: true,
    mtime: replica?.mtime ?? Date.now(),
    size: 0,
    etag: "",
    headers: {},
    userMetadata: {},
    checksums: {},
    storageClass: "STANDARD",
    erasure,
    parts: [],
    inline: true,
    ...(replica ? { replica: replicaStamp(replica.origin) } : {}),
  };
  const slots = writeSlots(ctx.env, erasure);
  const writeContext = {
    env: ctx.env,
    config: ctx.config,
    deploymentId,
    waitUntil: (p: Promise<unknown>) => ctx.exec.waitUntil(p),
  };
  try {
    const committed = await commitRecord(writeContext, slots, record, null, (request) =>
      bucketStub(ctx.env, info.name).commitVersion({
        ...request,
        replica: replica ? {} : null,
      }),
    );
    if (committed.duplicate)
      ctx.exec.waitUntil(discardWrite(slots, info.name, key, record.versionId, record.dataDir, []));
  } catch (error) {
    ctx.exec.waitUntil(discardWrite(slots, info.name, key, record.versionId, record.dataDir, []));
    throw error;
  }
  return record;
}
