import { describe, expect, it } from "vitest";
import { createReedSolomon } from "../../shared/erasure/index.ts";
import { serializeRecord, type VersionRecord } from "../../shared/types/version-record.ts";
import { mergeVersion, type DriveCopy } from "../../workers/objects/rebuild-merge.ts";
import { versionRecord } from "../fixtures/version-record.ts";

const distribution = [3, 4, 5, 6, 7, 0, 1, 2];

function record(overrides: Partial<VersionRecord> = {}): VersionRecord {
  return versionRecord({
    versionId: "v1",
    size: 10,
    erasure: { ...versionRecord().erasure, distribution },
    parts: [{ number: 1, size: 10, etag: "e", dataDir: "d1" }],
    inline: false,
    ...overrides,
  });
}

function copies(rec: VersionRecord, drives: number[], shards?: Uint8Array[]): DriveCopy[] {
  return drives.map((drive) => ({
    drive,
    dataDir: rec.dataDir,
    record: serializeRecord(rec),
    inlineShard: shards ? shards[distribution.indexOf(drive)] : null,
  }));
}

describe("mergeVersion", () => {
  it("restores a version that at least k drives hold", () => {
    const outcome = mergeVersion("b", "k", "v1", copies(record(), [0, 1, 2, 3]));
    expect(outcome.kind).toBe("restore");
  });

  it("leaves a version fewer than k drives hold (a delete or failed write's leftovers)", () => {
    expect(mergeVersion("b", "k", "v1", copies(record(), [0, 1, 2]))).toEqual({
      kind: "below-quorum",
      copies: 3,
      required: 4,
    });
  });

  it("takes the newest write of a version id, whatever the others hold", () => {
    const old = record({ dataDir: "d0", mtime: 500 });
    const current = record({ dataDir: "d9", mtime: 900 });
    const outcome = mergeVersion("b", "k", "v1", [
      ...copies(old, [0, 1, 2, 3, 4, 5, 6, 7]),
      ...copies(current, [0, 1, 2, 3, 4]),
    ]);
    expect(outcome.kind === "restore" && outcome.version.record.dataDir).toBe("d9");
  });

  it("takes the latest metadata change among a write's copies", () => {
    const stale = record({ tags: { a: "1" } });
    const fresh = record({ tags: { a: "2" }, metadataTimestamp: 2000 });
    const outcome = mergeVersion("b", "k", "v1", [
      ...copies(stale, [0, 1, 2, 3, 4]),
      ...copies(fresh, [5, 6]),
    ]);
    expect(outcome.kind === "restore" && outcome.version.record.tags).toEqual({ a: "2" });
  });

  it("ignores copies that do not parse or describe another version", () => {
    const good = copies(record(), [0, 1, 2]);
    const other = copies(record({ key: "other" }), [3, 4]);
    const broken: DriveCopy = { drive: 5, dataDir: "d1", record: "{not json", inlineShard: null };
    expect(mergeVersion("b", "k", "v1", [...good, ...other, broken]).kind).toBe("below-quorum");
    expect(mergeVersion("b", "k", "v1", [broken]).kind).toBe("unreadable");
  });

  it("decodes inline data from any k good shards, and reports when fewer are left", () => {
    const data = new TextEncoder().encode("inline object body!");
    const rec = record({ inline: true, size: data.length, parts: [] });
    const shards = createReedSolomon(4, 4)
      .encodeBlock(data)
      .map((s) => s.slice());
    const fromParity = copies(rec, [0, 1, 2, 7], shards); // shards 5, 6, 7 and 4
    const outcome = mergeVersion("b", "k", "v1", fromParity);
    expect(outcome.kind === "restore" && [...outcome.version.inlineData!]).toEqual([...data]);
    const damaged = copies(rec, [0, 1, 2, 3, 4], shards).map((c, i) =>
      i < 2 ? { ...c, inlineShard: null } : c,
    );
    expect(mergeVersion("b", "k", "v1", damaged)).toEqual({
      kind: "inline-lost",
      shards: 3,
      required: 4,
    });
  });

  it("restores delete markers and empty objects without data", () => {
    const marker = record({ deleteMarker: true, size: 0, inline: true, parts: [], etag: "" });
    const outcome = mergeVersion("b", "k", "v1", copies(marker, [0, 1, 2, 3]));
    expect(outcome.kind === "restore" && outcome.version.record.deleteMarker).toBe(true);
  });
});
