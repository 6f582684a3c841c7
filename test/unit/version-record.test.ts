import { describe, expect, it } from "vitest";
import {
  serializeRecord,
  versionRecordSchema,
  type VersionRecord,
} from "../../shared/types/version-record.ts";

const full: VersionRecord = {
  format: 1,
  bucket: "photos",
  key: "2024/holiday.jpg",
  versionId: "3f1c0c3e-5d55-4e0e-9a40-6b1d8b6b1c11",
  dataDir: "8a0e6d0a-2f58-4a61-a3c8-6d2e6a3f9f10",
  deleteMarker: false,
  mtime: 1764633600000,
  size: 5_242_881,
  etag: "9b2cf535f27731c974343645a3985328-2",
  contentType: "image/jpeg",
  headers: { "cache-control": "no-cache", "content-encoding": "gzip" },
  userMetadata: { camera: "x100", "2": "numeric-looking key" },
  checksums: { crc32: "AAAAAA==" },
  storageClass: "STANDARD",
  tags: { trip: "2024" },
  retention: { mode: "GOVERNANCE", retainUntil: 1767225600000 },
  legalHold: true,
  erasure: {
    set: "pool-0/set-0",
    dataShards: 4,
    parityShards: 4,
    blockSize: 1048576,
    distribution: [3, 1, 0, 2, 7, 5, 4, 6],
  },
  parts: [
    {
      number: 1,
      size: 5_242_880,
      etag: "a".repeat(32),
      dataDir: "p1",
      checksums: { crc32: "AQIDBA==" },
    },
    { number: 2, size: 1, etag: "b".repeat(32), dataDir: "p2" },
  ],
  inline: false,
  metadataTimestamp: 1764633600001,
  replica: { timestamp: 1764633600002 },
};

describe("serializeRecord", () => {
  it("gives what serializing the parsed record gives, whatever the key order or extra keys", () => {
    const shuffled = Object.fromEntries(Object.entries(full).reverse()) as VersionRecord;
    const extra = {
      ...shuffled,
      unknown: "dropped",
      erasure: { ...full.erasure, extra: 1 },
      retention: { retainUntil: 1767225600000, mode: "GOVERNANCE" as const },
    };
    const expected = JSON.stringify(versionRecordSchema.parse(full));
    expect(serializeRecord(full)).toBe(expected);
    expect(serializeRecord(shuffled)).toBe(expected);
    expect(serializeRecord(extra)).toBe(expected);
  });

  it("leaves out optional fields that are absent or undefined", () => {
    const minimal: VersionRecord = {
      ...full,
      contentType: undefined,
      tags: undefined,
      retention: undefined,
      legalHold: undefined,
      metadataTimestamp: undefined,
      replica: undefined,
      parts: [],
      inline: true,
    };
    const json = serializeRecord(minimal);
    expect(json).toBe(JSON.stringify(versionRecordSchema.parse(minimal)));
    expect(versionRecordSchema.parse(JSON.parse(json))).toEqual(versionRecordSchema.parse(minimal));
  });
});
