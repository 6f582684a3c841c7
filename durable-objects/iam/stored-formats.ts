/**
 * The JSON columns of the IAM object's SQLite, read back with zod
 * (durable-objects/stored-json.ts): a named policy's document and a
 * service account's session policy, both stored as validated policy
 * documents. A row that matches no format is an error naming the table,
 * the row's key and the column. Each format is the first of its column.
 */
import { policyDocumentSchema } from "../../shared/iam/policy-document.ts";
import { StoredFormat } from "../stored-json.ts";

/** policies.document and service_accounts.policy: an IAM policy document. */
export const POLICY_DOCUMENT = StoredFormat.of(policyDocumentSchema);
