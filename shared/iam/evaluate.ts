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
 * - A bucket policy (evaluated with a principal) is resource-based: it
 *   speaks only of S3 actions on its own bucket, whatever its Action,
 *   NotAction or Resource say. `*`, `*Create*` or a NotAction there never
 *   reach `admin:` actions or another bucket. Identity policies keep AWS's
 *   meaning: `*` is every action, admin ones included.
 * - An action, resource or condition that a stored document carries but
 *   Floe cannot evaluate (see policy-validation.ts) matches in a Deny
 *   statement and never in an Allow: malformed policies fail closed.
 */
import { conditionsHold, type ConditionValues } from "./conditions.ts";
import type { PolicyDocument, PolicyStatement } from "./policy-document.ts";
import { isValidActionPattern, isValidResourcePattern } from "./policy-validation.ts";
import { substitutePattern } from "./variables.ts";
import { escapedWildcardMatch, wildcardMatch } from "./wildcard.ts";

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
  /** The bucket whose policy is evaluated: only its resources can match. */
  bucket?: string;
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
    if (!inBucketPolicyScope(request, principal.bucket)) return false;
    if (statement.Principal) {
      if (!principalMatches(statement.Principal.AWS, principal)) return false;
    } else if (statement.NotPrincipal) {
      if (principalMatches(statement.NotPrincipal.AWS, principal)) return false;
    } else return false;
  }
  // A pattern Floe cannot evaluate widens a Deny and narrows an Allow.
  const deny = statement.Effect === "Deny";
  const action = (pattern: string, otherwise: boolean) =>
    isValidActionPattern(pattern) ? wildcardMatch(pattern, request.action, true) : otherwise;
  const resource = (pattern: string, otherwise: boolean) =>
    isValidResourcePattern(pattern) ? resourceMatches(pattern, request) : otherwise;
  if (statement.Action && !statement.Action.some((p) => action(p, deny))) return false;
  if (statement.NotAction?.some((p) => action(p, !deny))) return false;
  if (statement.Resource && !statement.Resource.some((p) => resource(p, deny))) return false;
  if (statement.NotResource?.some((p) => resource(p, !deny))) return false;
  return conditionsHold(statement.Condition, request.conditions, statement.Effect);
}

/** A bucket policy speaks only of `s3:` actions on its own bucket's resources. */
function inBucketPolicyScope(request: AccessRequest, bucket: string | undefined): boolean {
  if (!request.action.toLowerCase().startsWith("s3:")) return false;
  if (bucket === undefined) return true;
  const own = `arn:aws:s3:::${bucket}`;
  return request.resource === own || request.resource.startsWith(`${own}/`);
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
  const expanded = substitutePattern(pattern, request.conditions);
  return expanded !== null && escapedWildcardMatch(expanded, request.resource);
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
