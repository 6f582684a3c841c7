/**
 * A bucket's replication configuration as the CLI edits it, and its S3 XML
 * (Get/PutBucketReplication with MinIO's rule elements):
 *
 *   <ReplicationConfiguration><Role/>?<Rule>
 *     <ID/> <Status>Enabled|Disabled</Status> <Priority/>
 *     <Filter><Prefix/></Filter> | <Filter><And><Prefix/><Tag><Key/><Value/></Tag>…</And></Filter>
 *     <DeleteMarkerReplication><Status/></DeleteMarkerReplication>
 *     <DeleteReplication><Status/></DeleteReplication>            (MinIO's extension)
 *     <ExistingObjectReplication><Status/></ExistingObjectReplication>
 *     <SourceSelectionCriteria><ReplicaModifications><Status/>…
 *     <Destination><Bucket>ARN</Bucket><StorageClass/>?</Destination>
 *   </Rule>…</ReplicationConfiguration>
 *
 * Every rule is written with all of its elements, tags always inside
 * <And> (a lone <Tag> filter may not replicate delete markers). Reading
 * accepts what S3 servers send: a bare <Prefix>, a <Tag> filter, missing
 * optional elements (DeleteReplication and ExistingObjectReplication
 * default to Disabled, ReplicaModifications to Enabled, as in MinIO).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { z } from "zod";
import { CliError } from "../core/errors.ts";

export interface RuleTag {
  key: string;
  value: string;
}

export interface ReplicationRule {
  id: string;
  status: "Enabled" | "Disabled";
  priority: number;
  prefix: string;
  tags: RuleTag[];
  deleteMarkerReplication: boolean;
  deleteReplication: boolean;
  existingObjectReplication: boolean;
  replicaModifications: boolean;
  /** The remote target's ARN. */
  destination: string;
  storageClass: string | null;
}

export interface ReplicationConfig {
  role: string;
  rules: ReplicationRule[];
}

const text = z.string();
const statusSchema = z.looseObject({ Status: z.enum(["Enabled", "Disabled"]) });
const tagSchema = z.looseObject({ Key: text, Value: text.default("") });
const filterSchema = z.union([
  z.literal(""),
  z.looseObject({
    Prefix: text.optional(),
    Tag: z.array(tagSchema).optional(),
    And: z
      .union([
        z.literal(""),
        z.looseObject({ Prefix: text.optional(), Tag: z.array(tagSchema).optional() }),
      ])
      .optional(),
  }),
]);
const ruleSchema = z.looseObject({
  ID: text.optional(),
  Status: z.enum(["Enabled", "Disabled"]),
  Priority: text.regex(/^\d+$/).optional(),
  Prefix: text.optional(),
  Filter: filterSchema.optional(),
  DeleteMarkerReplication: statusSchema.optional(),
  DeleteReplication: statusSchema.optional(),
  ExistingObjectReplication: statusSchema.optional(),
  SourceSelectionCriteria: z
    .union([z.literal(""), z.looseObject({ ReplicaModifications: statusSchema.optional() })])
    .optional(),
  Destination: z.looseObject({ Bucket: text, StorageClass: text.optional() }),
});
const documentSchema = z.looseObject({
  ReplicationConfiguration: z.looseObject({
    Role: text.optional(),
    Rule: z.array(ruleSchema).default([]),
  }),
});

/** Escapes element content. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Parses a GetBucketReplication answer. */
export function parseReplicationXml(xml: string): ReplicationConfig {
  if (XMLValidator.validate(xml) !== true) {
    throw new CliError("InvalidResponse", "The replication configuration is not valid XML.");
  }
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: false,
    removeNSPrefix: true,
    isArray: (name) => name === "Rule" || name === "Tag",
  });
  const parsed = documentSchema.safeParse(parser.parse(xml));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      "InvalidResponse",
      `Unexpected replication configuration: ${issue?.path.join(".")} ${issue?.message}`,
    );
  }
  const raw = parsed.data.ReplicationConfiguration;
  return {
    role: raw.Role ?? "",
    rules: raw.Rule.map((rule, index): ReplicationRule => {
      const filter = rule.Filter === "" || rule.Filter === undefined ? {} : rule.Filter;
      const and = filter.And === "" || filter.And === undefined ? undefined : filter.And;
      const criteria =
        rule.SourceSelectionCriteria === "" ? undefined : rule.SourceSelectionCriteria;
      return {
        id: rule.ID ?? "",
        status: rule.Status,
        priority: rule.Priority === undefined ? index : Number(rule.Priority),
        prefix: and?.Prefix ?? filter.Prefix ?? rule.Prefix ?? "",
        tags: (and?.Tag ?? filter.Tag ?? []).map((t) => ({ key: t.Key, value: t.Value })),
        deleteMarkerReplication: rule.DeleteMarkerReplication?.Status === "Enabled",
        deleteReplication: rule.DeleteReplication?.Status === "Enabled",
        existingObjectReplication: rule.ExistingObjectReplication?.Status === "Enabled",
        replicaModifications: criteria?.ReplicaModifications?.Status !== "Disabled",
        destination: rule.Destination.Bucket,
        storageClass: rule.Destination.StorageClass ?? null,
      };
    }),
  };
}

/** The PutBucketReplication body for `config`. */
export function replicationXml(config: ReplicationConfig): string {
  const element = (name: string, content: string) => `<${name}>${content}</${name}>`;
  const value = (name: string, content: string | number) =>
    element(name, escapeXml(String(content)));
  const flag = (name: string, on: boolean) =>
    element(name, value("Status", on ? "Enabled" : "Disabled"));
  const rules = config.rules.map((rule) => {
    const tags = rule.tags
      .map((t) => element("Tag", value("Key", t.key) + value("Value", t.value)))
      .join("");
    const filter =
      rule.tags.length === 0
        ? element("Filter", value("Prefix", rule.prefix))
        : element("Filter", element("And", value("Prefix", rule.prefix) + tags));
    return element(
      "Rule",
      [
        value("ID", rule.id),
        value("Status", rule.status),
        value("Priority", rule.priority),
        filter,
        flag("DeleteMarkerReplication", rule.deleteMarkerReplication),
        flag("DeleteReplication", rule.deleteReplication),
        flag("ExistingObjectReplication", rule.existingObjectReplication),
        element("SourceSelectionCriteria", flag("ReplicaModifications", rule.replicaModifications)),
        element(
          "Destination",
          value("Bucket", rule.destination) +
            (rule.storageClass ? value("StorageClass", rule.storageClass) : ""),
        ),
      ].join(""),
    );
  });
  const role = config.role ? value("Role", config.role) : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element("ReplicationConfiguration", role + rules.join(""))}`;
}
