/**
 * `--attr "Content-Type=text/plain;color=blue"` and `--tags "k=v&k2=v2"`.
 * As in mc, attribute names that are standard object headers set those
 * headers (Content-Type, Cache-Control, Content-Disposition,
 * Content-Encoding, Content-Language, Expires); every other name becomes
 * user metadata (`x-amz-meta-<name>`, a leading `x-amz-meta-` is accepted).
 * Tags use the URL query form S3 uses for `x-amz-tagging`.
 */
import type { Tag } from "@aws-sdk/client-s3";
import { usageError } from "./errors.ts";

/** Standard headers an object carries, under the SDK's parameter names. */
export interface ObjectHeaders {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
}

export interface ObjectAttributes {
  headers: ObjectHeaders;
  metadata: Record<string, string>;
}

type HeaderField = Exclude<keyof ObjectHeaders, "Expires">;

const HEADER_FIELDS: Record<string, HeaderField> = {
  "content-type": "ContentType",
  "cache-control": "CacheControl",
  "content-disposition": "ContentDisposition",
  "content-encoding": "ContentEncoding",
  "content-language": "ContentLanguage",
};

/** Parses `--attr`. */
export function parseAttributes(text: string): ObjectAttributes {
  const result: ObjectAttributes = { headers: {}, metadata: {} };
  for (const pair of text.split(";")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw usageError(`Invalid attribute "${pair}" (use key=value;key2=value2).`);
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1);
    const lower = name.toLowerCase();
    const field = HEADER_FIELDS[lower];
    if (field) result.headers[field] = value;
    else if (lower === "expires") result.headers.Expires = new Date(value);
    else result.metadata[lower.replace(/^x-amz-meta-/, "")] = value;
  }
  return result;
}

/** Parses `--tags`. */
export function parseTags(text: string): Tag[] {
  const tags: Tag[] = [];
  for (const [Key, Value] of new URLSearchParams(text)) {
    if (Key === "") throw usageError(`Invalid tags "${text}" (use key=value&key2=value2).`);
    tags.push({ Key, Value });
  }
  return tags;
}

/** Tags as a plain object, for output. */
export function tagsRecord(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}
