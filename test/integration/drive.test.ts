/** The Drive Durable Object inside workerd: shard-blocks, bitrot checks, record copies, faults. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bitrotReady, bitrotSum } from "../../shared/bitrot.ts";

function drive(name: string) {
  return env.DRIVE.get(env.DRIVE.idFromName(name));
}

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

describe("Drive", () => {
  it("stores shard-blocks and reads them back verified, reporting missing ones", async () => {
    await bitrotReady();
    const d = drive("t/drive-a");
    const blocks = [0, 1, 2].map((block) => {
      const data = bytes(1000 + block, block + 1);
      return { block, data, checksum: bitrotSum(data) };
    });
    await d.writeShardBlocks({ dataDir: "dir-1", bucket: "b", key: "k", part: 1, blocks });
    const reads = await d.readShardBlocks("dir-1", 1, 1, 4);
    expect(reads.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(reads[0].ok && reads[0].data).toEqual(blocks[1].data);
    expect(reads[2]).toEqual({ block: 3, ok: false, reason: "missing" });
  });

  it("flags a corrupted block on read", async () => {
    await bitrotReady();
    const d = drive("t/drive-b");
    const data = bytes(4096, 7);
    await d.writeShardBlocks({
      dataDir: "dir-2",
      bucket: "b",
      key: "obj",
      part: 1,
      blocks: [{ block: 0, data, checksum: bitrotSum(data) }],
    });
    await d.putVersionCopy("b", "obj", "null", "dir-2", "{}", null);
    expect(await d.injectFault("corrupt", "b", "obj")).toBe(1);
    const [read] = await d.readShardBlocks("dir-2", 1, 0, 1);
    expect(read).toEqual({ block: 0, ok: false, reason: "corrupt" });
  });

  it("keeps record copies per write and deletes only the named write", async () => {
    await bitrotReady();
    const d = drive("t/drive-c");
    const shard = bytes(10, 3);
    await d.putVersionCopy("b", "k", "null", "old", '{"v":1}', {
      data: shard,
      checksum: bitrotSum(shard),
    });
    await d.putVersionCopy("b", "k", "null", "new", '{"v":2}', null);
    await d.deleteVersion("b", "k", "null", "old");
    expect(await d.readVersionCopy("b", "k", "null", "old")).toEqual({
      ok: false,
      reason: "missing",
    });
    const current = await d.readVersionCopy("b", "k", "null", "new");
    expect(current.ok && current.record).toBe('{"v":2}');
    expect((await d.usage()).versions).toBe(1);
  });

  it("refuses every call while offline and comes back online", async () => {
    const d = drive("t/drive-d");
    await d.injectFault("offline");
    let refusal: unknown = null;
    try {
      await d.readShardBlocks("x", 1, 0, 1);
    } catch (error) {
      refusal = error;
    }
    expect(String(refusal)).toMatch(/FLOE_DRIVE_OFFLINE/);
    expect((await d.usage()).online).toBe(false);
    await d.injectFault("online");
    expect((await d.readShardBlocks("x", 1, 0, 1))[0]).toMatchObject({
      ok: false,
      reason: "missing",
    });
  });

  it("forgets everything when wiped", async () => {
    await bitrotReady();
    const d = drive("t/drive-e");
    const data = bytes(100, 1);
    await d.writeShardBlocks({
      dataDir: "w",
      bucket: "b",
      key: "k",
      part: 1,
      blocks: [{ block: 0, data, checksum: bitrotSum(data) }],
    });
    await d.putVersionCopy("b", "k", "null", "w", "{}", null);
    expect((await d.usage()).shardBlocks).toBe(1);
    await d.injectFault("wipe");
    expect(await d.usage()).toMatchObject({ shardBlocks: 0, versions: 0, usedBytes: 0 });
  });
});
