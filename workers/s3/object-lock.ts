/**
 * Object lock: Put/GetObjectLockConfiguration (default retention in Days or
 * Years, GOVERNANCE or COMPLIANCE), Put/GetObjectRetention,
 * Put/GetObjectLegalHold, and the x-amz-object-lock-* headers on writes. A
 * bucket gets object lock at creation (x-amz-bucket-object-lock-enabled),
 * which turns versioning on for good. Requests that set lock state need
 * Content-MD5 or a checksum, as AWS requires. COMPLIANCE retention cannot
 * be removed, so it may reach at most FLOE_MAX_RETENTION_DAYS (100 years by
 * default) ahead: further is InvalidArgument, on writes, PutObjectRetention
 * and replicas alike. (The lock headers' permissions are checked with the
 * request's others: workers/iam/s3-permissions.ts.)
 */
import type { FloeConfig } from "../../shared/config.ts";
import { objectArn } from "../iam/s3-permissions.ts";
import { z } from "zod";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument } from "../../shared/xml.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import type { BucketInfo, ObjectLockConfig } from "../../shared/types/bucket-rpc.ts";
import { bucketStub } from "../storage/stubs.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, requireObject, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";
import { syncRecordCopies } from "./tagging.ts";

const DAY = 24 * 60 * 60 * 1000;
const modeSchema = z.enum(["GOVERNANCE", "COMPLIANCE"]);

/** Lock state needs integrity protection on the wire, as AWS demands. */
function requireIntegrity(ctx: S3Context): void {
  const headers = ctx.request.headers;
  const checksum =
    [...headers.keys()].some((name) => name.startsWith("x-amz-checksum-")) ||
    headers.has("x-amz-trailer");
  if (!headers.has("content-md5") && !checksum) throw new S3Error("MissingContentMD5");
}

/**
 * True when the request asks to bypass GOVERNANCE retention and the caller
 * holds s3:BypassGovernanceRetention on the object; without the permission
 * the header is ignored (the lock then refuses as usual).
 */
export async function mayBypassGovernance(
  ctx: S3Context,
  bucket: string,
  key: string,
): Promise<boolean> {
  if (ctx.request.headers.get("x-amz-bypass-governance-retention")?.toLowerCase() !== "true")
    return false;
  return ctx.authorizer.allows({
    action: "s3:BypassGovernanceRetention",
    resource: objectArn(bucket, key),
  });
}

/** InvalidArgument when COMPLIANCE retention would run past the site's maximum. */
export function checkRetentionLimit(
  config: FloeConfig,
  retention: VersionRecord["retention"],
  now = Date.now(),
): void {
  if (retention?.mode !== "COMPLIANCE") return;
  if (retention.retainUntil > now + config.maxRetentionDays * DAY)
    throw new S3Error(
      "InvalidArgument",
      `The retain until date must be at most ${config.maxRetentionDays} days in the future.`,
    );
}

/** Retention and legal hold for a new version: request headers, else the bucket's default rule. */
export function lockForWrite(
  ctx: S3Context,
  info: BucketInfo,
): Pick<VersionRecord, "retention" | "legalHold"> {
  const headers = ctx.request.headers;
  const mode = headers.get("x-amz-object-lock-mode");
  const until = headers.get("x-amz-object-lock-retain-until-date");
  const hold = headers.get("x-amz-object-lock-legal-hold");
  const asked = mode !== null || until !== null || hold !== null;
  if (asked && !info.objectLock)
    throw new S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
  if (asked) requireIntegrity(ctx);
  if ((mode === null) !== (until === null)) {
    throw new S3Error(
      "InvalidArgument",
      "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
    );
  }
  let retention: VersionRecord["retention"];
  if (mode !== null && until !== null) {
    const parsedMode = modeSchema.safeParse(mode);
    const retainUntil = Date.parse(until);
    if (!parsedMode.success || Number.isNaN(retainUntil))
      throw new S3Error("InvalidArgument", "Invalid object lock retention.");
    if (retainUntil <= Date.now())
      throw new S3Error("InvalidArgument", "The retain until date must be in the future!");
    retention = { mode: parsedMode.data, retainUntil };
    checkRetentionLimit(ctx.config, retention);
  } else if (info.objectLock?.defaultRetention) {
    const rule = info.objectLock.defaultRetention;
    const days = rule.days ?? (rule.years ?? 0) * 365;
    retention = { mode: rule.mode, retainUntil: Date.now() + days * DAY };
  }
  if (hold !== null && hold !== "ON" && hold !== "OFF")
    throw new S3Error("InvalidArgument", "Legal hold must be ON or OFF.");
  return { retention, legalHold: hold === "ON" ? true : undefined };
}

/** Response headers describing a version's lock state. */
export function lockHeaders(headers: Headers, record: VersionRecord): void {
  if (record.retention) {
    headers.set("x-amz-object-lock-mode", record.retention.mode);
    headers.set(
      "x-amz-object-lock-retain-until-date",
      new Date(record.retention.retainUntil).toISOString(),
    );
  }
  if (record.legalHold !== undefined)
    headers.set("x-amz-object-lock-legal-hold", record.legalHold ? "ON" : "OFF");
}

const configSchema = z.object({
  ObjectLockConfiguration: z.object({
    ObjectLockEnabled: z.literal("Enabled"),
    Rule: z
      .object({
        DefaultRetention: z.object({
          Mode: modeSchema,
          Days: z.string().regex(/^\d+$/).optional(),
          Years: z.string().regex(/^\d+$/).optional(),
        }),
      })
      .optional(),
  }),
});

