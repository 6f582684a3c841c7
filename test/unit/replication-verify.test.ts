import { describe, expect, it } from "vitest";
import {
  digestPageSchema,
  digestRows,
  linePageSchema,
  lineRows,
  RANGE_SPREAD,
  stateOf,
  type DigestRow,
  type DigestScope,
} from "../../shared/replication/digest.ts";
import { serializeRecord } from "../../shared/types/version-record.ts";
import { heldAlike, type RemoteStates } from "../../workers/replication/send/remote-states.ts";
import { compareKeys, differingFields } from "../../workers/replication/verify/verify-fields.ts";
import {
  compareSides,
  differingSpans,
  MAX_DIFFERENCES,
  type VerifySides,
} from "../../workers/replication/verify/verify.ts";
import { versionRecord } from "../fixtures/version-record.ts";

function row(key: string, versionId = "v1", extra: Record<string, unknown> = {}): DigestRow {
  const record = {
    deleteMarker: false,
    mtime: 1_700_000_000_000,
    etag: "e",
    size: 1,
    storageClass: "STANDARD",
    headers: {},
    userMetadata: {},
    checksums: {},
    ...extra,
  };
  return { key, version_id: versionId, record: JSON.stringify(record) };
}

const rowOrder = (a: DigestRow, b: DigestRow) =>
  compareKeys(a.key, b.key) || compareKeys(a.version_id, b.version_id);

/** One side over rows held in memory, paged as a coordinator pages them, counting its calls. */
function side(rows: DigestRow[]) {
  const sorted = [...rows].sort(rowOrder);
  const calls = { digest: 0, lines: 0 };
  const inScope = (scope: DigestScope, afterVersion: string | null) =>
    sorted.filter(
      (r) =>
        r.key.startsWith(scope.prefix) &&
        (scope.after === null ||
          compareKeys(r.key, scope.after) > 0 ||
          (r.key === scope.after && afterVersion !== null && r.version_id > afterVersion)) &&
        (scope.until === null || compareKeys(r.key, scope.until) <= 0),
    );
  return {
    calls,
    side: {
      digest: async (scope: DigestScope, limit: number) => {
        calls.digest++;
        return digestRows(inScope(scope, null), scope.storageClass, limit);
      },
      lines: async (scope: DigestScope, afterVersion: string | null, limit: number) => {
        calls.lines++;
        return lineRows(inScope(scope, afterVersion), scope.storageClass, limit);
      },
    },
  };
}

function sides(here: DigestRow[], remote: DigestRow[]) {
  const h = side(here);
  const r = side(remote);
  const pair: VerifySides = { here: h.side, remote: r.side };
  return { pair, here: h.calls, remote: r.calls };
}

const keys = (n: number, prefix = "k") =>
  Array.from({ length: n }, (_, i) => `${prefix}/${String(i).padStart(6, "0")}`);

describe("replicate verify's comparison", () => {
  it("walks two equal sites of 20,000 versions by range digests alone", async () => {
    const rows = keys(20_000).map((key) => row(key));
    const { pair, remote } = sides(rows, rows);
    const report = await compareSides(pair, "", null);
    expect(report).toMatchObject({
      equal: true,
      versionsCompared: 20_000,
      keysCompared: 20_000,
      rangesDiffering: 0,
      differences: [],
    });
    expect(remote.lines).toBe(0);
    // About one range per RANGE_SPREAD keys, in pages of a few thousand versions.
    expect(report.rangesCompared).toBeGreaterThan(20_000 / RANGE_SPREAD / 2);
    expect(report.rangesCompared).toBeLessThan((20_000 / RANGE_SPREAD) * 2);
    expect(remote.digest).toBeLessThanOrEqual(6);
  });

  it("finds missing, extra and differing versions wherever the range boundaries fall", async () => {
    const all = keys(5_000);
    const here = all.map((key) => row(key));
    const gone = new Set([all[0], all[1_234], all[4_999]]);
    const remote = here.filter((r) => !gone.has(r.key));
    remote.push(row(`${all[2_000]}-extra`), row(all[3_000], "v0"));
    const changed = remote.findIndex((r) => r.key === all[777]);
    remote[changed] = row(all[777], "v1", { tags: { a: "b" }, legalHold: true });
    const { pair } = sides(here, remote);
    const report = await compareSides(pair, "", null);
    const summary = report.differences.map((d) => [d.key, d.versionId, d.problem, d.fields]);
    expect(summary).toEqual([
      [all[0], "v1", "missing-on-remote", []],
      [all[777], "v1", "different", ["tags", "legalHold"]],
      [all[1_234], "v1", "missing-on-remote", []],
      [`${all[2_000]}-extra`, "v1", "missing-here", []],
      [all[3_000], "v0", "missing-here", []],
      [all[4_999], "v1", "missing-on-remote", []],
    ]);
  });

  it("reports an empty remote as missing, up to the cap, and an empty side here likewise", async () => {
    const rows = keys(1_500).map((key) => row(key));
    const empty = await compareSides(sides(rows, []).pair, "", null);
    expect(empty.differences).toHaveLength(MAX_DIFFERENCES);
    expect(empty.truncated).toBe(true);
    const few = rows.slice(0, 10);
    const reverse = await compareSides(sides([], few).pair, "", null);
    expect(reverse.differences.map((d) => d.problem)).toEqual(Array(10).fill("missing-here"));
  });

  it("compares under a prefix only, and as the target's storage class when the rule sets one", async () => {
    const here = [row("a/1"), row("b/1", "v1", { storageClass: "STANDARD" })];
    const remote = [row("b/1", "v1", { storageClass: "STANDARD_IA" })];
    expect((await compareSides(sides(here, remote).pair, "b/", null)).differences).toMatchObject([
      { key: "b/1", fields: ["storageClass"] },
    ]);
    expect((await compareSides(sides(here, remote).pair, "b/", "STANDARD_IA")).equal).toBe(true);
  });
});

