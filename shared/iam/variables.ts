/**
 * Policy variables: `${aws:username}`, `${s3:prefix}`, ... in resources and
 * condition values stand for the request's value of that condition key;
 * `${*}`, `${?}` and `${$}` stand for the characters themselves.
 */
import { conditionKey, type ConditionValues } from "./condition-keys.ts";

/**
 * Replaces `${key}` with the request's (first) value of that condition key;
 * `${*}`, `${?}` and `${$}` stand for the characters themselves. Null when a
 * variable has no value in the request.
 */
export function substituteVariables(pattern: string, values: ConditionValues): string | null {
  let missing = false;
  const result = pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === "*" || name === "?" || name === "$") return name;
    const value = values.get(conditionKey(name))?.[0];
    if (value === undefined) {
      missing = true;
      return "";
    }
    return value;
  });
  return missing ? null : result;
}
