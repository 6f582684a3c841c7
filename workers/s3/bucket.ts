/**
 * Bucket handlers: CreateBucket, DeleteBucket, HeadBucket, ListBuckets,
 * GetBucketLocation. The deployment registry owns bucket names; each
 * bucket's coordinator owns its state. Creating registers the name first and
 * then the coordinator; deleting removes the coordinator's state first (it
 * refuses while versions remain) and then the name. A CreateBucketConfiguration
 * may only name the site's own region (IllegalLocationConstraintException).
 */
import { z } from "zod";
import { isCreatableBucketName } from "../../shared/names.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument } from "../../shared/xml.ts";
import { readBoundedBody } from "../auth/bounded-body.ts";
import { allSets } from "../../shared/layout/placement.ts";
import type { BucketEntry } from "../../shared/types/deployment-rpc.ts";
import { bucketArn } from "../iam/s3-permissions.ts";
import { hasBucketCopy } from "../storage/rebuild-namespace.ts";
import { bucketStub, deploymentStub, setDrives } from "../storage/stubs.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

/** Largest request XML document (AWS's cap); handlers may allow less. */
export const MAX_XML_BODY = 1024 * 1024;
const MAX_CONFIG_BODY = 64 * 1024;

const createBucketSchema = z.object({
  CreateBucketConfiguration: z.union([
    z.literal(""),
    z.object({ LocationConstraint: z.string().optional() }).passthrough(),
  ]),
});

/**
 * Reads a small request body as text (XML configuration documents): at most
 * `limit` bytes, counted while they stream in (a declared length over it is
 * refused unread); past it, 400 MaxMessageLengthExceeded.
 */
export async function readSmallBody(ctx: S3Context, limit = MAX_CONFIG_BODY): Promise<string> {
  const bytes = await readBoundedBody(
    ctx.body(),
    ctx.request.headers,
    limit,
    () => new S3Error("MaxMessageLengthExceeded"),
  );
  return new TextDecoder().decode(bytes);
}

/** Throws NoSuchBucket unless the bucket exists; returns its info. */
export async function requireExistingBucket(ctx: S3Context, bucket: string) {
  const info = await bucketStub(ctx.env, bucket).info();
  if (!info) throw new S3Error("NoSuchBucket", undefined, { detail: { BucketName: bucket } });
  return info;
}

export async function createBucket(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  if (!isCreatableBucketName(bucket)) {
    throw new S3Error("InvalidBucketName", undefined, { detail: { BucketName: bucket } });
  }
  const text = await readSmallBody(ctx);
  if (text.trim() !== "") {
    const parsed = createBucketSchema.safeParse(parseXml(text));
    if (!parsed.success) throw new S3Error("MalformedXML");
    const config = parsed.data.CreateBucketConfiguration;
    const constraint = typeof config === "object" ? (config.LocationConstraint ?? "") : "";
    // A bucket lives in the site's region; asking for another is refused, as S3 refuses a
    // constraint that differs from the region of the endpoint.
    if (constraint !== "" && constraint !== ctx.config.region) {
      throw new S3Error(
        "IllegalLocationConstraintException",
        `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        { detail: { BucketName: bucket } },
      );
    }
  }
  const owner = ctx.identity?.accessKeyId ?? "";
  const registered = await deploymentStub(ctx.env).registerBucket(bucket, owner);
  const taken = () =>
    new S3Error(
      registered.owner === owner ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists",
      undefined,
      { detail: { BucketName: bucket } },
    );
  // A name registered without coordinator state is either a create that died midway (finish
  // it) or a coordinator that lost its state, which the drives' copy of its configuration
  // tells apart: that bucket is rebuilt (by the scanner or the admin rebuild), not replaced.
  if (!registered.created) {
    if (await bucketStub(ctx.env, bucket).info()) throw taken();
    if (await hasBucketCopy(ctx.env, ctx.config, bucket)) throw taken();
  }
  const created = await bucketStub(ctx.env, bucket).create(
    bucket,
    owner,
    ctx.request.headers.get("x-amz-bucket-object-lock-enabled")?.toLowerCase() === "true",
    registered.created,
  );
  if (!created.created) throw taken();
  return new Response(null, { status: 200, headers: { location: `/${bucket}` } });
}

export async function deleteBucket(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  const outcome = await bucketStub(ctx.env, bucket).destroy();
  if (outcome !== "deleted")
    throw new S3Error(outcome, undefined, { detail: { BucketName: bucket } });
  // Parts of abandoned multipart uploads are the only data an empty bucket can leave on
  // drives; they go before the name is free again, so a new bucket of that name starts clean.
  await Promise.allSettled(
    allSets(ctx.config.pools).flatMap((address) =>
      setDrives(ctx.env, address, ctx.config.pools[address.pool].drivesPerSet).map((drive) =>
        drive.deleteBucket(bucket),
      ),
    ),
  );
  await deploymentStub(ctx.env).unregisterBucket(bucket);
  return new Response(null, { status: 204 });
}

export async function headBucket(ctx: S3Context): Promise<Response> {
  await requireExistingBucket(ctx, requireBucket(ctx));
  return new Response(null, { status: 200, headers: { "x-amz-bucket-region": ctx.config.region } });
}

export async function getBucketLocation(ctx: S3Context): Promise<Response> {
  await requireExistingBucket(ctx, requireBucket(ctx));
  const region = ctx.config.region === "us-east-1" ? "" : ctx.config.region;
  return xmlResponse(
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`,
  );
}

/**
 * Lists every bucket for callers allowed s3:ListAllMyBuckets; others see the
 * buckets they may list (s3:ListBucket), as MinIO does, and are refused when
 * that is none.
 */
export async function listBuckets(ctx: S3Context): Promise<Response> {
  let buckets: BucketEntry[] = await deploymentStub(ctx.env).listBuckets();
  const all = { action: "s3:ListAllMyBuckets", resource: "arn:aws:s3:::*" };
  if (!(await ctx.authorizer.allows(all))) {
    const visible = await Promise.all(
      buckets.map((b) =>
        ctx.authorizer.allows({ action: "s3:ListBucket", resource: bucketArn(b.name) }),
      ),
    );
    buckets = buckets.filter((_, i) => visible[i]);
    if (buckets.length === 0) throw new S3Error("AccessDenied");
  }
  const owner = ctx.identity?.accessKeyId ?? "";
  return xmlResponse(
    xmlDocument("ListAllMyBucketsResult", [
      [
        "Owner",
        [
          ["ID", owner],
          ["DisplayName", owner],
        ],
      ],
      [
        "Buckets",
        buckets.map(
          (b) =>
            [
              "Bucket",
              [
                ["Name", b.name],
                ["CreationDate", new Date(b.createdAt).toISOString()],
              ],
            ] as const,
        ),
      ],
    ]),
  );
}