describe("differingSpans", () => {
  const r = (last: string, digest = "d") => ({ last, keys: 1, versions: 1, digest });
  it("skips equal ranges and joins misaligned ones up to a shared boundary", () => {
    expect(
      differingSpans(null, [r("a"), r("c"), r("e")], [r("a"), r("b"), r("c"), r("e", "x")]),
    ).toEqual([
      { after: "a", until: "c" },
      { after: "c", until: "e" },
    ]);
    expect(differingSpans("a", [r("b")], [])).toEqual([{ after: "a", until: null }]);
  });
});

describe("differingFields", () => {
  it("names each field, content headers by name", () => {
    const base = lineRows([row("k", "v1", { headers: { "cache-control": "x" } })], null, 1)
      .versions[0];
    const other = { ...base, mtime: 1, headers: { expires: "y" }, checksums: { crc32: "z" } };
    expect(differingFields(base, other)).toEqual([
      "mtime",
      "cache-control",
      "expires",
      "checksums",
    ]);
    expect(differingFields(base, { ...base })).toEqual([]);
  });

  it("orders keys by code point, as SQLite orders UTF-8", () => {
    expect(compareKeys("\uffff", "😀")).toBe(-1);
    expect(compareKeys("a", "ab")).toBe(-1);
    expect(compareKeys("b", "a")).toBe(1);
  });
});

describe("heldAlike (a resync group's skip check)", () => {
  const stored = (overrides: Parameters<typeof versionRecord>[0] = {}) => ({
    record: versionRecord({ key: "k", versionId: "v1", ...overrides }),
    inlineData: null,
  });
  const statesOf = (...records: ReturnType<typeof stored>[]): RemoteStates =>
    new Map(
      records.map(({ record }) => [
        `${record.key}\n${record.versionId}`,
        stateOf(record.versionId, serializeRecord(record), null),
      ]),
    );

  it("skips only a version the target holds in every replicated field", () => {
    const here = stored({ tags: { a: "1" }, userMetadata: { m: "x" } });
    expect(heldAlike(statesOf(here), here, null)).toBe(true);
    expect(heldAlike(statesOf(stored({ tags: { a: "2" } })), here, null)).toBe(false);
    expect(heldAlike(statesOf(stored({ versionId: "v2" })), here, null)).toBe(false);
    expect(heldAlike(new Map(), here, null)).toBe(false);
  });

  it("compares as the rule's destination storage class", () => {
    const there = stored({ storageClass: "STANDARD_IA" });
    expect(heldAlike(statesOf(there), stored(), "STANDARD_IA")).toBe(true);
    expect(heldAlike(statesOf(there), stored(), null)).toBe(false);
  });
});

describe("a peer's digest answers", () => {
  it("are accepted only in the digest format", () => {
    const page = { ranges: [{ last: "k", keys: 1, versions: 2, digest: "ab" }], next: null };
    expect(digestPageSchema.safeParse(page).success).toBe(true);
    expect(digestPageSchema.safeParse({ ranges: [{ last: 1 }], next: null }).success).toBe(false);
    expect(digestPageSchema.safeParse({ ranges: "x" }).success).toBe(false);
    const state = stateOf("v1", serializeRecord(versionRecord({ key: "k" })), null);
    expect(
      linePageSchema.safeParse({ versions: [{ key: "k", ...state }], next: null }).success,
    ).toBe(true);
    expect(
      linePageSchema.safeParse({ versions: [{ key: "k", ...state, legalHold: "yes" }], next: null })
        .success,
    ).toBe(false);
  });
});
