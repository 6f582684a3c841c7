/**
 * Bucket versioning: Put/GetBucketVersioning (Enabled, Suspended, and
 * MinIO's ExcludedPrefixes (≤ 10) and ExcludeFolders, whose objects are not
 * versioned). Version ids and delete markers are the object layer's
 * (workers/objects/versioning.ts).
 */
import { z } from "zod";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument } from "../../shared/xml.ts";
import { setBucketVersioning } from "../objects/buckets.ts";
import { unwrap } from "../objects/result.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

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
  unwrap(
    await setBucketVersioning(ctx.env, bucket, config.Status, { excludedPrefixes, excludeFolders }),
  );
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
