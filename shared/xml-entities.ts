/**
 * Character references in S3 request bodies, decoded the way XML 1.0 says:
 * the five predefined entities (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`) and
 * decimal (`&#60;`) or hexadecimal (`&#x3C;`, lowercase x) numeric references.
 * Any other reference is a well-formedness error, and so is a reference to a
 * character XML cannot carry (NUL, surrogates, beyond U+10FFFF; C0 controls
 * other than tab, LF and CR unless the document declares XML 1.1). A DOCTYPE
 * is refused outright, so custom entities are never defined, let alone
 * expanded. Plugs into fast-xml-parser as its `entityDecoder`; every error
 * thrown here becomes MalformedXML in `parseXml`.
 */
import type { EntityDecoderOptions } from "fast-xml-parser";

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  amp: "&",
  apos: "'",
  quot: '"',
};

const REFERENCE = /&([^&;]*);|&/g;

// Characters XML never allows literally (C0 controls but tab, LF, CR; U+FFFE, U+FFFF).
const FORBIDDEN_LITERAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Whether a code point is an XML Char (XML 1.0 §2.2; 1.1 also allows C0 controls by reference). */
function isXmlChar(code: number, xml11: boolean): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code >= 0x1 && code < 0x20) return xml11;
  if (code >= 0x20 && code <= 0xd7ff) return true;
  if (code >= 0xe000 && code <= 0xfffd) return true;
  return code >= 0x10000 && code <= 0x10ffff;
}

function numericReference(body: string, xml11: boolean): string {
  // Leading zeros are allowed, so only the value bounds the length.
  const code = /^#[0-9]+$/.test(body)
    ? Number.parseInt(body.slice(1), 10)
    : /^#x[0-9a-fA-F]+$/.test(body)
      ? Number.parseInt(body.slice(2), 16)
      : Number.NaN;
  if (!isXmlChar(code, xml11)) throw new Error(`invalid character reference &${body};`);
  return String.fromCodePoint(code);
}

/** Decodes one text value; throws on any reference XML does not define. */
export function decodeXmlReferences(text: string, xml11 = false): string {
  if (FORBIDDEN_LITERAL.test(text)) throw new Error("character not allowed in XML");
  if (!text.includes("&")) return text;
  return text.replace(REFERENCE, (whole: string, body: string | undefined) => {
    if (body === undefined) throw new Error("bare '&' in text");
    if (body.startsWith("#")) return numericReference(body, xml11);
    const named = Object.hasOwn(PREDEFINED, body) ? PREDEFINED[body] : undefined;
    if (named === undefined) throw new Error(`undefined entity ${whole}`);
    return named;
  });
}

/** A fresh strict decoder for one parser (the parser resets it per document). */
export function strictEntityDecoder(): EntityDecoderOptions {
  let xml11 = false;
  return {
    setExternalEntities: () => {
      throw new Error("external entities are not supported");
    },
    addInputEntities: () => {
      throw new Error("DOCTYPE is not allowed");
    },
    reset: () => {
      xml11 = false;
    },
    decode: (text: string) => decodeXmlReferences(text, xml11),
    setXmlVersion: (version: number) => {
      xml11 = version === 1.1;
    },
  };
}
