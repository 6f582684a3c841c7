/**
 * Replication rules as `floe replicate` builds, edits and shows them, in
 * mc's terms: `--replicate "delete,delete-marker,existing-objects,metadata-sync"`
 * names what a rule replicates besides new versions (metadata-sync is
 * SourceSelectionCriteria/ReplicaModifications), all four by default; a
 * new rule's priority is one more than the highest in use; its ID is
 * generated unless given.
 */
import { randomBytes } from "node:crypto";
import { parseTags } from "../core/attributes.ts";
import { CliError, usageError } from "../core/errors.ts";
import type { ReplicationConfig, ReplicationRule, RuleTag } from "./config.ts";

/** What `--replicate` may name, in the order it is printed. */
export const REPLICATE_FEATURES = [
  "delete",
  "delete-marker",
  "existing-objects",
  "metadata-sync",
] as const;

export type ReplicateFeature = (typeof REPLICATE_FEATURES)[number];

type FeatureFlags = Pick<
  ReplicationRule,
  | "deleteReplication"
  | "deleteMarkerReplication"
  | "existingObjectReplication"
  | "replicaModifications"
>;

const FLAG_OF: Record<ReplicateFeature, keyof FeatureFlags> = {
  delete: "deleteReplication",
  "delete-marker": "deleteMarkerReplication",
  "existing-objects": "existingObjectReplication",
  "metadata-sync": "replicaModifications",
};

/** Parses `--replicate` (comma-separated; "" turns all four off). */
export function parseReplicate(text: string): FeatureFlags {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const flags: FeatureFlags = {
    deleteReplication: false,
    deleteMarkerReplication: false,
    existingObjectReplication: false,
    replicaModifications: false,
  };
  for (const name of names) {
    if (!(REPLICATE_FEATURES as readonly string[]).includes(name)) {
      throw usageError(
        `Unknown --replicate value "${name}" (use ${REPLICATE_FEATURES.join(", ")}).`,
      );
    }
    flags[FLAG_OF[name as ReplicateFeature]] = true;
  }
  return flags;
}

/** What a rule replicates besides new versions, as `--replicate` names it. */
export function replicateList(rule: FeatureFlags): ReplicateFeature[] {
  return REPLICATE_FEATURES.filter((feature) => rule[FLAG_OF[feature]]);
}

/** Parses `--tags "k=v&k2=v2"` ("" for none). */
export function parseTagFilter(text: string): RuleTag[] {
  return parseTags(text).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" }));
}

/** `k=v&k2=v2` */
export function tagsText(tags: RuleTag[]): string {
  return new URLSearchParams(tags.map((t) => [t.key, t.value])).toString();
}

/** Parses `--state enable|disable`. */
export function parseState(text: string): ReplicationRule["status"] {
  if (text === "enable") return "Enabled";
  if (text === "disable") return "Disabled";
  throw usageError(`--state is enable or disable, not "${text}".`);
}

/** One more than the highest priority in use (1 for the first rule). */
export function nextPriority(config: ReplicationConfig | null): number {
  const priorities = config?.rules.map((rule) => rule.priority) ?? [];
  return priorities.length === 0 ? 1 : Math.max(...priorities) + 1;
}

/** A new rule ID: 20 random hex digits. */
export function generateRuleId(): string {
  return randomBytes(10).toString("hex");
}

/** The index of rule `id`, or a NoSuchReplicationRule error. */
export function ruleIndex(config: ReplicationConfig, id: string): number {
  const index = config.rules.findIndex((rule) => rule.id === id);
  if (index === -1) {
    throw new CliError("NoSuchReplicationRule", `No replication rule with ID "${id}".`);
  }
  return index;
}

/** The JSON record of a rule (its own status is `ruleStatus`, clear of the envelope's). */
export function ruleRecord(rule: ReplicationRule): Record<string, unknown> {
  return {
    type: "rule",
    id: rule.id,
    ruleStatus: rule.status,
    priority: rule.priority,
    prefix: rule.prefix,
    tags: Object.fromEntries(rule.tags.map((t) => [t.key, t.value])),
    destination: rule.destination,
    storageClass: rule.storageClass,
    replicate: replicateList(rule),
  };
}

/** The table `replicate ls` prints, rules by priority, highest first. */
export function ruleTable(rules: ReplicationRule[]): string[][] {
  const sorted = [...rules].sort((a, b) => b.priority - a.priority);
  return [
    ["ID", "STATUS", "PRIORITY", "PREFIX", "TAGS", "DESTINATION", "REPLICATES"],
    ...sorted.map((rule) => [
      rule.id,
      rule.status === "Enabled" ? "enabled" : "disabled",
      String(rule.priority),
      rule.prefix || "-",
      rule.tags.length > 0 ? tagsText(rule.tags) : "-",
      rule.storageClass ? `${rule.destination} (${rule.storageClass})` : rule.destination,
      ["objects", ...replicateList(rule)].join(","),
    ]),
  ];
}
