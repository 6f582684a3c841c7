import { describe, expect, it } from "vitest";
import { loadConfig } from "../../shared/config.ts";
import { defaultParity, defaultRrsParity, quorumFor } from "../../shared/layout/quorum.ts";
import {
  allSets,
  driveName,
  parseSetName,
  placeObject,
  setName,
} from "../../shared/layout/placement.ts";

describe("quorum", () => {
  it("uses MinIO's default parity by set size", () => {
    const expected = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4];
    expect(Array.from({ length: 16 }, (_, i) => defaultParity(i + 1))).toEqual(expected);
    expect([1, 2, 3, 4, 8, 16].map(defaultRrsParity)).toEqual([0, 1, 1, 2, 2, 2]);
  });

  it("needs k to read and k (+1 when k == m) to write", () => {
    expect(quorumFor(4, 4)).toEqual({
      dataShards: 4,
      parityShards: 4,
      readQuorum: 4,
      writeQuorum: 5,
    });
    expect(quorumFor(12, 4)).toMatchObject({ readQuorum: 12, writeQuorum: 12 });
    expect(quorumFor(1, 1)).toMatchObject({ readQuorum: 1, writeQuorum: 2 });
    expect(quorumFor(1, 0)).toMatchObject({ readQuorum: 1, writeQuorum: 1 });
  });
});

describe("placement", () => {
  const pools = [
    { sets: 4, drivesPerSet: 6 },
    { sets: 2, drivesPerSet: 16 },
  ];

  it("is stable for a deployment and differs across deployments", () => {
    const a = placeObject("dep-1", pools, "b", "some/key");
    expect(placeObject("dep-1", pools, "b", "some/key")).toEqual(a);
    const spread = new Set<string>();
    for (let i = 0; i < 64; i++)
      spread.add(setName(placeObject(`dep-${i}`, pools, "b", "some/key").address));
    expect(spread.size).toBeGreaterThan(3);
  });

  it("spreads keys over every set and rotates shard order per object", () => {
    const sets = new Map<string, number>();
    const rotations = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const p = placeObject("dep", pools, "bucket", `key-${i}`);
      sets.set(setName(p.address), (sets.get(setName(p.address)) ?? 0) + 1);
      rotations.add(p.distribution[0]);
      const n = pools[p.address.pool].drivesPerSet;
      expect([...p.distribution].sort((x, y) => x - y)).toEqual(
        Array.from({ length: n }, (_, d) => d),
      );
    }
    expect(sets.size).toBe(6);
    for (const count of sets.values()) expect(count).toBeGreaterThan(2000 / 6 / 2);
    expect(rotations.size).toBeGreaterThan(5);
  });

  it("names drives and sets", () => {
    expect(driveName(0, 1, 5)).toBe("pool-0/set-1/drive-5");
    expect(parseSetName("pool-2/set-7")).toEqual({ pool: 2, set: 7 });
    expect(parseSetName("pool-x/set-1")).toBeNull();
    expect(allSets(pools)).toHaveLength(6);
  });
});

describe("config", () => {
  it("defaults to one set of 8 drives with parity 4", () => {
    const config = loadConfig({});
    expect(config.pools).toEqual([{ sets: 1, drivesPerSet: 8 }]);
    expect(config.parity).toEqual([{ standard: 4, reduced: 2 }]);
    expect(config.blockSize).toBe(1024 * 1024);
    expect(config.faultInjection).toBe(false);
  });

  it("reads wrangler vars and rejects bad ones", () => {
    const config = loadConfig({
      FLOE_POOLS: '[{"sets":2,"drivesPerSet":4}]',
      FLOE_PARITY: "1",
      FLOE_FAULT_INJECTION: "on",
    });
    expect(config.parity).toEqual([{ standard: 1, reduced: 1 }]);
    expect(config.faultInjection).toBe(true);
    expect(() => loadConfig({ FLOE_POOLS: "not json" })).toThrow(/FLOE_POOLS/);
    expect(() => loadConfig({ FLOE_POOLS: '[{"sets":1,"drivesPerSet":17}]' })).toThrow();
    expect(() =>
      loadConfig({ FLOE_POOLS: '[{"sets":1,"drivesPerSet":8}]', FLOE_PARITY: "5" }),
    ).toThrow(/too high/);
    expect(() => loadConfig({ FLOE_BLOCK_SIZE: "abc" })).toThrow();
    expect(() =>
      loadConfig({ FLOE_POOLS: '[{"sets":1,"drivesPerSet":1}]', FLOE_BLOCK_SIZE: "4194304" }),
    ).toThrow(/2 MB/);
  });

  it("maps storage classes to a parity: REDUCED_REDUNDANCY reduced, the rest standard", () => {
    const defaults = loadConfig({}).storageClassParity;
    expect(defaults.REDUCED_REDUNDANCY).toBe("REDUCED_REDUNDANCY");
    for (const cls of ["STANDARD", "GLACIER", "DEEP_ARCHIVE", "EXPRESS_ONEZONE"] as const)
      expect(defaults[cls], cls).toBe("STANDARD");
    const mapped = loadConfig({
      FLOE_STORAGE_CLASS_MAP: '{"GLACIER":"REDUCED_REDUNDANCY","REDUCED_REDUNDANCY":"STANDARD"}',
    }).storageClassParity;
    expect([mapped.GLACIER, mapped.REDUCED_REDUNDANCY, mapped.ONEZONE_IA]).toEqual([
      "REDUCED_REDUNDANCY",
      "STANDARD",
      "STANDARD",
    ]);
    for (const bad of ['{"FROZEN":"STANDARD"}', '{"GLACIER":"ARCHIVE"}', "[]", "not json"])
      expect(() => loadConfig({ FLOE_STORAGE_CLASS_MAP: bad }), bad).toThrow(
        /FLOE_STORAGE_CLASS_MAP/,
      );
  });
});
