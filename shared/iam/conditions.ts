/**
 * Condition blocks: `{ Operator: { key: value | [values] } }`. Every
 * operator must hold and, within one, every key (AND); a key holds when the
 * request's value matches any of the listed values (OR). Keys are
 * case-insensitive up to the first `/` (`s3:ExistingObjectTag/Project`
 * keeps its tag name's case). When the request lacks the key, positive
 * operators fail and negated ones (StringNotEquals, NotIpAddress, ...) hold,
 * as AWS evaluates them; the `...IfExists` suffix makes any operator hold on
 * a missing key; `Null` tests presence. `ForAnyValue:` / `ForAllValues:`
 * qualify multi-valued keys. Unknown operators never hold.
 */
import { conditionKey, type ConditionValues } from "./condition-keys.ts";
import { ipInCidr } from "./ip.ts";
import { substituteVariables } from "./variables.ts";
import { wildcardMatch } from "./wildcard.ts";

type Compare = (actual: string, expected: string) => boolean;

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (actual, expected) => {
    const a = Number(actual);
    const b = Number(expected);
    return (
      actual.trim() !== "" &&
      expected.trim() !== "" &&
      Number.isFinite(a) &&
      Number.isFinite(b) &&
      test(a, b)
    );
  };
}

function parseDate(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  return Date.parse(text);
}

function date(test: (a: number, b: number) => boolean): Compare {
  return (actual, expected) => {
    const a = parseDate(actual);
    const b = parseDate(expected);
    return Number.isFinite(a) && Number.isFinite(b) && test(a, b);
  };
}

/** Positive operators; each has a negated twin below. */
const POSITIVE: Record<string, Compare> = {
  stringequals: (a, e) => a === e,
  stringequalsignorecase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  stringlike: (a, e) => wildcardMatch(e, a),
  numericequals: numeric((a, b) => a === b),
  numericlessthan: numeric((a, b) => a < b),
  numericlessthanequals: numeric((a, b) => a <= b),
  numericgreaterthan: numeric((a, b) => a > b),
  numericgreaterthanequals: numeric((a, b) => a >= b),
  dateequals: date((a, b) => a === b),
  datelessthan: date((a, b) => a < b),
  datelessthanequals: date((a, b) => a <= b),
  dategreaterthan: date((a, b) => a > b),
  dategreaterthanequals: date((a, b) => a >= b),
  bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
  ipaddress: (a, e) => ipInCidr(a, e),
  arnequals: (a, e) => a === e,
  arnlike: (a, e) => wildcardMatch(e, a),
};

const NEGATED: Record<string, string> = {
  stringnotequals: "stringequals",
  stringnotequalsignorecase: "stringequalsignorecase",
  stringnotlike: "stringlike",
  numericnotequals: "numericequals",
  datenotequals: "dateequals",
  notipaddress: "ipaddress",
  arnnotequals: "arnequals",
  arnnotlike: "arnlike",
};

/** True when every operator of the block holds for the request. */
export function conditionsHold(
  block: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  values: ConditionValues,
): boolean {
  if (!block) return true;
  for (const [operator, entries] of Object.entries(block)) {
    for (const [key, expected] of Object.entries(entries)) {
      const substituted = expected.flatMap((value) => {
        const replaced = value.includes("${") ? substituteVariables(value, values) : value;
        return replaced === null ? [] : [replaced];
      });
      if (!operatorHolds(operator, values.get(conditionKey(key)), substituted)) return false;
    }
  }
  return true;
}

function operatorHolds(
  rawOperator: string,
  actual: readonly string[] | undefined,
  expected: readonly string[],
): boolean {
  let operator = rawOperator.toLowerCase();
  let qualifier: "any" | "all" | null = null;
  if (operator.startsWith("foranyvalue:")) {
    qualifier = "any";
    operator = operator.slice("foranyvalue:".length);
  } else if (operator.startsWith("forallvalues:")) {
    qualifier = "all";
    operator = operator.slice("forallvalues:".length);
  }
  const present = actual !== undefined && actual.length > 0;
  if (operator === "null") {
    return expected.some((e) => (e.toLowerCase() === "true") === !present);
  }
  let ifExists = false;
  if (operator.endsWith("ifexists")) {
    ifExists = true;
    operator = operator.slice(0, -"ifexists".length);
  }
  const negatedOf = NEGATED[operator];
  const compare = POSITIVE[negatedOf ?? operator];
  if (!compare) return false;
  if (!present) {
    if (qualifier === "all") return true;
    if (ifExists) return true;
    return negatedOf !== undefined && qualifier === null;
  }
  const matchesOne = (value: string) => expected.some((e) => compare(value, e));
  if (qualifier === "all") {
    return actual.every((value) => (negatedOf ? !matchesOne(value) : matchesOne(value)));
  }
  const anyMatch = actual.some(matchesOne);
  if (qualifier === "any") return negatedOf ? actual.some((value) => !matchesOne(value)) : anyMatch;
  return negatedOf ? !anyMatch : anyMatch;
}

export { conditionKey, type ConditionValues };
