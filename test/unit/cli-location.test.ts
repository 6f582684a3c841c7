/** Path arguments: ALIAS/BUCKET/KEY when the first segment is an alias, else a local path. */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { folderPrefix, parseLocation, remotePath } from "../../cli/core/location.ts";

const isAlias = (name: string) => name === "local" || name === "s3";

describe("parseLocation", () => {
  it.each([
    ["local", { kind: "remote", alias: "local", bucket: "", key: "" }],
    ["local/", { kind: "remote", alias: "local", bucket: "", key: "" }],
    ["local/photos", { kind: "remote", alias: "local", bucket: "photos", key: "" }],
    ["local/photos/", { kind: "remote", alias: "local", bucket: "photos", key: "" }],
    [
      "s3/photos/2024/a b.jpg",
      { kind: "remote", alias: "s3", bucket: "photos", key: "2024/a b.jpg" },
    ],
    ["local/photos/2024/", { kind: "remote", alias: "local", bucket: "photos", key: "2024/" }],
  ])("%s is remote", (raw, expected) => {
    expect(parseLocation(raw, isAlias)).toEqual({ raw, ...expected });
  });

  it.each(["photos/a.jpg", "./local/a", "/local/a", "notalias"])("%s is local", (raw) => {
    expect(parseLocation(raw, isAlias)).toEqual({ kind: "local", raw, path: resolve(raw) });
  });

  it("expands ~ to the home directory", () => {
    const location = parseLocation("~/x", isAlias);
    expect(location.kind).toBe("local");
    expect(location.kind === "local" && location.path.endsWith("/x")).toBe(true);
  });
});

describe("path helpers", () => {
  it("shows remote paths and folder prefixes", () => {
    expect(remotePath("local", "photos")).toBe("local/photos");
    expect(remotePath("local", "photos", "a/b")).toBe("local/photos/a/b");
    expect(folderPrefix("")).toBe("");
    expect(folderPrefix("a")).toBe("a/");
    expect(folderPrefix("a/")).toBe("a/");
  });
});
