/** Aliases: the config file (mode 0600, validated) and FLOE_HOST_<alias> variables. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AliasStore,
  configDir,
  parseHostVariable,
  type Environment,
} from "../../cli/core/config.ts";
import { CliError } from "../../cli/core/errors.ts";

const fresh = (env: Environment = {}) =>
  new AliasStore(join(mkdtempSync(join(tmpdir(), "floe-cfg-")), "nested"), env);

const site = {
  url: "http://127.0.0.1:8787/",
  accessKey: "floeadmin",
  secretKey: "floeadmin-secret",
  region: "us-east-1",
};

describe("AliasStore", () => {
  it("writes config.json with mode 0600 and reads it back", () => {
    const store = fresh();
    store.set("local", site);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(store.file, "utf8"))).toEqual({
      version: "1",
      aliases: { local: { ...site, url: "http://127.0.0.1:8787" } },
    });
    expect(store.get("local")).toEqual({
      name: "local",
      source: "config",
      ...site,
      url: "http://127.0.0.1:8787",
    });
    expect(store.remove("local")).toBe(true);
    expect(store.remove("local")).toBe(false);
    expect(store.list()).toEqual([]);
  });

  it("lets FLOE_HOST_<alias> win over the file and adds aliases of its own", () => {
    const store = fresh({
      FLOE_HOST_local: "https://key:se%2Fcret@floe.example:8443",
      FLOE_HOST_extra: "http://a:b@127.0.0.1:9000",
    });
    store.set("local", site);
    store.set("other", site);
    expect(store.get("local")).toMatchObject({
      source: "env",
      url: "https://floe.example:8443",
      accessKey: "key",
      secretKey: "se/cret",
    });
    expect(store.list().map((a) => [a.name, a.source])).toEqual([
      ["extra", "env"],
      ["local", "env"],
      ["other", "config"],
    ]);
  });

  it("refuses bad names, URLs and files", () => {
    const store = fresh();
    expect(() => store.set("1bad", site)).toThrow(CliError);
    expect(() => store.set("ok", { ...site, url: "ftp://host" })).toThrow(/http/);
    expect(() => store.get("missing")).toThrow(/No alias "missing"/);
    store.set("ok", site);
    writeFileSync(store.file, "{not json");
    expect(() => store.list()).toThrow(/not valid JSON/);
    writeFileSync(store.file, JSON.stringify({ version: "2", aliases: {} }));
    expect(() => store.list()).toThrow(CliError);
  });

  it("lives in FLOE_CONFIG_DIR when set, ~/.floe otherwise", () => {
    expect(configDir({ FLOE_CONFIG_DIR: "/tmp/x" })).toBe("/tmp/x");
    expect(configDir({})).toMatch(/\.floe$/);
  });
});

describe("parseHostVariable", () => {
  it("takes secrets with / and + as they are, or percent-encoded", () => {
    expect(parseHostVariable("a", "http://AK:zuf+tf/Sl@127.0.0.1:8787")).toMatchObject({
      accessKey: "AK",
      secretKey: "zuf+tf/Sl",
      url: "http://127.0.0.1:8787",
      region: "us-east-1",
    });
    expect(parseHostVariable("a", "http://AK:p%40ss@host:1?region=eu-west-1")).toMatchObject({
      secretKey: "p@ss",
      url: "http://host:1",
      region: "eu-west-1",
    });
  });

  it("refuses values without credentials", () => {
    expect(() => parseHostVariable("a", "http://127.0.0.1:8787")).toThrow(CliError);
    expect(() => parseHostVariable("a", "not a url")).toThrow(CliError);
  });
});
