/**
 * Inside workerd: what the drives keep for a namespace rebuild (record copies
 * listed a version at a time, configuration copies newest-wins) and the
 * coordinator's restore (refused on a live bucket, hidden until finished,
 * idempotent, versions in (mtime, version id) order).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bitrotReady, sealShard } from "../../shared/bitrot.ts";
import type { BucketConfigCopy } from "../../shared/types/bucket-config.ts";
import { serializeRecord, type VersionRecord } from "../../shared/types/version-record.ts";
import { versionRecord } from "../fixtures/version-record.ts";
import { loadConfig } from "../../shared/config.ts";
import { runRebuild } from "../../workers/admin/rebuild.ts";

function drive(name: string) {
  return env.DRIVE.get(env.DRIVE.idFromName(name));
}

function coordinator(name: string) {
  return env.BUCKET.get(env.BUCKET.idFromName(`bucket:${name}`));
}

function record(bucket: string, key: string, versionId: string, mtime: number): VersionRecord {
  return versionRecord({ bucket, key, versionId, dataDir: `dir-${key}-${versionId}`, mtime });
}

function configCopy(name: string, versioning: BucketConfigCopy["versioning"]): BucketConfigCopy {
  return {
    format: 1,
    name,
    createdAt: 1,
    owner: "root",
    versioning,
    versioningExcludes: null,
    objectLock: null,
    lifecycle: null,
    policy: null,
    tags: null,
    replication: null,
    replicationTargets: null,
  };
}

describe("Drive copies for a rebuild", () => {
  it("lists record copies in pages that never split a version, with inline shards checked", async () => {
    await bitrotReady();
    const d = drive("t/copies-a");
    const shard = new Uint8Array([1, 2, 3]);
    for (const key of ["a", "b", "c"]) {
      for (const dir of ["d1", "d2"]) {
        const rec = { ...record("nb", key, "null", 1), dataDir: dir };
        await d.putVersionCopy("nb", key, "null", dir, serializeRecord(rec), sealShard(shard));
      }
    }
    await d.putVersionCopy("other", "a", "null", "d1", "{}", null);
    expect(await d.injectFault("corrupt", "nb", "c")).toBeGreaterThan(0);

    const first = await d.listVersionCopies("nb", null, 3);
    // The third row starts version "b": its second copy comes along.
    expect(first.entries.map((e) => `${e.key}/${e.dataDir}`)).toEqual([
      "a/d1",
      "a/d2",
      "b/d1",
      "b/d2",
    ]);
    expect(first.done).toBe(false);
    const rest = await d.listVersionCopies("nb", ["b", "null"], 3);
    expect(rest.entries.map((e) => `${e.key}/${e.dataDir}`)).toEqual(["c/d1", "c/d2"]);
    expect(rest.done).toBe(true);
    expect(rest.entries.every((e) => e.inlineCorrupt && e.inlineShard === null)).toBe(true);
    expect([...first.entries[0].inlineShard!]).toEqual([1, 2, 3]);
    // A byte cap ends a page early, still at the end of a version.
    const small = await d.listVersionCopies("nb", null, 100, 1);
    expect(small.entries.map((e) => `${e.key}/${e.dataDir}`)).toEqual(["a/d1", "a/d2"]);
    expect(small.done).toBe(false);
  });

  it("keeps the newest configuration copy and forgets it with the bucket", async () => {
    const d = drive("t/copies-b");
    await d.putBucketCopy("cb", 3, '{"v":3}');
    await d.putBucketCopy("cb", 2, '{"v":2}');
    expect(await d.readBucketCopy("cb")).toEqual({ version: 3, config: '{"v":3}' });
    await d.putBucketCopy("cb", 4, '{"v":4}');
    expect(await d.listBucketCopies()).toEqual(["cb"]);
    await d.deleteBucket("cb");
    expect(await d.readBucketCopy("cb")).toBeNull();
  });
});

describe("Coordinator restore", () => {
  it("refuses a live bucket and pushes its configuration to the drives", async () => {
    const c = coordinator("live");
    await c.create("live", "root");
    expect(await c.beginRestore(configCopy("live", ""), 1)).toEqual({
      ok: false,
      error: "BucketExists",
    });
    expect(await c.restoreState()).toBe("present");
    const copy = await drive("pool-0/set-0/drive-0").readBucketCopy("live");
    expect(JSON.parse(copy!.config)).toMatchObject({ name: "live", owner: "root", versioning: "" });
    expect(await c.setVersioning("Enabled", { excludedPrefixes: [], excludeFolders: false })).toBe(
      "ok",
    );
    const after = await drive("pool-0/set-0/drive-7").readBucketCopy("live");
    expect(after!.version).toBeGreaterThan(copy!.version);
    expect(JSON.parse(after!.config)).toMatchObject({ versioning: "Enabled" });
  });

  it("hides the bucket until finished, orders versions by (mtime, id), and ignores replays", async () => {
    const c = coordinator("restored");
    await c.wipe();
    expect(await c.restoreState()).toBe("absent");
    expect(await c.beginRestore(configCopy("restored", "Enabled"), 5)).toMatchObject({ ok: true });
    const v = (id: string, mtime: number) => ({
      record: record("restored", "k", id, mtime),
      inlineData: new Uint8Array([9, 9]),
    });
    expect(await c.restoreVersions([v("b", 200), v("c", 100)], [], '{"set":0}')).toBe(2);
    expect(await c.info()).toBeNull();
    expect(await c.restoreState()).toBe("rebuilding");
    expect(await c.beginRestore(configCopy("restored", "Enabled"), 5)).toEqual({
      ok: true,
      resumed: true,
      cursor: '{"set":0}',
    });
    expect(await c.restoreVersions([v("a", 200), v("b", 200)], [], null)).toBe(1);
    await c.finishRestore(null);
    expect(await c.info()).toMatchObject({ name: "restored", versioning: "Enabled" });
    const order = (await c.versionsOfKey("k")).map((s) => s.record.versionId);
    expect(order).toEqual(["c", "a", "b"]);
    const latest = await c.getVersion("k", null);
    expect(latest.ok && latest.version.record.versionId).toBe("b");
    // A late call of a finished restore brings nothing back (the bucket is live).
    await c.deleteVersion("k", "c");
    expect(await c.restoreVersions([v("c", 100)], [], null)).toBeNull();
    expect((await c.versionsOfKey("k")).map((s) => s.record.versionId)).toEqual(["a", "b"]);
  });
});

describe("Create after a deletion raced a rebuild", () => {
  it("replaces an empty leftover bucket when the registry gave the name out, never one with versions", async () => {
    const leftover = coordinator("leftover");
    await leftover.create("leftover", "old-owner", false);
    await leftover.setVersioning("Enabled", { excludedPrefixes: [], excludeFolders: false });
    expect(await leftover.create("leftover", "new-owner", false, true)).toEqual({
      created: true,
      owner: "new-owner",
    });
    expect(await leftover.info()).toMatchObject({ owner: "new-owner", versioning: "" });

    const live = coordinator("live-data");
    await live.create("live-data", "root");
    await live.commitVersion({
      record: record("live-data", "k", "null", 1),
      inlineData: new Uint8Array([1, 2]),
      acknowledgements: 8,
      writeQuorum: 5,
    });
    expect(await live.create("live-data", "someone", false, true)).toEqual({
      created: false,
      owner: "root",
    });
  });
});

describe("Registry repair", () => {
  it("registers a live bucket the site's registry lost, and only lists one whose coordinator is empty", async () => {
    const deployment = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName("deployment"));
    for (const name of ["kept-live", "gone-empty"]) {
      await deployment.registerBucket(name, "root");
      await coordinator(name).create(name, "root");
      await deployment.unregisterBucket(name);
    }
    await coordinator("gone-empty").wipe();
    const summary = await runRebuild(env, loadConfig(env), {});
    expect(summary.reregistered).toContain("kept-live");
    expect(summary.unregistered).toContain("gone-empty");
    const names = (await deployment.listBuckets()).map((b) => b.name);
    expect(names).toContain("kept-live");
    expect(names).not.toContain("gone-empty");
  });
});
