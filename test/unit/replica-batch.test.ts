import { describe, expect, it } from "vitest";
import { batchesOf, fitsBatch, type BatchItem } from "../../workers/replication/send/send-batch.ts";
import {
  decodeReplicaBatch,
  encodeReplicaBatch,
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  MAX_ENTRY_BYTES,
  ReplicaBatchFormatError,
  type ReplicaBatchEntry,
} from "../../shared/replication/batch.ts";
import { WriteBatch, type CopyOnDrive } from "../../workers/objects/erasure/write-batch.ts";
import type { DriveStub } from "../../workers/objects/stubs.ts";
import type { VersionCopyWrite } from "../../shared/types/drive-rpc.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function entry(key: string, data = "hello"): ReplicaBatchEntry {
  return { key, headers: { "x-floe-source-version-id": "v1" }, data: bytes(data) };
}

/** A body whose one entry has the given head text (and `size` bytes of data after it). */
function rawEntry(head: string, data: Uint8Array = new Uint8Array()): Uint8Array {
  const headBytes = bytes(head);
  const body = new Uint8Array(4 + headBytes.length + data.length);
  new DataView(body.buffer).setUint32(0, headBytes.length);
  body.set(headBytes, 4);
  body.set(data, 4 + headBytes.length);
  return body;
}

describe("replica batch format", () => {
  it("round-trips entries, empty data and binary data included", () => {
    const binary = new Uint8Array([0, 255, 10, 13, 0]);
    const entries = [
      entry("a/b.txt"),
      { key: "empty", headers: {}, data: new Uint8Array() },
      { key: "bin ü", headers: { "content-type": "x/y" }, data: binary },
    ];
    const decoded = decodeReplicaBatch(encodeReplicaBatch(entries));
    expect(decoded.map((e) => e.key)).toEqual(["a/b.txt", "empty", "bin ü"]);
    expect(decoded.map((e) => [...e.data])).toEqual([[...bytes("hello")], [], [...binary]]);
    expect(decoded[2]?.headers).toEqual({ "content-type": "x/y" });
  });

  const refused: [string, Uint8Array][] = [
    ["an empty body", new Uint8Array()],
    ["a truncated length", new Uint8Array([0, 0])],
    ["a head longer than the body", rawEntry('{"key":"k"').subarray(0, 6)],
    ["a head that is not JSON", rawEntry("{nope")],
    ["a head with an unknown field", rawEntry('{"key":"k","size":0,"headers":{},"x":1}')],
    ["a head without a key", rawEntry('{"size":0,"headers":{}}')],
    ["an empty key", rawEntry('{"key":"","size":0,"headers":{}}')],
    ["a key with a lone surrogate", rawEntry('{"key":"a\\ud800b","size":0,"headers":{}}')],
    ["a negative size", rawEntry('{"key":"k","size":-1,"headers":{}}')],
    [
      "a size over the entry limit",
      rawEntry(`{"key":"k","size":${MAX_ENTRY_BYTES + 1},"headers":{}}`),
    ],
    ["data shorter than its size", rawEntry('{"key":"k","size":10,"headers":{}}', bytes("abc"))],
    ["a head that is not UTF-8", rawEntry("\u0000").map((b, i) => (i === 4 ? 0xff : b))],
    ["header values that are not strings", rawEntry('{"key":"k","size":0,"headers":{"a":1}}')],
  ];
  for (const [what, body] of refused)
    it(`refuses ${what}`, () => {
      expect(() => decodeReplicaBatch(body)).toThrow(ReplicaBatchFormatError);
    });

  it("refuses more entries than the limit", () => {
    const entries = Array.from({ length: MAX_BATCH_ENTRIES + 1 }, (_, i) => entry(`k${i}`, ""));
    expect(() => decodeReplicaBatch(encodeReplicaBatch(entries))).toThrow(/too many entries/);
    expect(decodeReplicaBatch(encodeReplicaBatch(entries.slice(1)))).toHaveLength(
      MAX_BATCH_ENTRIES,
    );
  });

  it("refuses a head past its limit before parsing it", () => {
    const body = new Uint8Array(8);
    new DataView(body.buffer).setUint32(0, 1 << 30);
    expect(() => decodeReplicaBatch(body)).toThrow(/head too long/);
  });
});

