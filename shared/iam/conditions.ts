/**
 * Condition blocks: `{ Operator: { key: value | [values] } }`. Every
 * operator must hold and, within one, every key (AND); a key holds when the
 * request's value matches any of the listed values (OR). Keys are
 * case-insensitive up to the first `/` (`s3:ExistingObjectTag/Project`
 * keeps its tag name's case). When the request lacks the key, positive
 * operators fail and negated ones (StringNotEquals, NotIpAddress, ...) hold,
 * as AWS evaluates them; the `...IfExists` suffix makes any operator hold on
 * a missing key; `Null` tests presence. `ForAnyValue:` / `ForAllValues:`
 * qualify multi-valued keys.
 *
 * New policies are refused when an operator or key is unknown
 * (policy-validation.ts). A stored policy written before that check may
 * still carry one; it fails closed: such a condition holds in a Deny
 * statement (the Deny applies) and fails in an Allow statement.
 */
import { conditionKey, isKnownConditionKey, type ConditionValues } from "./condition-keys.ts";
import { ipInCidr } from "./ip.ts";
import { substitutePattern, substituteVariables } from "./variables.ts";
import { escapedWildcardMatch } from "./wildcard.ts";

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

/** Positive operators; some have a negated twin below. */
const POSITIVE: Record<string, Compare> = {
  stringequals: (a, e) => a === e,
  stringequalsignorecase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  stringlike: (a, e) => escapedWildcardMatch(e, a),
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
  arnlike: (a, e) => escapedWildcardMatch(e, a),
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

/** Operators whose values are wildcard patterns. */
const LIKE: ReadonlySet<string> = new Set(["stringlike", "stringnotlike", "arnlike", "arnnotlike"]);

interface ParsedOperator {
  /** The base operator, lower case, without qualifier or IfExists. */
  base: string;
  qualifier: "any" | "all" | null;
  ifExists: boolean;
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; null when the operator is unknown. */
export function parseOperator(raw: string): ParsedOperator | null {
  let operator = raw.toLowerCase();
  let qualifier: ParsedOperator["qualifier"] = null;
  if (operator.startsWith("foranyvalue:")) {
    qualifier = "any";
    operator = operator.slice("foranyvalue:".length);
  } else if (operator.startsWith("forallvalues:")) {
    qualifier = "all";
    operator = operator.slice("forallvalues:".length);
  }
  if (operator === "null")
    return qualifier === null ? { base: "null", qualifier, ifExists: false } : null;
  let ifExists = false;
  if (operator.endsWith("ifexists")) {
    ifExists = true;
    operator = operator.slice(0, -"ifexists".length);
  }
  if (!Object.hasOwn(POSITIVE, operator) && !Object.hasOwn(NEGATED, operator)) return null;
  return { base: operator, qualifier, ifExists };
}

/**
 * True when every operator of the block holds for the request. `effect`
 * decides what an operator or key Floe does not know does: it holds for a
 * Deny and fails for an Allow, so that a malformed stored policy never
 * grants and never loses a denial.
 */
export function conditionsHold(
  block: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  values: ConditionValues,
  effect: "Allow" | "Deny" = "Allow",
): boolean {
  if (!block) return true;
  for (const [rawOperator, entries] of Object.entries(block)) {
    const operator = parseOperator(rawOperator);
    for (const [key, expected] of Object.entries(entries)) {
      if (!operator || !isKnownConditionKey(key)) {
        if (effect === "Deny") continue;
        return false;
      }
      // Like-operator values are patterns: substituted with what variables bring escaped.
      const substitute = LIKE.has(operator.base) ? substitutePattern : substituteVariables;
      const substituted = expected.flatMap((value) => {
        const replaced = substitute(value, values);
        return replaced === null ? [] : [replaced];
      });
      if (!operatorHolds(operator, values.get(conditionKey(key)), substituted)) return false;
    }
  }
  return true;
}

function operatorHolds(
  { base: operator, qualifier, ifExists }: ParsedOperator,
  actual: readonly string[] | undefined,
  expected: readonly string[],
): boolean {
  const present = actual !== undefined && actual.length > 0;
  if (operator === "null") {
    return expected.some((e) => (e.toLowerCase() === "true") === !present);
  }
  const negatedOf = Object.hasOwn(NEGATED, operator) ? NEGATED[operator] : undefined;
  const compare = POSITIVE[negatedOf ?? operator];
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