export async function putObjectLockConfiguration(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  requireIntegrity(ctx);
  const parsed = configSchema.safeParse(parseXml(await readSmallBody(ctx)));
  if (!parsed.success) throw new S3Error("MalformedXML");
  const rule = parsed.data.ObjectLockConfiguration.Rule?.DefaultRetention;
  const config: ObjectLockConfig = { enabled: true };
  if (rule) {
    const days = rule.Days === undefined ? undefined : Number(rule.Days);
    const years = rule.Years === undefined ? undefined : Number(rule.Years);
    if ((days === undefined) === (years === undefined) || days === 0 || years === 0) {
      throw new S3Error(
        "MalformedXML",
        "Default retention needs exactly one of Days or Years, greater than 0.",
      );
    }
    config.defaultRetention = { mode: rule.Mode, days, years };
    const span = (days ?? (years ?? 0) * 365) * DAY;
    checkRetentionLimit(ctx.config, { mode: rule.Mode, retainUntil: Date.now() + span });
  }
  const outcome = await bucketStub(ctx.env, bucket).setObjectLock(config);
  if (outcome === "InvalidBucketState") {
    throw new S3Error(
      "InvalidBucketState",
      "Object Lock configuration cannot be enabled on existing buckets",
    );
  }
  if (outcome !== "ok") throw new S3Error(outcome, undefined, { detail: { BucketName: bucket } });
  return new Response(null, { status: 200 });
}

export async function getObjectLockConfiguration(ctx: S3Context): Promise<Response> {
  const info = await requireExistingBucket(ctx, requireBucket(ctx));
  if (!info.objectLock) throw new S3Error("ObjectLockConfigurationNotFoundError");
  const rule = info.objectLock.defaultRetention;
  return xmlResponse(
    xmlDocument("ObjectLockConfiguration", [
      ["ObjectLockEnabled", "Enabled"],
      rule
        ? [
            "Rule",
            [
              [
                "DefaultRetention",
                [
                  ["Mode", rule.mode],
                  rule.days ? ["Days", rule.days] : null,
                  rule.years ? ["Years", rule.years] : null,
                ],
              ],
            ],
          ]
        : null,
    ]),
  );
}

async function lockedBucket(ctx: S3Context): Promise<BucketInfo> {
  const info = await requireExistingBucket(ctx, requireObject(ctx).bucket);
  if (!info.objectLock)
    throw new S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
  return info;
}

async function currentRecord(ctx: S3Context): Promise<VersionRecord> {
  const { bucket, key } = requireObject(ctx);
  const lookup = await bucketStub(ctx.env, bucket).getVersion(key, ctx.query.get("versionId"));
  if (!lookup.ok) throw new S3Error(lookup.error, undefined, { detail: { Key: key } });
  return lookup.version.record;
}

const retentionSchema = z.object({
  Retention: z.union([
    z.literal(""),
    z.object({ Mode: modeSchema.optional(), RetainUntilDate: z.string().optional() }),
  ]),
});

export async function putObjectRetention(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  await lockedBucket(ctx);
  requireIntegrity(ctx);
  const parsed = retentionSchema.safeParse(parseXml(await readSmallBody(ctx)));
  if (!parsed.success) throw new S3Error("MalformedXML");
  const body = parsed.data.Retention;
  let retention: VersionRecord["retention"];
  if (body !== "" && body.Mode && body.RetainUntilDate) {
    const retainUntil = Date.parse(body.RetainUntilDate);
    if (Number.isNaN(retainUntil)) throw new S3Error("MalformedXML");
    if (retainUntil <= Date.now())
      throw new S3Error("InvalidArgument", "The retain until date must be in the future!");
    retention = { mode: body.Mode, retainUntil };
    checkRetentionLimit(ctx.config, retention);
  } else if (body !== "" && (body.Mode || body.RetainUntilDate)) {
    throw new S3Error("MalformedXML");
  }
  const result = await bucketStub(ctx.env, bucket).setRetention(
    key,
    ctx.query.get("versionId"),
    retention,
    await mayBypassGovernance(ctx, bucket, key),
  );
  if (!result.ok) throw new S3Error(result.error, undefined, { detail: { Key: key } });
  syncRecordCopies(ctx, result.version.record);
  return new Response(null, { status: 200 });
}

export async function getObjectRetention(ctx: S3Context): Promise<Response> {
  await lockedBucket(ctx);
  const record = await currentRecord(ctx);
  if (!record.retention) throw new S3Error("NoSuchObjectLockConfiguration");
  return xmlResponse(
    xmlDocument("Retention", [
      ["Mode", record.retention.mode],
      ["RetainUntilDate", new Date(record.retention.retainUntil).toISOString()],
    ]),
  );
}

const legalHoldSchema = z.object({ LegalHold: z.object({ Status: z.enum(["ON", "OFF"]) }) });

export async function putObjectLegalHold(ctx: S3Context): Promise<Response> {
  const { bucket, key } = requireObject(ctx);
  await lockedBucket(ctx);
  requireIntegrity(ctx);
  const parsed = legalHoldSchema.safeParse(parseXml(await readSmallBody(ctx)));
  if (!parsed.success) throw new S3Error("MalformedXML");
  const result = await bucketStub(ctx.env, bucket).updateRecord(key, ctx.query.get("versionId"), {
    legalHold: parsed.data.LegalHold.Status === "ON",
  });
  if (!result.ok) throw new S3Error(result.error, undefined, { detail: { Key: key } });
  syncRecordCopies(ctx, result.version.record);
  return new Response(null, { status: 200 });
}

export async function getObjectLegalHold(ctx: S3Context): Promise<Response> {
  await lockedBucket(ctx);
  const record = await currentRecord(ctx);
  if (record.legalHold === undefined) throw new S3Error("NoSuchObjectLockConfiguration");
  return xmlResponse(xmlDocument("LegalHold", [["Status", record.legalHold ? "ON" : "OFF"]]));
}
