/** The CLI's parsing of ages, sizes, --attr and --tags, and its human formatting. */
import { describe, expect, it } from "vitest";
import { parseAttributes, parseTags, tagsRecord } from "../../cli/core/attributes.ts";
import { CliError } from "../../cli/core/errors.ts";
import { humanBytes, humanDuration, humanTime, table } from "../../cli/core/format.ts";
import { parseDuration, parseSize } from "../../cli/core/units.ts";

describe("parseDuration", () => {
  it.each([
    ["45s", 45_000],
    ["2h", 7_200_000],
    ["2h30m", 9_000_000],
    ["7d", 604_800_000],
    ["1w1d", 691_200_000],
    ["1.5h", 5_400_000],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "7", "d", "7x", "7d junk", "-1d"])("refuses %j as a usage error", (text) => {
    expect(() => parseDuration(text)).toThrow(CliError);
    try {
      parseDuration(text);
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});

describe("parseSize", () => {
  it.each([
    ["512", 512],
    ["10KB", 10_000],
    ["10k", 10_000],
    ["10KiB", 10_240],
    ["1.5MiB", 1_572_864],
    ["2GB", 2_000_000_000],
    ["1Gi", 1_073_741_824],
    ["3 MB", 3_000_000],
  ])("%s is %d bytes", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(["", "MB", "10XB", "-5"])("refuses %j", (text) => {
    expect(() => parseSize(text)).toThrow(CliError);
  });
});

describe("--attr and --tags", () => {
  it("maps standard headers to headers and everything else to user metadata", () => {
    expect(
      parseAttributes(
        "Content-Type=text/plain;cache-control=max-age=60;X-Amz-Meta-Owner=ana;color=blue;Expires=2030-01-01T00:00:00Z",
      ),
    ).toEqual({
      headers: {
        ContentType: "text/plain",
        CacheControl: "max-age=60",
        Expires: new Date("2030-01-01T00:00:00Z"),
      },
      metadata: { owner: "ana", color: "blue" },
    });
    expect(parseAttributes("")).toEqual({ headers: {}, metadata: {} });
    expect(() => parseAttributes("novalue")).toThrow(CliError);
  });

  it("parses tags in query form", () => {
    const tags = parseTags("team=web&tier=gold%20plus&empty=");
    expect(tags).toEqual([
      { Key: "team", Value: "web" },
      { Key: "tier", Value: "gold plus" },
      { Key: "empty", Value: "" },
    ]);
    expect(tagsRecord(tags)).toEqual({ team: "web", tier: "gold plus", empty: "" });
    expect(() => parseTags("=v")).toThrow(CliError);
  });
});

describe("human formatting", () => {
  it("prints sizes in binary units as mc does", () => {
    expect(humanBytes(0)).toBe("0B");
    expect(humanBytes(1023)).toBe("1023B");
    expect(humanBytes(1536)).toBe("1.5KiB");
    expect(humanBytes(20_000_000)).toBe("19MiB");
    expect(humanBytes(5 * 1024 ** 4)).toBe("5.0TiB");
  });

  it("prints times and durations", () => {
    expect(humanTime(new Date("2024-05-01T10:00:00.123Z"))).toBe("2024-05-01 10:00:00 UTC");
    expect(humanDuration(6)).toBe("6s");
    expect(humanDuration(245)).toBe("4m05s");
    expect(humanDuration(3723)).toBe("1h02m03s");
  });

  it("aligns table columns without trailing spaces", () => {
    expect(
      table([
        ["A", "BB", "C"],
        ["aaa", "b", "c"],
      ]),
    ).toBe("A    BB  C\naaa  b   c");
  });
});
