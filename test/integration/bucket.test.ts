/** The Bucket coordinator inside workerd: existence, quorum-gated commits, versions, deletion. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { versionRecord } from "../fixtures/version-record.ts";

function coordinator(name: string) {
  return env.BUCKET.get(env.BUCKET.idFromName(`bucket:${name}`));
}

function record(bucket: string, key: string, dataDir: string, size = 3): VersionRecord {
  return versionRecord({
    bucket,
    key,
    dataDir,
    mtime: Date.now(),
    size,
    etag: "abc",
    parts: [{ number: 1, size, etag: "", dataDir }],
  });
}

describe("Bucket coordinator", () => {
  it("exists only after create, and create is idempotent per owner", async () => {
    const c = coordinator("one");
    expect(await c.info()).toBeNull();
    expect(await c.create("one", "alice")).toEqual({ created: true, owner: "alice" });
    expect(await c.create("one", "bob")).toEqual({ created: false, owner: "alice" });
    expect(await c.info()).toMatchObject({ name: "one", owner: "alice", versioning: "" });
  });

  it("refuses a commit below write quorum and makes a quorate one visible", async () => {
    const c = coordinator("two");
    await c.create("two", "alice");
    const r = record("two", "k", "d1");
    const data = new Uint8Array([1, 2, 3]);
    expect(
      await c.commitVersion({ record: r, inlineData: data, acknowledgements: 4, writeQuorum: 5 }),
    ).toEqual({
      ok: false,
      error: "InsufficientWriteQuorum",
    });
    expect(await c.getVersion("k", null)).toEqual({ ok: false, error: "NoSuchKey" });
    expect(
      await c.commitVersion({ record: r, inlineData: data, acknowledgements: 5, writeQuorum: 5 }),
    ).toMatchObject({ ok: true });
    const got = await c.getVersion("k", null);
    expect(got.ok && got.version.inlineData).toEqual(data);
    expect(got.ok && got.version.record.dataDir).toBe("d1");
  });

  it("replaces the null version and deletes it", async () => {
    const c = coordinator("three");
    await c.create("three", "alice");
    await c.commitVersion({
      record: record("three", "k", "d1"),
      inlineData: null,
      acknowledgements: 8,
      writeQuorum: 5,
    });
    await c.commitVersion({
      record: record("three", "k", "d2"),
      inlineData: null,
      acknowledgements: 8,
      writeQuorum: 5,
    });
    const got = await c.getVersion("k", null);
    expect(got.ok && got.version.record.dataDir).toBe("d2");
    expect(await c.versionCount()).toBe(1);
    expect(await c.destroy()).toBe("BucketNotEmpty");
    const deleted = await c.deleteVersion("k", null);
    expect(deleted.ok && deleted.deleted?.dataDir).toBe("d2");
    expect(await c.getVersion("k", null)).toEqual({ ok: false, error: "NoSuchKey" });
    expect(await c.destroy()).toBe("deleted");
    expect(await c.info()).toBeNull();
  });

  it("answers NoSuchBucket for a bucket never created", async () => {
    const c = coordinator("never");
    expect(await c.getVersion("k", null)).toEqual({ ok: false, error: "NoSuchBucket" });
    expect(
      await c.commitVersion({
        record: record("never", "k", "d"),
        inlineData: null,
        acknowledgements: 8,
        writeQuorum: 5,
      }),
    ).toEqual({
      ok: false,
      error: "NoSuchBucket",
    });
  });
});
