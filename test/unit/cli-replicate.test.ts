/**
 * The CLI's replication pieces without a server: remote URLs and options,
 * `--replicate` lists, rule priorities and IDs, the replication XML it
 * writes and reads, and the export document's round trip.
 */
import { describe, expect, it } from "vitest";
import { CliError } from "../../cli/core/errors.ts";
import {
  parseReplicationXml,
  replicationXml,
  type ReplicationConfig,
  type ReplicationRule,
} from "../../cli/replication/config.ts";
import { configDocument, parseConfigDocument } from "../../cli/replication/document.ts";
import {
  generateRuleId,
  nextPriority,
  parseReplicate,
  parseState,
  parseTagFilter,
  replicateList,
  ruleIndex,
  ruleRecord,
  tagsText,
} from "../../cli/replication/rules.ts";
import {
  parseBandwidth,
  parseCredentials,
  parseTargetUrl,
  redact,
} from "../../cli/replication/targets.ts";
import { averageLatency, targetStatusText } from "../../cli/commands/replicate/status.ts";

const ARN = "arn:floe:replication::0f3c5a8e-2b1d-4c7e-9a6f-1d2e3f4a5b6c:photos";

function rule(overrides: Partial<ReplicationRule> = {}): ReplicationRule {
  return {
    id: "docs",
    status: "Enabled",
    priority: 1,
    prefix: "docs/",
    tags: [],
    deleteMarkerReplication: true,
    deleteReplication: true,
    existingObjectReplication: true,
    replicaModifications: true,
    destination: ARN,
    storageClass: null,
    ...overrides,
  };
}

function usage(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error("expected a CliError");
}

describe("remote target arguments", () => {
  it("parses KEY:SECRET@host:port/BUCKET, the secret running to the last @", () => {
    expect(parseTargetUrl("http://replicator:s3cr/t+x@y@127.0.0.1:8788/photos")).toEqual({
      endpoint: "http://127.0.0.1:8788",
      targetBucket: "photos",
      accessKey: "replicator",
      secretKey: "s3cr/t+x@y",
    });
    expect(parseTargetUrl("https://k:s%2Fx@s3.example.com/b/").secretKey).toBe("s/x");
  });

  it.each(["http://127.0.0.1:8788/photos", "http://k:s@host", "ftp://k:s@h/b", "arn:x"])(
    "refuses %j as a usage error, without showing the secret",
    (url) => {
      const error = usage(() => parseTargetUrl(url));
      expect(error.exitCode).toBe(2);
      expect(error.message).not.toMatch(/:s@/);
    },
  );

  it("hides secrets in URLs it prints", () => {
    expect(redact("http://key:very-secret@host:1/b")).toBe("http://key:****@host:1/b");
  });

  it("parses --credentials and --bandwidth", () => {
    expect(parseCredentials("key:sec:ret")).toEqual({ accessKey: "key", secretKey: "sec:ret" });
    expect(usage(() => parseCredentials("key")).exitCode).toBe(2);
    expect(parseBandwidth("100M")).toBe(100_000_000);
    expect(parseBandwidth("1MiB")).toBe(1_048_576);
    expect(usage(() => parseBandwidth("1M")).exitCode).toBe(2);
  });
});

describe("rule options", () => {
  it("maps --replicate names to rule elements and back", () => {
    const all = parseReplicate("delete,delete-marker,existing-objects,metadata-sync");
    expect(all).toEqual({
      deleteReplication: true,
      deleteMarkerReplication: true,
      existingObjectReplication: true,
      replicaModifications: true,
    });
    const some = parseReplicate(" delete-marker , metadata-sync");
    expect(replicateList(some)).toEqual(["delete-marker", "metadata-sync"]);
    expect(replicateList(parseReplicate(""))).toEqual([]);
    expect(usage(() => parseReplicate("delete,everything")).exitCode).toBe(2);
  });

  it("parses --tags and --state", () => {
    expect(parseTagFilter("team=web&tier=gold")).toEqual([
      { key: "team", value: "web" },
      { key: "tier", value: "gold" },
    ]);
    expect(parseTagFilter("")).toEqual([]);
    expect(tagsText([{ key: "a b", value: "c&d" }])).toBe("a+b=c%26d");
    expect(parseState("enable")).toBe("Enabled");
    expect(parseState("disable")).toBe("Disabled");
    expect(usage(() => parseState("on")).exitCode).toBe(2);
  });

  it("gives a new rule one more than the highest priority, and a 20-digit ID", () => {
    expect(nextPriority(null)).toBe(1);
    const config = { role: "", rules: [rule({ priority: 3 }), rule({ id: "b", priority: 7 })] };
    expect(nextPriority(config)).toBe(8);
    expect(generateRuleId()).toMatch(/^[0-9a-f]{20}$/);
    expect(generateRuleId()).not.toBe(generateRuleId());
    expect(ruleIndex(config, "b")).toBe(1);
    expect(usage(() => ruleIndex(config, "zz")).code).toBe("NoSuchReplicationRule");
  });

  it("prints a rule's own status as ruleStatus", () => {
    expect(
      ruleRecord(rule({ tags: [{ key: "k", value: "v" }], deleteReplication: false })),
    ).toEqual({
      type: "rule",
      id: "docs",
      ruleStatus: "Enabled",
      priority: 1,
      prefix: "docs/",
      tags: { k: "v" },
      destination: ARN,
      storageClass: null,
      replicate: ["delete-marker", "existing-objects", "metadata-sync"],
    });
  });
});

