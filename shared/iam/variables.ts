/**
 * Policy variables: `${aws:username}`, `${s3:prefix}`, ... in resources and
 * condition values stand for the request's value of that condition key;
 * `${*}`, `${?}` and `${$}` stand for the characters themselves. In a
 * pattern (resources, StringLike / ArnLike values) what a variable brings
 * is always literal: a `*` in a request's value never acts as a wildcard.
 */
import { conditionKey, type ConditionValues } from "./condition-keys.ts";

const VARIABLE = /\$\{([^}]+)\}/g;

/** The request's (first) value of a variable; `*`, `?` and `$` for themselves; null when absent. */
function variableValue(name: string, values: ConditionValues): string | null {
  if (name === "*" || name === "?" || name === "$") return name;
  return values.get(conditionKey(name))?.[0] ?? null;
}

function substitute(
  pattern: string,
  values: ConditionValues,
  literal: (text: string) => string,
  inserted: (text: string) => string,
): string | null {
  let missing = false;
  let result = "";
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    const value = variableValue(match[1], values);
    if (value === null) missing = true;
    result += literal(pattern.slice(last, match.index)) + inserted(value ?? "");
    last = match.index + match[0].length;
  }
  result += literal(pattern.slice(last));
  return missing ? null : result;
}

/**
 * Replaces `${key}` with the request's (first) value of that condition key,
 * for exact comparisons. Null when a variable has no value in the request.
 */
export function substituteVariables(pattern: string, values: ConditionValues): string | null {
  const same = (text: string) => text;
  return substitute(pattern, values, same, same);
}

/**
 * Substitutes the variables of a wildcard pattern for escapedWildcardMatch
 * (wildcard.ts): the pattern's own `*` and `?` stay wildcards, everything a
 * variable brings is escaped. Null when a variable has no value.
 */
export function substitutePattern(pattern: string, values: ConditionValues): string | null {
  return substitute(
    pattern,
    values,
    (text) => text.replace(/\\/g, "\\\\"),
    (text) => text.replace(/[\\*?]/g, (c) => `\\${c}`),
  );
}
