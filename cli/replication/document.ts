/**
 * The JSON form of a replication configuration that `replicate export`
 * prints and `replicate import` reads. It mirrors the XML elements one for
 * one, with mc's name `Rules` for the repeated <Rule>:
 *
 *   { "Role": "",
 *     "Rules": [{ "ID": "docs", "Status": "Enabled", "Priority": 1,
 *                 "Filter": { "Prefix": "docs/" }
 *                         | { "And": { "Prefix": "docs/", "Tag": [{ "Key": "k", "Value": "v" }] } },
 *                 "DeleteMarkerReplication": { "Status": "Enabled" },
 *                 "DeleteReplication": { "Status": "Enabled" },
 *                 "ExistingObjectReplication": { "Status": "Enabled" },
 *                 "SourceSelectionCriteria": { "ReplicaModifications": { "Status": "Enabled" } },
 *                 "Destination": { "Bucket": "arn:floe:replication::…", "StorageClass": "STANDARD" } }] }
 *
 * Reading is lenient where mc's own export differs: `Tags` for `Tag`
 * inside And, a single `Tag` filter, missing optional elements (with
 * MinIO's defaults), and an envelope `status` field.
 */
import { z } from "zod";
import { CliError } from "../core/errors.ts";
import type { ReplicationConfig, ReplicationRule, RuleTag } from "./config.ts";

type State = "Enabled" | "Disabled";

const flag = (on: boolean): { Status: State } => ({ Status: on ? "Enabled" : "Disabled" });

/** The JSON document of `config`. */
export function configDocument(config: ReplicationConfig): Record<string, unknown> {
  return {
    Role: config.role,
    Rules: config.rules.map((rule) => ({
      ID: rule.id,
      Status: rule.status,
      Priority: rule.priority,
      Filter:
        rule.tags.length === 0
          ? { Prefix: rule.prefix }
          : {
              And: {
                Prefix: rule.prefix,
                Tag: rule.tags.map((t) => ({ Key: t.key, Value: t.value })),
              },
            },
      DeleteMarkerReplication: flag(rule.deleteMarkerReplication),
      DeleteReplication: flag(rule.deleteReplication),
      ExistingObjectReplication: flag(rule.existingObjectReplication),
      SourceSelectionCriteria: { ReplicaModifications: flag(rule.replicaModifications) },
      Destination: {
        Bucket: rule.destination,
        ...(rule.storageClass ? { StorageClass: rule.storageClass } : {}),
      },
    })),
  };
}

const status = z.object({ Status: z.enum(["Enabled", "Disabled"]) });
const tag = z.object({ Key: z.string().min(1), Value: z.string().default("") });
const tags = z.union([z.array(tag), tag.transform((t) => [t])]);
const ruleSchema = z.object({
  ID: z.string().default(""),
  Status: z.enum(["Enabled", "Disabled"]),
  Priority: z.number().int().min(0),
  Filter: z
    .object({
      Prefix: z.string().optional(),
      Tag: tags.optional(),
      And: z
        .object({ Prefix: z.string().optional(), Tag: tags.optional(), Tags: tags.optional() })
        .optional(),
    })
    .default({}),
  DeleteMarkerReplication: status.optional(),
  DeleteReplication: status.optional(),
  ExistingObjectReplication: status.optional(),
  SourceSelectionCriteria: z.object({ ReplicaModifications: status.optional() }).optional(),
  Destination: z.object({ Bucket: z.string().min(1), StorageClass: z.string().optional() }),
});
const documentSchema = z.object({
  Role: z.string().default(""),
  Rules: z.array(ruleSchema).min(1, "at least one rule is needed"),
});

/** Reads the JSON document (as text) back into a configuration. */
export function parseConfigDocument(text: string): ReplicationConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError("MalformedConfiguration", "The replication configuration is not JSON.");
  }
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "document";
    throw new CliError("MalformedConfiguration", `${where}: ${issue?.message}`);
  }
  return {
    role: parsed.data.Role,
    rules: parsed.data.Rules.map((rule): ReplicationRule => {
      const and = rule.Filter.And;
      const tagList = and?.Tag ?? and?.Tags ?? rule.Filter.Tag ?? [];
      return {
        id: rule.ID,
        status: rule.Status,
        priority: rule.Priority,
        prefix: and?.Prefix ?? rule.Filter.Prefix ?? "",
        tags: tagList.map((t): RuleTag => ({ key: t.Key, value: t.Value })),
        deleteMarkerReplication: rule.DeleteMarkerReplication?.Status === "Enabled",
        deleteReplication: rule.DeleteReplication?.Status === "Enabled",
        existingObjectReplication: rule.ExistingObjectReplication?.Status === "Enabled",
        replicaModifications:
          rule.SourceSelectionCriteria?.ReplicaModifications?.Status !== "Disabled",
        destination: rule.Destination.Bucket,
        storageClass: rule.Destination.StorageClass ?? null,
      };
    }),
  };
}