/** A drive stand-in that records each call and fails when told to. */
function fakeDrive(calls: VersionCopyWrite[][], fail = false): DriveStub {
  const drive = {
    putVersionCopies: (copies: VersionCopyWrite[]) => {
      calls.push(copies);
      return fail ? Promise.reject(new Error("offline")) : Promise.resolve();
    },
  };
  return drive as unknown as DriveStub;
}

function copy(key: string): VersionCopyWrite {
  return {
    bucket: "b",
    key,
    versionId: "v",
    dataDir: "d",
    record: "{}",
    inline: null,
    partDirs: [],
  };
}

describe("WriteBatch", () => {
  it("sends the copies of every parked entry in one call per drive, once all are parked", async () => {
    const one: VersionCopyWrite[][] = [];
    const two: VersionCopyWrite[][] = [];
    const drives = [fakeDrive(one), fakeDrive(two)];
    const batch = new WriteBatch(3);
    const onDrives = (key: string): CopyOnDrive[] =>
      drives.map((stub, i) => ({ drive: `set#${i}`, stub, copy: copy(key) }));
    const first = batch.storeCopies(onDrives("a"));
    const second = batch.storeCopies(onDrives("b"));
    await Promise.resolve();
    // The third entry has neither parked nor left: nothing went out yet.
    expect(one).toHaveLength(0);
    batch.leave();
    expect(await first).toEqual([true, true]);
    expect(await second).toEqual([true, true]);
    expect(one.map((call) => call.map((c) => c.key))).toEqual([["a", "b"]]);
    expect(two.map((call) => call.map((c) => c.key))).toEqual([["a", "b"]]);
  });

  it("fails only the copies on a drive that failed", async () => {
    const good: VersionCopyWrite[][] = [];
    const bad: VersionCopyWrite[][] = [];
    const batch = new WriteBatch(1);
    const stored = await batch.storeCopies([
      { drive: "set#0", stub: fakeDrive(good), copy: copy("a") },
      { drive: "set#1", stub: fakeDrive(bad, true), copy: copy("a") },
    ]);
    expect(stored).toEqual([true, false]);
  });
});

describe("WriteBatch commits", () => {
  it("commits the parked entries of a bucket in one call, each getting its own result", async () => {
    const calls: unknown[][] = [];
    const env = {
      BUCKET: {
        idFromName: (name: string) => name,
        get: () => ({
          commitVersions: (requests: unknown[]) => {
            calls.push(requests);
            return Promise.resolve([{ ok: true }, { ok: false, error: "AccessDenied" }]);
          },
        }),
      },
    } as unknown as Env;
    const request = (key: string) =>
      ({ record: { key }, inlineData: null, acknowledgements: 8, writeQuorum: 5 }) as never;
    const batch = new WriteBatch(2);
    const results = await Promise.all([
      batch.commit(env, "b", request("a")),
      batch.commit(env, "b", request("b")),
    ]);
    expect(calls).toHaveLength(1);
    expect(results).toEqual([{ ok: true }, { ok: false, error: "AccessDenied" }]);
  });
});

describe("batchesOf", () => {
  const item = (size: number, parts = 1, deleteMarker = false) =>
    ({
      stored: { record: { size, parts: Array.from({ length: parts }), deleteMarker } },
      storageClass: null,
    }) as unknown as BatchItem;

  it("takes only whole single-part versions within the entry limit", () => {
    expect(fitsBatch(item(0))).toBe(true);
    expect(fitsBatch(item(MAX_ENTRY_BYTES))).toBe(true);
    expect(fitsBatch(item(MAX_ENTRY_BYTES + 1))).toBe(false);
    expect(fitsBatch(item(10, 2))).toBe(false);
    expect(fitsBatch(item(0, 1, true))).toBe(false);
  });

  it("splits at the entry count and the byte limit, keeping order", () => {
    const small = Array.from({ length: MAX_BATCH_ENTRIES * 2 + 1 }, () => item(1));
    expect(batchesOf(small).map((b) => b.length)).toEqual([
      MAX_BATCH_ENTRIES,
      MAX_BATCH_ENTRIES,
      1,
    ]);
    const large = Array.from({ length: 40 }, () => item(MAX_ENTRY_BYTES));
    const batches = batchesOf(large);
    for (const batch of batches)
      expect(batch.reduce((sum, i) => sum + i.stored.record.size, 0)).toBeLessThanOrEqual(
        MAX_BATCH_BYTES,
      );
    expect(batches.flat()).toEqual(large);
  });
});
