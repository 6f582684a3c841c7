/**
 * S3/IAM policy documents, validated with zod. A document is
 * `{ Version, Statement }`; Statement is one statement or a list. Each
 * statement has Effect (Allow | Deny), exactly one of Action / NotAction,
 * at most one of Resource / NotResource (admin statements carry none), an
 * optional Condition block, and, in bucket policies only, exactly one of
 * Principal / NotPrincipal. Single strings and lists are both accepted
 * wherever AWS accepts either; the parsed form always holds lists.
 * parsePolicy also applies policy-validation.ts (known actions, S3 ARNs,
 * known condition operators and keys) to every new document;
 * parseStoredPolicy reads back what was stored, shape only.
 */
import { z } from "zod";
import { statementProblem } from "./policy-validation.ts";

export const POLICY_VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/** Largest policy document accepted (AWS's bucket policy limit is 20 KB). */
export const MAX_POLICY_BYTES = 20 * 1024;

const stringList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

const conditionValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((value) => String(value));
const conditionValues = z
  .union([conditionValue, z.array(conditionValue)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

const principal = z.union([
  z.literal("*").transform(() => ({ AWS: ["*"] })),
  z
    .object({ AWS: stringList.optional(), CanonicalUser: stringList.optional() })
    .strict()
    .transform((value) => ({ AWS: [...(value.AWS ?? []), ...(value.CanonicalUser ?? [])] })),
]);

const statement = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(["Allow", "Deny"], { error: "Effect must be Allow or Deny" }),
    Principal: principal.optional(),
    NotPrincipal: principal.optional(),
    Action: stringList.optional(),
    NotAction: stringList.optional(),
    Resource: stringList.optional(),
    NotResource: stringList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), conditionValues)).optional(),
  })
  .strict()
  .superRefine((s, issue) => {
    if ((s.Action === undefined) === (s.NotAction === undefined))
      issue.addIssue({
        code: "custom",
        message: "a statement needs exactly one of Action or NotAction",
      });
    if (s.Resource !== undefined && s.NotResource !== undefined)
      issue.addIssue({
        code: "custom",
        message: "a statement cannot have both Resource and NotResource",
      });
    if (s.Principal !== undefined && s.NotPrincipal !== undefined)
      issue.addIssue({
        code: "custom",
        message: "a statement cannot have both Principal and NotPrincipal",
      });
  });

export const policyDocumentSchema = z
  .object({
    Version: z.enum(POLICY_VERSIONS, {
      error: `Version must be ${POLICY_VERSIONS.join(" or ")}`,
    }),
    Id: z.string().optional(),
    Statement: z.preprocess(
      (value): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [value]),
      z.array(statement).min(1, "Statement must hold at least one statement"),
    ),
  })
  .strict();

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyStatement = PolicyDocument["Statement"][number];

/** Input that is not a valid policy document; the message says why. */
export class PolicyError extends Error {}

/** Parses and validates a new policy document from JSON text or an already-parsed value. */
export function parsePolicy(input: unknown): PolicyDocument {
  const document = parseStoredPolicy(input);
  for (const [index, statement] of document.Statement.entries()) {
    const problem = statementProblem(statement);
    if (problem) throw new PolicyError(`Statement.${index}: ${problem}`);
  }
  return document;
}

/**
 * Parses a stored policy document: its shape only, so that a document
 * stored before a validation rule existed still loads (and is evaluated
 * fail-closed, see policy-validation.ts).
 */
export function parseStoredPolicy(input: unknown): PolicyDocument {
  let value: unknown = input;
  if (typeof input === "string") {
    if (new TextEncoder().encode(input).length > MAX_POLICY_BYTES)
      throw new PolicyError(`Policies must be at most ${MAX_POLICY_BYTES} bytes.`);
    try {
      value = JSON.parse(input);
    } catch {
      throw new PolicyError("Policies must be valid JSON.");
    }
  }
  const parsed = policyDocumentSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    throw new PolicyError(`${where}${first?.message ?? "invalid policy"}`);
  }
  return parsed.data;
}
