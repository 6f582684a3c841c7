/** mirror's "does the target differ" rule and find's filters. */
import { describe, expect, it } from "vitest";
import { buildFilter } from "../../cli/commands/find.ts";
import { differs } from "../../cli/mirror/compare.ts";
import type { ObjectEntry } from "../../cli/storage/entries.ts";

const at = (iso: string) => new Date(iso);
const entry = (extra: Partial<ObjectEntry>): ObjectEntry => ({
  key: "k",
  size: 10,
  lastModified: at("2024-05-01T10:00:00.000Z"),
  ...extra,
});
const md5 = (c: string) => c.repeat(32);

describe("differs", () => {
  it("differs when sizes differ, whatever else matches", () => {
    expect(differs(entry({ etag: md5("a") }), entry({ size: 11, etag: md5("a") }))).toBe(true);
  });

  it("compares plain MD5 ETags by content, ignoring times", () => {
    const older = entry({ etag: md5("a"), lastModified: at("2020-01-01T00:00:00Z") });
    expect(differs(entry({ etag: md5("a") }), older)).toBe(false);
    expect(differs(entry({ etag: md5("a") }), entry({ etag: md5("b") }))).toBe(true);
    expect(differs(entry({ etag: md5("A") }), entry({ etag: md5("a") }))).toBe(false);
  });

  it("falls back to times for multipart ETags and local files, in whole seconds", () => {
    const source = entry({ etag: "abc-3", lastModified: at("2024-05-01T10:00:00.900Z") });
    expect(
      differs(source, entry({ etag: "def-2", lastModified: at("2024-05-01T10:00:00Z") })),
    ).toBe(false);
    expect(differs(source, entry({ lastModified: at("2024-05-01T10:00:05Z") }))).toBe(false);
    expect(differs(source, entry({ lastModified: at("2024-05-01T09:59:59Z") }))).toBe(true);
    expect(differs(entry({}), entry({ etag: md5("a") }))).toBe(false);
  });
});

describe("find filters", () => {
  const now = at("2024-05-10T00:00:00Z").getTime();
  const file = (size: number, daysOld: number) =>
    entry({ size, lastModified: new Date(now - daysOld * 86_400_000) });

  it("matches base names and paths by glob", () => {
    const jpg = buildFilter({ name: "*.jpg" }, now);
    expect(jpg(file(1, 0), "2024/a.jpg")).toBe(true);
    expect(jpg(file(1, 0), "2024/a.png")).toBe(false);
    expect(buildFilter({ name: ".*" }, now)(file(1, 0), "dir/.hidden")).toBe(true);
    const path = buildFilter({ path: "2024/**" }, now);
    expect(path(file(1, 0), "2024/05/a.jpg")).toBe(true);
    expect(path(file(1, 0), "2023/a.jpg")).toBe(false);
  });

  it("bounds sizes and ages strictly", () => {
    const sized = buildFilter({ larger: "1KB", smaller: "1MiB" }, now);
    expect(sized(file(1000, 0), "a")).toBe(false);
    expect(sized(file(1001, 0), "a")).toBe(true);
    expect(sized(file(1024 * 1024, 0), "a")).toBe(false);
    const aged = buildFilter({ olderThan: "7d", newerThan: "30d" }, now);
    expect(aged(file(1, 3), "a")).toBe(false);
    expect(aged(file(1, 10), "a")).toBe(true);
    expect(aged(file(1, 40), "a")).toBe(false);
  });
});
