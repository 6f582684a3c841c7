/**
 * XML for S3: a small escaping builder for response documents, and a parser
 * configured the safe way (values stay strings, untrimmed; elements named in
 * `arrays` always parse as arrays; character references decoded strictly and
 * a DOCTYPE refused, see xml-entities.ts) for request bodies, which callers
 * then validate with zod. Any parse failure is MalformedXML.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { S3Error } from "./s3-errors.ts";
import { strictEntityDecoder } from "./xml-entities.ts";

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

const NAMED: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Escapes text for element content and attribute values. Client text (keys,
 * prefixes, resources) may hold any character, so beyond the five markup
 * characters: U+0001–U+001F become `&#x..;` references, as S3 writes them
 * (tab, LF and CR too, so a parser's line-ending normalisation cannot alter
 * a key); U+0000, U+FFFE, U+FFFF and lone surrogates, which XML cannot carry
 * even as references, become U+FFFD. Clients needing such keys exactly ask
 * for `encoding-type=url`.
 */
export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"'\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (char) => {
      const named = NAMED[char];
      if (named) return named;
      const code = char.charCodeAt(0);
      if (code >= 0x01 && code <= 0x1f) return `&#x${code.toString(16).toUpperCase()};`;
      return "\ufffd";
    },
  );
}

/** A child element: `[name, text]` or `[name, children]`; undefined/null children are skipped. */
export type XmlNode = readonly [
  string,
  string | number | boolean | readonly (XmlNode | null | undefined)[],
];

function render(node: XmlNode): string {
  const [name, content] = node;
  if (Array.isArray(content)) {
    const inner = (content as readonly (XmlNode | null | undefined)[])
      .filter((child): child is XmlNode => child !== null && child !== undefined)
      .map(render)
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(content))}</${name}>`;
}

/** A whole S3 response document with the S3 namespace on its root. */
export function xmlDocument(
  root: string,
  children: readonly (XmlNode | null | undefined)[],
  namespace = true,
): string {
  const inner = children
    .filter((child): child is XmlNode => child !== null && child !== undefined)
    .map(render)
    .join("");
  const attr = namespace ? ` xmlns="${S3_NAMESPACE}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${attr}>${inner}</${root}>`;
}

/** Parses a request body; `arrays` names elements that must always be arrays. */
export function parseXml(text: string, arrays: readonly string[] = []): Record<string, unknown> {
  if (text.trim() === "" || XMLValidator.validate(text) !== true) throw new S3Error("MalformedXML");
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: false,
    removeNSPrefix: true,
    processEntities: true,
    entityDecoder: strictEntityDecoder(),
    isArray: (name) => arrays.includes(name),
  });
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch {
    throw new S3Error("MalformedXML");
  }
}
