/**
 * Object and bucket tags, with S3's limits: at most 10 tags per object (50
 * per bucket), keys 1–128 and values 0–256 Unicode characters, keys unique.
 * The x-amz-tagging header carries them URL-query-encoded ("k=v&k2=v2");
 * request bodies carry <Tagging><TagSet><Tag><Key/><Value/></Tag>...</Tagging>.
 */
import { z } from "zod";
import { S3Error } from "./s3-errors.ts";
import { parseXml, xmlDocument } from "./xml.ts";

export type Tags = Record<string, string>;

function check(pairs: [string, string][], maxTags: number): Tags {
  if (pairs.length > maxTags)
    throw new S3Error("InvalidTag", "Object tags cannot be greater than 10");
  const tags: Tags = {};
  for (const [key, value] of pairs) {
    if ([...key].length < 1 || [...key].length > 128)
      throw new S3Error("InvalidTag", "The TagKey you have provided is invalid");
    if ([...value].length > 256)
      throw new S3Error("InvalidTag", "The TagValue you have provided is invalid");
    if (key in tags)
      throw new S3Error("InvalidTag", "Cannot provide multiple Tags with the same key");
    tags[key] = value;
  }
  return tags;
}

/** Parses the x-amz-tagging header. */
export function parseTaggingHeader(header: string, maxTags = 10): Tags {
  const pairs: [string, string][] = [];
  for (const part of header.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        throw new S3Error(
          "InvalidArgument",
          "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
        );
      }
    };
    pairs.push(
      eq < 0 ? [decode(part), ""] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))],
    );
  }
  return check(pairs, maxTags);
}

const taggingSchema = z.object({
  Tagging: z.object({
    TagSet: z.union([
      z.literal(""),
      z.object({
        Tag: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
      }),
    ]),
  }),
});

/** Parses a Tagging document. */
export function parseTaggingXml(text: string, maxTags = 10): Tags {
  const parsed = taggingSchema.safeParse(parseXml(text, ["Tag"]));
  if (!parsed.success) throw new S3Error("MalformedXML");
  const set = parsed.data.Tagging.TagSet;
  const list = set === "" ? [] : (set.Tag ?? []);
  return check(
    list.map((tag) => [tag.Key, tag.Value ?? ""]),
    maxTags,
  );
}

/** Renders a Tagging document. */
export function taggingXml(tags: Tags): string {
  return xmlDocument("Tagging", [
    [
      "TagSet",
      Object.entries(tags).map(
        ([key, value]) =>
          [
            "Tag",
            [
              ["Key", key],
              ["Value", value],
            ],
          ] as const,
      ),
    ],
  ]);
}
