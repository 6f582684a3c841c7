/**
 * Bucket replication configuration: S3's PutBucketReplication XML with
 * MinIO's rule elements, validated into a JSON form the coordinator keeps.
 *
 *   <ReplicationConfiguration><Role/>?<Rule>
 *     <ID/>? <Status>Enabled|Disabled</Status> <Priority/>?
 *     <Filter><Prefix/> | <Tag><Key/><Value/></Tag> | <And><Prefix/>?<Tag/>*</And></Filter>  (or a bare <Prefix/>)
 *     <DeleteMarkerReplication><Status/></DeleteMarkerReplication>   required
 *     <DeleteReplication><Status/></DeleteReplication>?              default Disabled
 *     <ExistingObjectReplication><Status/></ExistingObjectReplication>? default Disabled
 *     <SourceSelectionCriteria><ReplicaModifications><Status/>…       default Enabled
 *     <Destination><Bucket>arn:floe:replication::…</Bucket><StorageClass/>?</Destination>
 *   </Rule>…</ReplicationConfiguration>
 *
 * Rules: 1 to 1000 rules; unique IDs (generated when absent) and unique
 * priorities (≥ 0); a filter is one of Prefix, Tag or And, tag keys unique;
 * a rule filtering on a single Tag cannot replicate delete markers (AWS's
 * rule). For a version, per destination, the enabled rules whose filter
 * matches (prefix, and every tag of the filter) are ordered by priority,
 * highest first, and the first decides whether this kind of change
 * replicates.
 */
import { z } from "zod";
import { S3Error } from "../s3-errors.ts";
import { STORAGE_CLASSES, type StorageClass } from "../types/version-record.ts";
import { parseXml, type XmlNode } from "../xml.ts";
import { parseTargetArn } from "./arn.ts";

export interface ReplicationRule {
  id: string;
  status: "Enabled" | "Disabled";
  priority: number;
  prefix: string;
  tags: Record<string, string>;
  deleteMarkerReplication: boolean;
  deleteReplication: boolean;
  existingObjectReplication: boolean;
  replicaModifications: boolean;
  /** The remote target's ARN. */
  destination: string;
  storageClass: StorageClass | null;
}

export interface ReplicationConfig {
  role: string;
  rules: ReplicationRule[];
}

/**
 * What is being replicated: a new version (or its metadata), a delete
 * marker, a version delete, an existing version, a version a resync sends
 * again, or one a resync after a coordinator restore sends again.
 */
export type ReplicationKind =
  "object" | "metadata" | "delete-marker" | "delete" | "existing" | "resync" | "restore";

export const MAX_RULES = 1000;

const status = z.object({ Status: z.enum(["Enabled", "Disabled"]) });
const tag = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).default("") });
const filterSchema = z.union([
  z.literal(""),
  z
    .object({
      Prefix: z.string().optional(),
      Tag: z.array(tag).optional(),
      And: z.object({ Prefix: z.string().optional(), Tag: z.array(tag).optional() }).optional(),
    })
    .strict(),
]);
const ruleSchema = z
  .object({
    ID: z.string().max(255).optional(),
    Status: z.enum(["Enabled", "Disabled"]),
    Priority: z
      .string()
      .regex(/^\d+$/, "Priority must be a non-negative integer")
      .transform(Number)
      .optional(),
    Prefix: z.string().optional(),
    Filter: filterSchema.optional(),
    DeleteMarkerReplication: status.optional(),
    DeleteReplication: status.optional(),
    ExistingObjectReplication: status.optional(),
    SourceSelectionCriteria: z
      .union([z.literal(""), z.object({ ReplicaModifications: status.optional() }).passthrough()])
      .optional(),
    Destination: z
      .object({
        Bucket: z.string(),
        StorageClass: z.enum(STORAGE_CLASSES).optional(),
      })
      .passthrough(),
  })
  .passthrough();
const configSchema = z.object({
  ReplicationConfiguration: z.object({
    Role: z.string().optional(),
    Rule: z.array(ruleSchema).min(1, "At least one rule is required"),
  }),
});

function invalid(message: string): never {
  throw new S3Error("InvalidRequest", message);
}

