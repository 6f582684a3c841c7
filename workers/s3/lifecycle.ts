/**
 * Put/Get/DeleteBucketLifecycleConfiguration. Rules are validated and stored
 * in the bucket's coordinator, which applies them in steps driven by the cron
 * scanner (workers/scanner). Supported: Filter by Prefix, Tag,
 * ObjectSizeGreaterThan/LessThan and And; Expiration (Days, Date,
 * ExpiredObjectDeleteMarker); NoncurrentVersionExpiration (NoncurrentDays,
 * NewerNoncurrentVersions); AbortIncompleteMultipartUpload. Transitions are
 * refused with NotImplemented: Floe has no storage tiers.
 */
import { z } from "zod";
import type { LifecycleRule } from "../../shared/lifecycle/rules.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml, xmlDocument, type XmlNode } from "../../shared/xml.ts";
import { lifecycleRules, setLifecycleRules } from "../objects/buckets.ts";
import { unwrap } from "../objects/result.ts";
import { MAX_XML_BODY, readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

const intText = z.string().regex(/^\d+$/).transform(Number);
const tagSchema = z.object({ Key: z.string(), Value: z.string().optional() });
const filterBody = z.object({
  Prefix: z.string().optional(),
  Tag: z.array(tagSchema).optional(),
  ObjectSizeGreaterThan: intText.optional(),
  ObjectSizeLessThan: intText.optional(),
});
const ruleSchema = z.object({
  ID: z.string().max(255).optional(),
  Status: z.enum(["Enabled", "Disabled"]),
  Prefix: z.string().optional(),
  Filter: z.union([z.literal(""), filterBody.extend({ And: filterBody.optional() })]).optional(),
  Expiration: z
    .object({
      Days: intText.optional(),
      Date: z.string().optional(),
      ExpiredObjectDeleteMarker: z.enum(["true", "false"]).optional(),
    })
    .optional(),
  NoncurrentVersionExpiration: z
    .object({ NoncurrentDays: intText.optional(), NewerNoncurrentVersions: intText.optional() })
    .optional(),
  AbortIncompleteMultipartUpload: z.object({ DaysAfterInitiation: intText }).optional(),
  Transition: z.unknown().optional(),
  NoncurrentVersionTransition: z.unknown().optional(),
});
const configSchema = z.object({
  LifecycleConfiguration: z.object({ Rule: z.array(ruleSchema).min(1).max(1000) }),
});

function toRule(raw: z.infer<typeof ruleSchema>, index: number): LifecycleRule {
  if (raw.Transition !== undefined || raw.NoncurrentVersionTransition !== undefined) {
    throw new S3Error(
      "NotImplemented",
      "Lifecycle transitions are not supported: Floe has no storage tiers.",
    );
  }
  const filter =
    raw.Filter === "" || raw.Filter === undefined ? {} : (raw.Filter.And ?? raw.Filter);
  const tags: Record<string, string> = {};
  for (const tag of filter.Tag ?? []) tags[tag.Key] = tag.Value ?? "";
  const expiration = raw.Expiration;
  const date = expiration?.Date === undefined ? undefined : Date.parse(expiration.Date);
  if (date !== undefined && Number.isNaN(date)) throw new S3Error("MalformedXML");
  const rule: LifecycleRule = {
    id: raw.ID ?? `rule-${index + 1}`,
    enabled: raw.Status === "Enabled",
    prefix: filter.Prefix ?? raw.Prefix ?? "",
    tags,
    sizeGreaterThan: filter.ObjectSizeGreaterThan,
    sizeLessThan: filter.ObjectSizeLessThan,
    expirationDays: expiration?.Days,
    expirationDate: date,
    expiredObjectDeleteMarker: expiration?.ExpiredObjectDeleteMarker === "true" ? true : undefined,
    noncurrentDays: raw.NoncurrentVersionExpiration?.NoncurrentDays,
    newerNoncurrentVersions: raw.NoncurrentVersionExpiration?.NewerNoncurrentVersions,
    abortMultipartDays: raw.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  };
  const actions = [
    rule.expirationDays,
    rule.expirationDate,
    rule.expiredObjectDeleteMarker,
    rule.noncurrentDays,
    rule.abortMultipartDays,
  ];
  if (actions.every((action) => action === undefined)) {
    throw new S3Error("InvalidRequest", "At least one action needs to be specified in a rule");
  }
  if (rule.expirationDays === 0 || rule.noncurrentDays === 0) {
    throw new S3Error("InvalidArgument", "'Days' for Expiration action must be a positive integer");
  }
  return rule;
}

export async function putBucketLifecycleConfiguration(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const parsed = configSchema.safeParse(
    parseXml(await readSmallBody(ctx, MAX_XML_BODY), ["Rule", "Tag"]),
  );
  if (!parsed.success) throw new S3Error("MalformedXML");
  const rules = parsed.data.LifecycleConfiguration.Rule.map(toRule);
  if (new Set(rules.map((rule) => rule.id)).size !== rules.length) {
    throw new S3Error(
      "InvalidArgument",
      "Rule ID must be unique. Found same ID for more than one rule",
    );
  }
  unwrap(await setLifecycleRules(ctx.env, bucket, rules));
  return new Response(null, { status: 200 });
}

function ruleXml(rule: LifecycleRule): XmlNode {
  const conditions: XmlNode[] = [
    ...(rule.prefix ? [["Prefix", rule.prefix] as const] : []),
    ...Object.entries(rule.tags).map(
      ([key, value]) =>
        [
          "Tag",
          [
            ["Key", key],
            ["Value", value],
          ],
        ] as const,
    ),
    ...(rule.sizeGreaterThan !== undefined
      ? [["ObjectSizeGreaterThan", rule.sizeGreaterThan] as const]
      : []),
    ...(rule.sizeLessThan !== undefined
      ? [["ObjectSizeLessThan", rule.sizeLessThan] as const]
      : []),
  ];
  const filter: XmlNode = ["Filter", conditions.length > 1 ? [["And", conditions]] : conditions];
  const expiration: (XmlNode | null)[] = [
    rule.expirationDays !== undefined ? ["Days", rule.expirationDays] : null,
    rule.expirationDate !== undefined
      ? ["Date", new Date(rule.expirationDate).toISOString()]
      : null,
    rule.expiredObjectDeleteMarker ? ["ExpiredObjectDeleteMarker", "true"] : null,
  ];
  return [
    "Rule",
    [
      ["ID", rule.id],
      filter,
      ["Status", rule.enabled ? "Enabled" : "Disabled"],
      expiration.some((e) => e) ? ["Expiration", expiration] : null,
      rule.noncurrentDays !== undefined
        ? [
            "NoncurrentVersionExpiration",
            [
              ["NoncurrentDays", rule.noncurrentDays],
              rule.newerNoncurrentVersions !== undefined
                ? ["NewerNoncurrentVersions", rule.newerNoncurrentVersions]
                : null,
            ],
          ]
        : null,
      rule.abortMultipartDays !== undefined
        ? ["AbortIncompleteMultipartUpload", [["DaysAfterInitiation", rule.abortMultipartDays]]]
        : null,
    ],
  ];
}

export async function getBucketLifecycleConfiguration(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const rules = await lifecycleRules(ctx.env, bucket);
  if (!rules)
    throw new S3Error("NoSuchLifecycleConfiguration", undefined, {
      detail: { BucketName: bucket },
    });
  return xmlResponse(xmlDocument("LifecycleConfiguration", rules.map(ruleXml)));
}

export async function deleteBucketLifecycle(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  unwrap(await setLifecycleRules(ctx.env, bucket, null));
  return new Response(null, { status: 204 });
}
