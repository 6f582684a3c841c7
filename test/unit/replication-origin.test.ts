import { describe, expect, it } from "vitest";
import type { ReplicationConfig, ReplicationRule } from "../../shared/replication/config.ts";
import { widenedTargets } from "../../shared/replication/widening.ts";
import { originOf, type VersionRecord } from "../../shared/types/version-record.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { replicaMarker, replicaObject } from "../../workers/replication/receive/replica-headers.ts";

const A = "arn:floe:replication::a:photos";
const B = "arn:floe:replication::b:photos";
const HERE = "5c1f0d2e-0000-4000-8000-000000000001";
const THERE = "5c1f0d2e-0000-4000-8000-000000000002";

function rule(partial: Partial<ReplicationRule> & { id: string }): ReplicationRule {
  return {
    status: "Enabled",
    priority: 1,
    prefix: "",
    tags: {},
    deleteMarkerReplication: true,
    deleteReplication: true,
    existingObjectReplication: true,
    replicaModifications: true,
    destination: A,
    storageClass: null,
    ...partial,
  };
}

const config = (...rules: ReplicationRule[]): ReplicationConfig => ({ role: "", rules });

describe("widenedTargets", () => {
  it("a first configuration with existing-object replication widens its targets", () => {
    expect(widenedTargets(null, config(rule({ id: "r" })))).toEqual([A]);
    expect(
      widenedTargets(null, config(rule({ id: "r", existingObjectReplication: false }))),
    ).toEqual([]);
  });

  it("the same configuration again, or a changed ID, flag or storage class, widens nothing", () => {
    const before = config(rule({ id: "r", priority: 3 }), rule({ id: "s", destination: B }));
    expect(widenedTargets(before, before)).toEqual([]);
    const edited = config(
      rule({
        id: "other",
        priority: 7,
        deleteMarkerReplication: false,
        storageClass: "STANDARD_IA",
      }),
      rule({ id: "s", destination: B, priority: 2, deleteReplication: false }),
    );
    expect(widenedTargets(before, edited)).toEqual([]);
  });

  it("a priority change that decides every key as before widens nothing", () => {
    const before = config(
      rule({ id: "r", priority: 1, prefix: "a/" }),
      rule({ id: "s", priority: 2, prefix: "b/" }),
    );
    const after = config(
      rule({ id: "r", priority: 2, prefix: "a/" }),
      rule({ id: "s", priority: 1, prefix: "b/" }),
    );
    expect(widenedTargets(before, after)).toEqual([]);
  });

  it("a priority change handing keys to a rule with existing-object replication widens", () => {
    const before = config(
      rule({ id: "all", priority: 2, existingObjectReplication: false }),
      rule({ id: "docs", priority: 1, prefix: "docs/" }),
    );
    const after = config(
      rule({ id: "all", priority: 1, existingObjectReplication: false }),
      rule({ id: "docs", priority: 2, prefix: "docs/" }),
    );
    expect(widenedTargets(before, after)).toEqual([A]);
    expect(widenedTargets(after, before)).toEqual([]);
  });

  it("a shorter prefix, a removed tag filter, a new target or a rule enabled again widens", () => {
    const docs = config(rule({ id: "r", prefix: "docs/2026/" }));
    expect(widenedTargets(docs, config(rule({ id: "r", prefix: "docs/" })))).toEqual([A]);
    expect(widenedTargets(config(rule({ id: "r", prefix: "docs/" })), docs)).toEqual([]);
    const tagged = config(rule({ id: "r", tags: { team: "x" } }));
    expect(widenedTargets(tagged, config(rule({ id: "r" })))).toEqual([A]);
    expect(widenedTargets(config(rule({ id: "r" })), tagged)).toEqual([]);
    expect(
      widenedTargets(
        docs,
        config(rule({ id: "r", prefix: "docs/2026/" }), rule({ id: "b", destination: B })),
      ),
    ).toEqual([B]);
    const disabled = config(rule({ id: "r", status: "Disabled" }));
    expect(widenedTargets(disabled, config(rule({ id: "r" })))).toEqual([A]);
    expect(widenedTargets(config(rule({ id: "r" })), disabled)).toEqual([]);
  });

  it("tag filters combine: a key with both tags is decided by the higher rule", () => {
    const before = config(
      rule({ id: "x", priority: 2, tags: { x: "1" }, existingObjectReplication: false }),
      rule({ id: "y", priority: 1, tags: { y: "1" } }),
    );
    // Swapping priorities makes objects tagged x=1 and y=1 eligible.
    const after = config(
      rule({ id: "x", priority: 1, tags: { x: "1" }, existingObjectReplication: false }),
      rule({ id: "y", priority: 2, tags: { y: "1" } }),
    );
    expect(widenedTargets(before, after)).toEqual([A]);
  });

  it("removing the configuration or a rule widens nothing", () => {
    const two = config(rule({ id: "r" }), rule({ id: "s", destination: B }));
    expect(widenedTargets(two, null)).toEqual([]);
    expect(widenedTargets(two, config(rule({ id: "r" })))).toEqual([]);
  });
});

describe("origin", () => {
  const record = (replica?: VersionRecord["replica"]) => ({ replica }) as VersionRecord;

  it("a version written here has this site as origin, a replica the one it carried", () => {
    expect(originOf(record(), HERE)).toBe(HERE);
    expect(originOf(record({ timestamp: 1, origin: THERE }), HERE)).toBe(THERE);
    expect(originOf(record({ timestamp: 1 }), HERE)).toBeNull();
  });

  it("x-floe-source-origin is optional and validated on versions and delete markers", () => {
    const base = {
      "x-floe-source-version-id": "0b6f6a2e-7d43-4a8e-9a57-2f1f3f9f1c11",
      "x-floe-source-mtime": "1700000000000",
    };
    expect(replicaObject(new Headers(base)).origin).toBeNull();
    expect(replicaObject(new Headers({ ...base, "x-floe-source-origin": THERE })).origin).toBe(
      THERE,
    );
    expect(
      replicaMarker(
        new Headers({ ...base, "x-floe-source-origin": THERE, "x-floe-source-covers": "" }),
      ).origin,
    ).toBe(THERE);
    for (const bad of ["", "not/an-id", "x".repeat(65), "a".repeat(65)]) {
      const error = (() => {
        try {
          replicaObject(new Headers({ ...base, "x-floe-source-origin": bad }));
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe("InvalidArgument");
    }
  });
});
