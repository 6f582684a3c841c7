/**
 * Policy evaluation, as AWS and MinIO apply it to one request: a statement
 * applies when its action, resource, principal (bucket policies only) and
 * conditions all match; an applicable Deny wins over everything, otherwise
 * an applicable Allow allows, otherwise the answer is "none" (implicit deny).
 *
 * - Action / NotAction patterns compare case-insensitively with `*` and `?`.
 * - Resource / NotResource are ARN patterns (`arn:aws:s3:::bucket/prefix*`)
 *   in which policy variables such as `${aws:username}` are replaced by the
 *   request's value first (a variable the request lacks makes the pattern
 *   match nothing; condition values are substituted the same way); a statement with neither applies to every resource
 *   (admin statements are written that way).
 * - Principal `*` (or `{"AWS": "*"}`) matches everyone, anonymous included;
 *   any other entry names a user, bare or as `arn:aws:iam::<account>:user/<name>`.
 */
import { conditionsHold, type ConditionValues } from "./conditions.ts";
import type { PolicyDocument, PolicyStatement } from "./policy-document.ts";
import { substituteVariables } from "./variables.ts";
import { wildcardMatch } from "./wildcard.ts";

export interface AccessRequest {
  /** The IAM action, e.g. `s3:GetObject` or `admin:CreateUser`. */
  action: string;
  /** The resource ARN, e.g. `arn:aws:s3:::photos/2024/a.jpg`; `arn:aws:s3:::*` for account-wide actions. */
  resource: string;
  /** Condition keys and their values (see conditions.ts). */
  conditions: ConditionValues;
}

/** Who is asking, for matching a bucket policy's Principal. */
export interface Principal {
  /** The user name (a service account's parent); null when anonymous. */
  user: string | null;
}

export type Decision = "allow" | "deny" | "none";

/** Evaluates identity policies (no principal) or bucket policies (with one). */
export function evaluate(
  documents: readonly PolicyDocument[],
  request: AccessRequest,
  principal?: Principal,
): Decision {
  let allowed = false;
  for (const document of documents) {
    for (const statement of document.Statement) {
      if (!applies(statement, request, principal)) continue;
      if (statement.Effect === "Deny") return "deny";
      allowed = true;
    }
  }
  return allowed ? "allow" : "none";
}

function applies(
  statement: PolicyStatement,
  request: AccessRequest,
  principal?: Principal,
): boolean {
  if (principal) {
    if (statement.Principal) {
      if (!principalMatches(statement.Principal.AWS, principal)) return false;
    } else if (statement.NotPrincipal) {
      if (principalMatches(statement.NotPrincipal.AWS, principal)) return false;
    } else return false;
  }
  if (statement.Action && !statement.Action.some((p) => wildcardMatch(p, request.action, true)))
    return false;
  if (statement.NotAction?.some((p) => wildcardMatch(p, request.action, true))) return false;
  if (statement.Resource && !statement.Resource.some((p) => resourceMatches(p, request)))
    return false;
  if (statement.NotResource?.some((p) => resourceMatches(p, request))) return false;
  return conditionsHold(statement.Condition, request.conditions);
}

function principalMatches(patterns: readonly string[], principal: Principal): boolean {
  return patterns.some((pattern) => {
    if (pattern === "*") return true;
    if (principal.user === null) return false;
    const name = pattern.includes(":user/")
      ? pattern.slice(pattern.indexOf(":user/") + 6)
      : pattern;
    return wildcardMatch(name, principal.user);
  });
}

function resourceMatches(pattern: string, request: AccessRequest): boolean {
  const expanded = substituteVariables(pattern, request.conditions);
  return expanded !== null && wildcardMatch(expanded, request.resource);
}

/** True when any statement of any document mentions the condition key (any case). */
export function mentionsConditionKey(
  documents: readonly PolicyDocument[],
  keyPrefix: string,
): boolean {
  const needle = keyPrefix.toLowerCase();
  return documents.some((document) =>
    document.Statement.some((statement) =>
      Object.values(statement.Condition ?? {}).some((entries) =>
        Object.keys(entries).some((key) => key.toLowerCase().startsWith(needle)),
      ),
    ),
  );
}
