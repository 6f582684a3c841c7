/**
 * Condition keys are case-insensitive up to the first `/`: `aws:SourceIp`
 * and `AWS:sourceip` are one key, while `s3:ExistingObjectTag/Project`
 * keeps its tag name's case. Values are always lists of strings.
 */

/** The request's condition values, under canonical keys (see conditionKey). */
export type ConditionValues = ReadonlyMap<string, readonly string[]>;

/** The canonical form of a condition key: lower case up to the first `/`. */
export function conditionKey(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? key.toLowerCase() : key.slice(0, slash).toLowerCase() + key.slice(slash);
}
