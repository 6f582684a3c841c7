import { describe, expect, it } from "vitest";
import { z } from "zod";
import { StoredFormat, StoredRowError } from "../../durable-objects/stored-json.ts";
import {
  LIFECYCLE,
  OBJECT_LOCK,
  REPLICATION,
  REPLICATION_TARGETS,
  VERSIONING_EXCLUDES,
} from "../../durable-objects/bucket/stored-formats.ts";
import { parseReplicationXml } from "../../shared/replication/config.ts";

const at = { table: "bucket", key: "photos", column: "tags" };

describe("stored JSON columns", () => {
  const first = StoredFormat.of(z.object({ days: z.number() }));
  const second = StoredFormat.after(
    first,
    z.object({ format: z.literal(2), ms: z.number() }),
    (old) => ({
      format: 2 as const,
      ms: old.days * 86_400_000,
    }),
  );

  it("reads the current format", () => {
    expect(second.version).toBe(2);
    expect(second.read('{"format":2,"ms":5}', at)).toEqual({ format: 2, ms: 5 });
  });

  it("reads a row written in an older format through its migration", () => {
    expect(second.read('{"days":1}', at)).toEqual({ format: 2, ms: 86_400_000 });
  });

  it("names the table, key and column of a row that matches no format", () => {
    const read = () => second.read('{"days":"one"}', at);
    expect(read).toThrow(StoredRowError);
    expect(read).toThrow(/^bucket row "photos": column tags is not valid: /);
  });

  it("refuses text that is not JSON, never falling back to a default", () => {
    expect(() => first.read("{", at)).toThrow(
      'bucket row "photos": column tags is not valid: not JSON',
    );
    expect(first.readNullable(null, at)).toBeNull();
  });
});

describe("the bucket coordinator's stored formats", () => {
  it("read back a replication configuration as PutBucketReplication stored it", () => {
    const config = parseReplicationXml(
      `<ReplicationConfiguration><Role></Role><Rule><ID>r1</ID><Status>Enabled</Status><Priority>3</Priority>
       <Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>
       <DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
       <Destination><Bucket>arn:floe:replication::1b3c2d4e-0000-4000-8000-000000000000:dst</Bucket>
       <StorageClass>REDUCED_REDUNDANCY</StorageClass></Destination></Rule></ReplicationConfiguration>`,
    );
    expect(REPLICATION.read(JSON.stringify(config), at)).toEqual(config);
  });

  it("read back lifecycle rules, object lock, exclusions and targets as written", () => {
    const rules = [
      {
        id: "a",
        enabled: true,
        prefix: "",
        tags: {},
        newerNoncurrentVersions: 0,
        noncurrentDays: 1,
      },
    ];
    expect(LIFECYCLE.read(JSON.stringify(rules), at)).toEqual(rules);
    const lock = { enabled: true, defaultRetention: { mode: "GOVERNANCE", days: 1 } };
    expect(OBJECT_LOCK.read(JSON.stringify(lock), at)).toEqual(lock);
    const excludes = { excludedPrefixes: ["tmp/"], excludeFolders: true };
    expect(VERSIONING_EXCLUDES.read(JSON.stringify(excludes), at)).toEqual(excludes);
    const targets = [{ arn: "arn:floe:replication::x:b", sync: false }];
    expect(REPLICATION_TARGETS.read(JSON.stringify(targets), at)).toEqual(targets);
  });

  it("refuse a setting in a shape Floe never wrote", () => {
    expect(() => OBJECT_LOCK.read('{"enabled":"yes"}', at)).toThrow(StoredRowError);
  });
});
