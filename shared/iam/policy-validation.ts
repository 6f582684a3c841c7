/**
 * What a policy document must say beyond its JSON shape before Floe stores
 * it, so that no statement is silently inert (a misspelled operator in a
 * Deny would otherwise never deny):
 * - actions are `*` or `<service>:<pattern>` for the services Floe knows
 *   (s3, admin, kms, sts);
 * - resources are `*` or S3 ARNs, `arn:aws:s3:::<bucket>[/<key>]`
 *   (`arn:aws:s3:::*` for account-wide admin statements);
 * - condition operators are AWS's (String*, Numeric*, Date*, Bool,
 *   IpAddress, Arn*, Null, with `...IfExists` and `ForAnyValue:` /
 *   `ForAllValues:`), each naming at least one key, every key a known
 *   global `aws:` or S3 key (condition-keys.ts), and values that fit the
 *   operator (numbers, dates, true/false, CIDR blocks) unless they hold a
 *   policy variable.
 * Stored documents are not re-validated: the evaluator treats what it does
 * not understand as matching in a Deny and not matching in an Allow.
 */
import { isKnownConditionKey } from "./condition-keys.ts";
import { parseOperator } from "./conditions.ts";
import { ipInCidr } from "./ip.ts";

const ACTION = /^(?:\*|(?:s3|admin|kms|sts):[A-Za-z0-9*?-]+)$/i;
const S3_ARN = "arn:aws:s3:::";

/** True when an Action / NotAction entry is one Floe can match. */
export function isValidActionPattern(pattern: string): boolean {
  return ACTION.test(pattern);
}

/** True when a Resource / NotResource entry is `*` or an S3 ARN. */
export function isValidResourcePattern(pattern: string): boolean {
  if (pattern === "*") return true;
  return pattern.startsWith(S3_ARN) && pattern.length > S3_ARN.length && !/\s/.test(pattern);
}

interface StatementShape {
  Action?: readonly string[];
  NotAction?: readonly string[];
  Resource?: readonly string[];
  NotResource?: readonly string[];
  Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** Why a condition value does not fit its operator, or null. */
function valueProblem(base: string, value: string): string | null {
  if (value.includes("${")) return null;
  if (base.startsWith("numeric") && (value.trim() === "" || !Number.isFinite(Number(value))))
    return `${value} is not a number`;
  if (base.startsWith("date") && !/^\d+$/.test(value) && !Number.isFinite(Date.parse(value)))
    return `${value} is not a date`;
  if ((base === "bool" || base === "null") && !/^(true|false)$/i.test(value))
    return `${value} is not true or false`;
  if (base.endsWith("ipaddress") && !ipInCidr(value.split("/")[0] ?? "", value))
    return `${value} is not an IP address or CIDR block`;
  return null;
}

function conditionProblem(condition: NonNullable<StatementShape["Condition"]>): string | null {
  for (const [rawOperator, entries] of Object.entries(condition)) {
    const operator = parseOperator(rawOperator);
    if (!operator) return `unknown condition operator ${rawOperator}`;
    const keys = Object.keys(entries);
    if (keys.length === 0) return `condition operator ${rawOperator} names no key`;
    for (const key of keys) {
      if (!isKnownConditionKey(key)) return `unknown condition key ${key}`;
      const values = entries[key] ?? [];
      if (values.length === 0) return `condition key ${key} has no value`;
      for (const value of values) {
        const problem = valueProblem(operator.base, value);
        if (problem) return `${rawOperator} ${key}: ${problem}`;
      }
    }
  }
  return null;
}

/** The first problem of a statement, or null when Floe can evaluate all of it. */
export function statementProblem(statement: StatementShape): string | null {
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])])
    if (!isValidActionPattern(action)) return `invalid action ${action}`;
  for (const resource of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])])
    if (!isValidResourcePattern(resource)) return `invalid resource ${resource}`;
  return statement.Condition ? conditionProblem(statement.Condition) : null;
}
