/**
 * GetObjectAttributes (`GET /key?attributes`): an object's metadata without
 * its data. `x-amz-object-attributes` lists what to return, any of ETag
 * (unquoted), Checksum (the stored value and its type), ObjectParts
 * (multipart objects only: PartsCount and a page of parts, sized by
 * `x-amz-max-parts`, after `x-amz-part-number-marker`), StorageClass and
 * ObjectSize; a missing list or an unknown name is InvalidArgument.
 * `versionId` picks a version as on GetObject; a delete marker answers
 * as GetObject does. Last-Modified and, for versioned objects,
 * x-amz-version-id come back as headers.
 */
import { S3Error } from "../../shared/s3-errors.ts";
import type { PartInfo, VersionRecord } from "../../shared/types/version-record.ts";
import { xmlDocument, type XmlNode } from "../../shared/xml.ts";
import type { S3Context } from "./context.ts";
import { lookupVersion } from "./object.ts";
import { xmlResponse } from "./response.ts";

const ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"] as const;
type Attribute = (typeof ATTRIBUTES)[number];

const MAX_PARTS = 1000;

/** The attribute names of `x-amz-object-attributes` (comma-separated, repeatable). */
export function parseObjectAttributes(header: string | null): Set<Attribute> {
  const names = (header ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0)
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty",
      { detail: { ArgumentName: "x-amz-object-attributes", ArgumentValue: header ?? "" } },
    );
  const wanted = new Set<Attribute>();
  for (const name of names) {
    const known = ATTRIBUTES.find((attribute) => attribute.toLowerCase() === name.toLowerCase());
    if (!known)
      throw new S3Error("InvalidArgument", "Invalid attribute name specified.", {
        detail: { ArgumentName: "x-amz-object-attributes", ArgumentValue: name },
      });
    wanted.add(known);
  }
  return wanted;
}

function nonNegative(value: string | null, name: string, fallback: number): number {
  if (value === null || value.trim() === "") return fallback;
  if (!/^\d+$/.test(value.trim()))
    throw new S3Error(
      "InvalidArgument",
      `Provided ${name} not an integer or within integer range`,
      {
        detail: { ArgumentName: name, ArgumentValue: value },
      },
    );
  return Number(value.trim());
}

function checksumNodes(checksums: Record<string, string> | undefined): XmlNode[] {
  return Object.entries(checksums ?? {}).map(
    ([algorithm, value]) => [`Checksum${algorithm.toUpperCase()}`, value] as const,
  );
}

function checksumNode(record: VersionRecord): XmlNode | null {
  const nodes = checksumNodes(record.checksums);
  if (nodes.length === 0) return null;
  const composite = Object.values(record.checksums).some((value) => value.includes("-"));
  return ["Checksum", [...nodes, ["ChecksumType", composite ? "COMPOSITE" : "FULL_OBJECT"]]];
}

function partsNode(ctx: S3Context, record: VersionRecord): XmlNode | null {
  if (!/-\d+$/.test(record.etag)) return null;
  const headers = ctx.request.headers;
  const maxParts = Math.min(
    nonNegative(headers.get("x-amz-max-parts"), "max-parts", MAX_PARTS),
    MAX_PARTS,
  );
  const marker = nonNegative(headers.get("x-amz-part-number-marker"), "part-number-marker", 0);
  const after = record.parts.filter((part) => part.number > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  return [
    "ObjectParts",
    [
      ["PartsCount", record.parts.length],
      ["PartNumberMarker", marker],
      ["NextPartNumberMarker", page.length ? page[page.length - 1].number : marker],
      ["MaxParts", maxParts],
      ["IsTruncated", truncated],
      ...page.map(
        (part: PartInfo) =>
          [
            "Part",
            [["PartNumber", part.number], ["Size", part.size], ...checksumNodes(part.checksums)],
          ] as const,
      ),
    ],
  ];
}

export async function getObjectAttributes(ctx: S3Context): Promise<Response> {
  const wanted = parseObjectAttributes(ctx.request.headers.get("x-amz-object-attributes"));
  const { stored, versioned } = await lookupVersion(ctx);
  const { record } = stored;
  const headers = new Headers({ "last-modified": new Date(record.mtime).toUTCString() });
  if (versioned) headers.set("x-amz-version-id", record.versionId);
  return xmlResponse(
    xmlDocument("GetObjectAttributesResponse", [
      wanted.has("ETag") ? ["ETag", record.etag] : null,
      wanted.has("Checksum") ? checksumNode(record) : null,
      wanted.has("ObjectParts") ? partsNode(ctx, record) : null,
      wanted.has("StorageClass") ? ["StorageClass", record.storageClass] : null,
      wanted.has("ObjectSize") ? ["ObjectSize", record.size] : null,
    ]),
    { headers },
  );
}