describe("replication XML", () => {
  const config: ReplicationConfig = {
    role: "",
    rules: [
      rule(),
      rule({
        id: "tagged <&>",
        status: "Disabled",
        priority: 0,
        prefix: "",
        tags: [
          { key: "007", value: "x&y" },
          { key: "team", value: "" },
        ],
        deleteReplication: false,
        replicaModifications: false,
        storageClass: "REDUCED_REDUNDANCY",
      }),
    ],
  };

  it("writes every element, tags inside And, and reads it back unchanged", () => {
    const xml = replicationXml(config);
    expect(xml).toContain(
      "<Rule><ID>docs</ID><Status>Enabled</Status><Priority>1</Priority><Filter><Prefix>docs/</Prefix></Filter>" +
        "<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>" +
        "<DeleteReplication><Status>Enabled</Status></DeleteReplication>" +
        "<ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication>" +
        "<SourceSelectionCriteria><ReplicaModifications><Status>Enabled</Status></ReplicaModifications></SourceSelectionCriteria>" +
        `<Destination><Bucket>${ARN}</Bucket></Destination></Rule>`,
    );
    expect(xml).toContain(
      "<Filter><And><Prefix></Prefix><Tag><Key>007</Key><Value>x&amp;y</Value></Tag><Tag><Key>team</Key><Value></Value></Tag></And></Filter>",
    );
    expect(parseReplicationXml(xml)).toEqual(config);
  });

  it("reads what other servers send: namespaces, a Tag filter, missing elements", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>r</Role>
<Rule><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>
<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
<Destination><Bucket>${ARN}</Bucket></Destination></Rule></ReplicationConfiguration>`;
    expect(parseReplicationXml(xml)).toEqual({
      role: "r",
      rules: [
        rule({
          id: "",
          priority: 0,
          prefix: "",
          tags: [{ key: "k", value: "v" }],
          deleteMarkerReplication: false,
          deleteReplication: false,
          existingObjectReplication: false,
        }),
      ],
    });
    expect(() => parseReplicationXml("<nope")).toThrow(CliError);
  });
});

describe("export document", () => {
  it("mirrors the XML elements and reads back what it wrote", () => {
    const config: ReplicationConfig = {
      role: "",
      rules: [rule(), rule({ id: "t", priority: 2, tags: [{ key: "k", value: "v" }] })],
    };
    const document = configDocument(config);
    expect((document.Rules as unknown[])[1]).toMatchObject({
      ID: "t",
      Filter: { And: { Prefix: "docs/", Tag: [{ Key: "k", Value: "v" }] } },
      SourceSelectionCriteria: { ReplicaModifications: { Status: "Enabled" } },
      Destination: { Bucket: ARN },
    });
    expect(parseConfigDocument(JSON.stringify(document))).toEqual(config);
    expect(parseConfigDocument(JSON.stringify({ status: "success", ...document }))).toEqual(config);
  });

  it("accepts mc's spellings and defaults, and refuses what is not a configuration", () => {
    const mc = {
      Rules: [
        {
          ID: "x",
          Status: "Enabled",
          Priority: 4,
          Filter: { And: { Prefix: "p/", Tags: [{ Key: "a", Value: "b" }] } },
          DeleteMarkerReplication: { Status: "Enabled" },
          Destination: { Bucket: ARN, StorageClass: "STANDARD" },
        },
      ],
    };
    expect(parseConfigDocument(JSON.stringify(mc)).rules[0]).toEqual(
      rule({
        id: "x",
        priority: 4,
        prefix: "p/",
        tags: [{ key: "a", value: "b" }],
        deleteReplication: false,
        existingObjectReplication: false,
        storageClass: "STANDARD",
      }),
    );
    expect(usage(() => parseConfigDocument("")).code).toBe("MalformedConfiguration");
    expect(usage(() => parseConfigDocument('{"Rules":[]}')).code).toBe("MalformedConfiguration");
    expect(usage(() => parseConfigDocument('{"Rules":[{"Status":"On"}]}')).message).toMatch(
      /^Rules\.0\./,
    );
  });
});

describe("status", () => {
  it("averages latency over transfers, null before any", () => {
    const latency = { buckets: [], counts: [], sumMs: 150, count: 3 };
    expect(averageLatency({ latency })).toBe(50);
    expect(averageLatency({ latency: { ...latency, sumMs: 0, count: 0 } })).toBeNull();
  });
});

describe("replicate status text", () => {
  it("shows a target's counters and its job's progress", () => {
    const text = targetStatusText({
      arn: "arn:floe:replication::00000000-0000-0000-0000-000000000000:photos",
      endpoint: "http://127.0.0.1:8788",
      targetBucket: "photos",
      sync: false,
      bandwidth: null,
      health: null,
      replicatedCount: 120,
      replicatedBytes: 1024,
      pendingCount: 3,
      pendingBytes: 30,
      failedCount: 1,
      failedBytes: 10,
      failedLastMinute: { count: 0, bytes: 0 },
      failedLastHour: { count: 1, bytes: 10 },
      failedNow: 1,
      lagMs: 2000,
      purge: { pending: 2, failed: 1 },
      latency: { buckets: [0.1], counts: [2, 0], sumMs: 100, count: 2 },
      job: {
        mode: "existing",
        status: "Ongoing",
        total: 300,
        replicatedCount: 100,
        skippedCount: 18,
        failedCount: 2,
      },
    });
    expect(text).toMatch(/Replicated:\s+120 version\(s\)/);
    expect(text).toMatch(/Purges:\s+2 version delete\(s\) pending, 1 failed/);
    expect(text).toMatch(
      /Job:\s+existing Ongoing: 120\/300 \(40%\), replicated 100, skipped 18, failed 2/,
    );
  });
});
