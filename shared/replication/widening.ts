/**
 * Which targets a replication configuration change opens to existing
 * objects, and so which get an existing-object job (durable-objects/bucket/
 * resync.ts). A version is *eligible* for existing-object replication to a
 * target when the rule deciding it for that target (decidingRule: the
 * highest-priority enabled rule whose prefix and tags match) has
 * ExistingObjectReplication enabled. A change *widens* a target when some
 * (key, tags) is eligible under the new configuration and was not under the
 * old one, for example:
 * - a first configuration, or a new target, with existing-object replication;
 * - a new rule with existing-object replication covering keys no such rule
 *   covered before, a shorter prefix, a removed tag filter, or a rule
 *   enabled again (versions written while it was disabled have to be sent);
 * - a priority change that hands keys from a rule without existing-object
 *   replication to one with it.
 * Nothing else starts a job: the same configuration again (an import), a
 * changed rule ID, storage class or delete-marker / delete / replica
 * modification setting, a priority change that decides every key as before,
 * a narrowed filter, a removed rule or target.
 *
 * The test is exact: whether a rule matches a key depends only on which
 * rule prefixes the key starts with, and the longest of those, taken as the
 * key, starts with exactly the same ones; whether a rule matches a tag set
 * depends only on which rule tag sets it contains, and the union of those,
 * taken as the tag set, contains exactly the same ones. So the rule
 * prefixes and the consistent unions of rule tag sets are every case there
 * is. When those are too many to try (TRIAL_LIMIT), the target counts as
 * widened: a needless job only walks versions, it never re-sends what was
 * replicated or sends a replica home.
 */
import { decidingRule, type ReplicationConfig, type ReplicationRule } from "./config.ts";

/** Most (key, tag set) cases × rules tried per target before assuming a widening. */
const TRIAL_LIMIT = 2_000_000;

function eligible(
  config: ReplicationConfig | null,
  target: string,
  key: string,
  tags: Record<string, string>,
): boolean {
  if (!config) return false;
  return decidingRule(config, target, key, tags)?.existingObjectReplication === true;
}

/** Every union of rule tag sets with no key given two values; null when there are too many. */
function tagCases(
  rules: readonly ReplicationRule[],
  limit: number,
): Record<string, string>[] | null {
  const distinct = new Map<string, Record<string, string>>();
  for (const rule of rules) {
    const entries = Object.entries(rule.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > 0) distinct.set(JSON.stringify(entries), rule.tags);
  }
  let cases: Record<string, string>[] = [{}];
  for (const tags of distinct.values()) {
    const next = [...cases];
    for (const base of cases) {
      const clash = Object.entries(tags).some(([k, v]) => base[k] !== undefined && base[k] !== v);
      if (!clash) next.push({ ...base, ...tags });
    }
    if (next.length > limit) return null;
    cases = next;
  }
  return cases;
}

/** The targets for which `next` makes some version eligible that `previous` did not. */
export function widenedTargets(
  previous: ReplicationConfig | null,
  next: ReplicationConfig | null,
): string[] {
  if (!next) return [];
  const targets = new Set(
    next.rules
      .filter((rule) => rule.status === "Enabled" && rule.existingObjectReplication)
      .map((rule) => rule.destination),
  );
  return [...targets].filter((target) => {
    const rules = [...(previous?.rules ?? []), ...next.rules].filter(
      (rule) => rule.destination === target,
    );
    const keys = [...new Set(rules.map((rule) => rule.prefix))];
    const budget = Math.floor(TRIAL_LIMIT / Math.max(1, keys.length * rules.length));
    const tagSets = tagCases(rules, budget);
    if (tagSets === null) return true;
    return keys.some((key) =>
      tagSets.some(
        (tags) => eligible(next, target, key, tags) && !eligible(previous, target, key, tags),
      ),
    );
  });
}