/** Parses and validates PutBucketReplication's body. */
export function parseReplicationXml(text: string): ReplicationConfig {
  const parsed = configSchema.safeParse(parseXml(text, ["Rule", "Tag"]));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new S3Error(
      "MalformedXML",
      issue ? `${issue.path.join(".")}: ${issue.message}` : undefined,
    );
  }
  const raw = parsed.data.ReplicationConfiguration;
  if (raw.Rule.length > MAX_RULES) invalid(`At most ${MAX_RULES} rules are allowed.`);
  const rules = raw.Rule.map((rule, index): ReplicationRule => {
    const filter = rule.Filter === "" || rule.Filter === undefined ? {} : rule.Filter;
    const parts = [filter.Prefix !== undefined, filter.Tag !== undefined, filter.And !== undefined];
    if (parts.filter(Boolean).length > 1)
      invalid("A Filter holds exactly one of Prefix, Tag or And.");
    if (filter.Tag && filter.Tag.length > 1) invalid("A Filter holds at most one Tag; use And.");
    const tagList = filter.And?.Tag ?? filter.Tag ?? [];
    const tags: Record<string, string> = {};
    for (const t of tagList) {
      if (Object.hasOwn(tags, t.Key)) invalid(`Duplicate tag key ${t.Key} in a Filter.`);
      tags[t.Key] = t.Value;
    }
    if (!rule.DeleteMarkerReplication)
      invalid("DeleteMarkerReplication must be specified in every rule.");
    const deleteMarkers = rule.DeleteMarkerReplication.Status === "Enabled";
    if (filter.Tag && deleteMarkers)
      invalid("Delete marker replication is not supported for rules that filter by a Tag.");
    if (!parseTargetArn(rule.Destination.Bucket))
      invalid(
        `The destination ${rule.Destination.Bucket} is not a remote target ARN (arn:floe:replication::<id>:<bucket>).`,
      );
    const criteria = rule.SourceSelectionCriteria === "" ? undefined : rule.SourceSelectionCriteria;
    return {
      id: rule.ID?.trim() || randomRuleId(),
      status: rule.Status,
      priority: rule.Priority ?? index,
      prefix: filter.And?.Prefix ?? filter.Prefix ?? rule.Prefix ?? "",
      tags,
      deleteMarkerReplication: deleteMarkers,
      deleteReplication: rule.DeleteReplication?.Status === "Enabled",
      existingObjectReplication: rule.ExistingObjectReplication?.Status === "Enabled",
      replicaModifications: criteria?.ReplicaModifications?.Status !== "Disabled",
      destination: rule.Destination.Bucket,
      storageClass: rule.Destination.StorageClass ?? null,
    };
  });
  validateRules(rules);
  return { role: raw.Role ?? "", rules };
}

/** Checks what holds across rules: unique IDs and priorities. */
export function validateRules(rules: readonly ReplicationRule[]): void {
  if (rules.length === 0) invalid("At least one rule is required.");
  if (rules.length > MAX_RULES) invalid(`At most ${MAX_RULES} rules are allowed.`);
  const ids = new Set<string>();
  const priorities = new Set<number>();
  for (const rule of rules) {
    if (ids.has(rule.id)) invalid(`Duplicate rule ID ${rule.id}.`);
    ids.add(rule.id);
    if (priorities.has(rule.priority)) invalid(`Duplicate rule priority ${rule.priority}.`);
    priorities.add(rule.priority);
  }
}

function randomRuleId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) =>
    b.toString(32).padStart(2, "0"),
  )
    .join("")
    .slice(0, 20);
}

/** The configuration as GetBucketReplication returns it. */
export function replicationXml(config: ReplicationConfig): XmlNode[] {
  const flag = (on: boolean) => [["Status", on ? "Enabled" : "Disabled"]] as const;
  return [
    config.role ? ["Role", config.role] : null,
    ...config.rules.map((rule): XmlNode => {
      const tagNodes = Object.entries(rule.tags).map(([Key, Value]): XmlNode => [
        "Tag",
        [
          ["Key", Key],
          ["Value", Value],
        ],
      ]);
      const filter: XmlNode =
        tagNodes.length === 0
          ? ["Filter", [["Prefix", rule.prefix]]]
          : ["Filter", [["And", [["Prefix", rule.prefix], ...tagNodes]]]];
      return [
        "Rule",
        [
          ["ID", rule.id],
          ["Status", rule.status],
          ["Priority", rule.priority],
          filter,
          ["DeleteMarkerReplication", flag(rule.deleteMarkerReplication)],
          ["DeleteReplication", flag(rule.deleteReplication)],
          ["ExistingObjectReplication", flag(rule.existingObjectReplication)],
          ["SourceSelectionCriteria", [["ReplicaModifications", flag(rule.replicaModifications)]]],
          [
            "Destination",
            [
              ["Bucket", rule.destination],
              rule.storageClass ? ["StorageClass", rule.storageClass] : null,
            ],
          ],
        ],
      ];
    }),
  ].filter((node): node is XmlNode => node !== null);
}

/** The rule that decides for one destination: the highest-priority enabled rule whose filter matches. */
export function decidingRule(
  config: ReplicationConfig,
  destination: string,
  key: string,
  tags: Readonly<Record<string, string>>,
): ReplicationRule | null {
  let best: ReplicationRule | null = null;
  for (const rule of config.rules) {
    if (rule.status !== "Enabled" || rule.destination !== destination) continue;
    if (!key.startsWith(rule.prefix)) continue;
    if (!Object.entries(rule.tags).every(([k, v]) => tags[k] === v)) continue;
    if (!best || rule.priority > best.priority) best = rule;
  }
  return best;
}

/** Every destination a change of this kind replicates to. */
export function replicationTargets(
  config: ReplicationConfig | null,
  kind: ReplicationKind,
  key: string,
  tags: Readonly<Record<string, string>> = {},
): string[] {
  if (!config) return [];
  const destinations = [...new Set(config.rules.map((rule) => rule.destination))];
  return destinations.filter((destination) => {
    const rule = decidingRule(config, destination, key, tags);
    if (!rule) return false;
    switch (kind) {
      case "object":
        return true;
      case "metadata":
        return rule.replicaModifications;
      case "delete-marker":
        return rule.deleteMarkerReplication;
      case "delete":
        return rule.deleteReplication;
      case "existing":
      case "resync":
      case "restore":
        return rule.existingObjectReplication;
    }
  });
}
