/**
 * IAM wildcard matching: `*` matches any run of characters (including none
 * and including `/`), `?` exactly one; everything else literally. Actions
 * compare case-insensitively, resources and condition values exactly.
 * Patterns that went through policy-variable substitution are matched with
 * escapedWildcardMatch, in which `\` makes the next character literal, so
 * that a value from the request (or `${*}`) never acts as a wildcard.
 */

type Token = "*" | "?" | { literal: string };

function tokens(pattern: string, escapes: boolean): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (escapes && c === "\\" && i + 1 < pattern.length) out.push({ literal: pattern[++i] });
    else if (c === "*" || c === "?") out.push(c);
    else out.push({ literal: c });
  }
  return out;
}

/** Linear-time greedy match with backtracking to the last `*`. */
function matchTokens(p: readonly Token[], v: string): boolean {
  let pi = 0;
  let vi = 0;
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    const t = p[pi];
    if (pi < p.length && (t === "?" || (typeof t === "object" && t.literal === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && t === "*") {
      star = pi++;
      resume = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** True when `value` matches `pattern`. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  return matchTokens(tokens(p, false), v);
}

/** True when `value` matches `pattern`, in which `\x` stands for the literal character x. */
export function escapedWildcardMatch(pattern: string, value: string): boolean {
  return matchTokens(tokens(pattern, true), value);
}
