/**
 * Lifecycle rules (S3's PutBucketLifecycleConfiguration, as stored and
 * evaluated). A rule applies to a version when it is Enabled and its filter
 * matches: key prefix, every listed tag, and the size bounds (strict, as
 * ObjectSizeGreaterThan / ObjectSizeLessThan). Actions:
 *   - Expiration Days / Date: the current version expires that many days
 *     after it was written (or on the date);
 *   - Expiration ExpiredObjectDeleteMarker: a delete marker that is a key's
 *     only version is removed;
 *   - NoncurrentVersionExpiration NoncurrentDays (+ NewerNoncurrentVersions):
 *     a version expires that many days after it stopped being current,
 *     keeping the given number of newer noncurrent versions;
 *   - AbortIncompleteMultipartUpload DaysAfterInitiation.
 */
import { z } from "zod";

export const DAY_MS = 24 * 60 * 60 * 1000;

export const lifecycleRuleSchema = z.object({
  id: z.string(),
  enabled: z.boolean(),
  prefix: z.string(),
  tags: z.record(z.string(), z.string()),
  sizeGreaterThan: z.number().optional(),
  sizeLessThan: z.number().optional(),
  expirationDays: z.number().int().positive().optional(),
  expirationDate: z.number().optional(),
  expiredObjectDeleteMarker: z.boolean().optional(),
  noncurrentDays: z.number().int().positive().optional(),
  newerNoncurrentVersions: z.number().int().positive().optional(),
  abortMultipartDays: z.number().int().positive().optional(),
});
export type LifecycleRule = z.infer<typeof lifecycleRuleSchema>;

export interface VersionFacts {
  key: string;
  size: number;
  tags: Record<string, string>;
}

/** True when the rule applies to a version with these facts. */
export function ruleMatches(rule: LifecycleRule, facts: VersionFacts): boolean {
  if (!rule.enabled || !facts.key.startsWith(rule.prefix)) return false;
  for (const [name, value] of Object.entries(rule.tags))
    if (facts.tags[name] !== value) return false;
  if (rule.sizeGreaterThan !== undefined && !(facts.size > rule.sizeGreaterThan)) return false;
  if (rule.sizeLessThan !== undefined && !(facts.size < rule.sizeLessThan)) return false;
  return true;
}

/** True when a current version written at `mtime` has expired under the rule at `now`. */
export function currentExpired(rule: LifecycleRule, mtime: number, now: number): boolean {
  if (rule.expirationDays !== undefined && mtime + rule.expirationDays * DAY_MS <= now) return true;
  return rule.expirationDate !== undefined && rule.expirationDate <= now;
}
