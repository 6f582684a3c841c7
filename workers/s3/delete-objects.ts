/**
 * DeleteObjects: POST /bucket?delete with up to 1000 keys (more is
 * MalformedXML). Like S3 it needs Content-MD5 or an x-amz-checksum header;
 * each key is authorized (s3:DeleteObject, or s3:DeleteObjectVersion with a
 * version id) and deleted on its own and reported as Deleted (also when
 * there was nothing to delete, as in S3) or Error (refused by IAM or object
 * lock, no such version); Quiet mode reports only errors. An empty Key does
 * not fit S3's schema: MalformedXML.
 */
import { z } from "zod";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument, type XmlNode } from "../../shared/xml.ts";
import { objectArn } from "../iam/s3-permissions.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { deleteKey } from "./object.ts";
import { parseContentMd5, sameBytes } from "./upload-params.ts";
import { xmlResponse } from "./response.ts";
import { createHash } from "node:crypto";

const MAX_OBJECTS = 1000;

const deleteSchema = z.object({
  Delete: z.object({
    Quiet: z.string().optional(),
    Object: z
      // S3's schema gives Key a minimum length of 1.
      .array(z.object({ Key: z.string().min(1), VersionId: z.string().optional() }).passthrough())
      .min(1),
  }),
});

export async function deleteObjects(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  const headers = ctx.request.headers;
  const hasChecksum =
    [...headers.keys()].some((name) => name.startsWith("x-amz-checksum-")) ||
    headers.has("x-amz-trailer");
  const contentMd5 = parseContentMd5(headers.get("content-md5"));
  if (!contentMd5 && !hasChecksum) throw new S3Error("MissingContentMD5");
  const text = await readSmallBody(ctx, 2 * 1024 * 1024);
  if (
    contentMd5 &&
    !sameBytes(contentMd5, new Uint8Array(createHash("md5").update(text).digest()))
  ) {
    throw new S3Error("BadDigest");
  }
  const parsed = deleteSchema.safeParse(parseXml(text, ["Object"]));
  if (!parsed.success || parsed.data.Delete.Object.length > MAX_OBJECTS)
    throw new S3Error("MalformedXML");
  const quiet = parsed.data.Delete.Quiet?.trim().toLowerCase() === "true";
  const info = await requireExistingBucket(ctx, bucket);
  const results: XmlNode[] = [];
  for (const object of parsed.data.Delete.Object) {
    const versionId = object.VersionId ?? null;
    try {
      // S3 looks an empty VersionId up like any other, and finds no such version.
      if (versionId === "") throw new S3Error("NoSuchVersion");
      await ctx.authorizer.require(
        [
          {
            action: versionId ? "s3:DeleteObjectVersion" : "s3:DeleteObject",
            resource: objectArn(bucket, object.Key),
          },
        ],
        { versionId },
      );
      const deleted = await deleteKey(ctx, info, object.Key, versionId);
      if (!quiet) {
        const marker = deleted.deleteMarker && versionId === null;
        results.push([
          "Deleted",
          [
            ["Key", object.Key],
            versionId ? ["VersionId", versionId] : null,
            deleted.deleteMarker ? ["DeleteMarker", "true"] : null,
            marker && deleted.versionId ? ["DeleteMarkerVersionId", deleted.versionId] : null,
          ],
        ]);
      }
    } catch (error) {
      const s3 = error instanceof S3Error ? error : new S3Error("InternalError");
      results.push([
        "Error",
        [
          ["Key", object.Key],
          versionId ? ["VersionId", versionId] : null,
          ["Code", s3.code],
          ["Message", s3.message],
        ],
      ]);
    }
  }
  return xmlResponse(xmlDocument("DeleteResult", results));
}
