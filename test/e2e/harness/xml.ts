/**
 * A strict well-formedness check for S3 response documents: structure by
 * fast-xml-parser's validator, plus what it lets through: every character
 * must be an XML 1.0 Char, every entity one of the five predefined ones, and
 * every character reference an XML Char or a C0 control (U+0001–U+001F,
 * written as `&#x..;` the way S3 escapes control characters in keys).
 */
import { XMLValidator } from "fast-xml-parser";

const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function referencedCharOk(code: number): boolean {
  if (code >= 0x01 && code <= 0x1f) return true;
  return (
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Why `text` is not a well-formed document, or null when it is. */
export function xmlProblem(text: string): string | null {
  const raw = NOT_XML_CHAR.exec(text) ?? LONE_SURROGATE.exec(text);
  if (raw) return `character U+${raw[0].charCodeAt(0).toString(16)} at ${raw.index}`;
  for (const match of text.matchAll(/&([^;&<>\s]*);?/g)) {
    const [whole, name] = match;
    if (!whole.endsWith(";")) return `unterminated reference at ${match.index}`;
    if (["amp", "lt", "gt", "quot", "apos"].includes(name)) continue;
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (!numeric) return `undefined entity &${name};`;
    const code = numeric[1] ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
    if (!referencedCharOk(code)) return `reference to U+${code.toString(16)}`;
  }
  const result = XMLValidator.validate(text);
  return result === true ? null : `${result.err.code}: ${result.err.msg} (line ${result.err.line})`;
}
