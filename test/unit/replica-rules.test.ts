import { describe, expect, it } from "vitest";
import { mayApplyReplicaLock } from "../../durable-objects/bucket/object-lock.ts";
import { loadConfig } from "../../shared/config.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { checkHeadersSigned } from "../../workers/auth/request-signature.ts";
import { requiredPermissions } from "../../workers/iam/s3-permissions.ts";
import type { S3Action } from "../../workers/s3/actions.ts";
import {
  replicaMarker,
  replicaMetadata,
  replicaObject,
} from "../../workers/replication/receive/replica-headers.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";

const NOW = Date.UTC(2026, 0, 1);
const DAY = 24 * 60 * 60 * 1000;
const VERSION = "0b6f6a2e-7d43-4a8e-9a57-2f1f3f9f1c11";

function permissions(
  action: S3Action,
  headers: Record<string, string> = {},
  query = "",
): { action: string; unlessDenied?: readonly string[] }[] {
  return requiredPermissions({
    action,
    bucket: "b",
    key: "k",
    query: new URLSearchParams(query),
    headers: new Headers(headers),
  }).map(({ action: name, unlessDenied }) =>
    unlessDenied ? { action: name, unlessDenied } : { action: name },
  );
}

const REPLICA = { "x-floe-replication-request": "true" };

describe("requiredPermissions", () => {
  it("lock headers on writes need the lock permissions", () => {
    const lock = {
      "x-amz-object-lock-mode": "GOVERNANCE",
      "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z",
    };
    for (const action of ["PutObject", "CopyObject", "CreateMultipartUpload"] as const) {
      expect(permissions(action, lock)).toEqual([
        { action: "s3:PutObject" },
        { action: "s3:PutObjectRetention" },
      ]);
      expect(permissions(action, { "x-amz-object-lock-legal-hold": "ON" })).toEqual([
        { action: "s3:PutObject" },
        { action: "s3:PutObjectLegalHold" },
      ]);
    }
    expect(permissions("PutObject")).toEqual([{ action: "s3:PutObject" }]);
  });

  it("replica writes need the replicate permission and no Deny of the ordinary action", () => {
    expect(permissions("PutObject", { ...REPLICA, "x-amz-object-lock-legal-hold": "ON" })).toEqual([
      { action: "s3:ReplicateObject", unlessDenied: ["s3:PutObject", "s3:PutObjectLegalHold"] },
    ]);
    expect(permissions("PutObject", { ...REPLICA, "x-floe-replication-metadata": "true" })).toEqual(
      [
        {
          action: "s3:ReplicateObject",
          unlessDenied: [
            "s3:PutObjectTagging",
            "s3:PutObjectVersionTagging",
            "s3:PutObjectRetention",
            "s3:PutObjectLegalHold",
          ],
        },
      ],
    );
    expect(permissions("DeleteObject", REPLICA, "versionId=v")).toEqual([
      { action: "s3:ReplicateDelete", unlessDenied: ["s3:DeleteObjectVersion"] },
      { action: "s3:DeleteObject" },
    ]);
    expect(permissions("DeleteObject", REPLICA)[0]).toEqual({
      action: "s3:ReplicateDelete",
      unlessDenied: ["s3:DeleteObject"],
    });
    expect(permissions("UploadPart", { "X-Floe-Replication-Request": "TRUE" })).toEqual([
      { action: "s3:ReplicateObject", unlessDenied: ["s3:PutObject"] },
    ]);
  });

  it("retention and legal hold requests have no replica form", () => {
    expect(permissions("PutObjectLegalHold", REPLICA)).toEqual([
      { action: "s3:PutObjectLegalHold" },
    ]);
    expect(permissions("PutObjectRetention", REPLICA)).toEqual([
      { action: "s3:PutObjectRetention" },
    ]);
  });
});

describe("checkHeadersSigned", () => {
  it("wants every x-floe-* header signed", () => {
    const headers = new Headers({ host: "h", "x-floe-replication-request": "true" });
    expect(() => checkHeadersSigned(headers, ["host"])).toThrow(S3Error);
    expect(() => checkHeadersSigned(headers, ["host", "x-floe-replication-request"])).not.toThrow();
  });
});

describe("replica headers", () => {
  const base = {
    "x-floe-source-version-id": VERSION,
    "x-floe-source-mtime": String(NOW),
  };
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof S3Error ? `${error.status} ${error.code}` : String(error);
    }
    return "ok";
  };

  it("accepts what a source sends", () => {
    const object = replicaObject(
      new Headers({
        ...base,
        "x-floe-source-etag": `${"a".repeat(32)}-3`,
        "x-floe-source-checksums": JSON.stringify({ crc32: "AAAAAA==-3", sha256: "q83vEg==" }),
        "x-floe-source-metadata-timestamp": String(NOW + 1000),
      }),
      NOW,
    );
    expect(object).toEqual({
      versionId: VERSION,
      mtime: NOW,
      etag: `${"a".repeat(32)}-3`,
      checksums: { crc32: "AAAAAA==-3", sha256: "q83vEg==" },
      metadataTimestamp: NOW + 1000,
      origin: null,
    });
    expect(replicaMarker(new Headers({ ...base, "x-floe-source-covers": "" }), NOW).covers).toBe(
      "",
    );
    const metadata = replicaMetadata(
      new Headers({
        ...base,
        "x-floe-source-metadata-timestamp": String(NOW),
        "x-floe-source-metadata": JSON.stringify({
          tags: { a: "b" },
          retention: { mode: "COMPLIANCE", retainUntil: NOW + DAY },
          legalHold: false,
        }),
      }),
      NOW,
    );
    expect(metadata.patch).toEqual({
      tags: { a: "b" },
      retention: { mode: "COMPLIANCE", retainUntil: NOW + DAY },
      legalHold: undefined,
    });
  });

  it("refuses malformed values with 400 InvalidArgument", () => {
    const bad: Record<string, string>[] = [
      { "x-floe-source-mtime": "8640000000000001" },
      { "x-floe-source-mtime": String(NOW + 2 * DAY) },
      { "x-floe-source-mtime": "-5" },
      { "x-floe-source-mtime": "1e3" },
      { "x-floe-source-version-id": "../x" },
      { "x-floe-source-version-id": "a".repeat(65) },
      { "x-floe-source-etag": "A".repeat(32) },
      { "x-floe-source-etag": `${"a".repeat(32)}-0` },
      { "x-floe-source-checksums": "{" },
      { "x-floe-source-checksums": '{"crc32":5}' },
      { "x-floe-source-metadata-timestamp": "later" },
    ];
    for (const headers of bad)
      expect([
        headers,
        code(() => replicaObject(new Headers({ ...base, ...headers }), NOW)),
      ]).toEqual([headers, "400 InvalidArgument"]);
    expect(code(() => replicaObject(new Headers({}), NOW))).toBe("400 InvalidArgument");
    expect(
      code(() =>
        replicaMetadata(
          new Headers({
            ...base,
            "x-floe-source-metadata-timestamp": String(NOW),
            "x-floe-source-metadata": '{"tags":{},"retention":null}',
          }),
          NOW,
        ),
      ),
    ).toBe("400 InvalidArgument");
    expect(
      code(() => replicaMarker(new Headers({ ...base, "x-floe-source-covers": "x/y" }), NOW)),
    ).toBe("400 InvalidArgument");
  });
});

describe("mayApplyReplicaLock", () => {
  const record = (lock: Pick<VersionRecord, "retention" | "legalHold">) =>
    ({ ...lock }) as VersionRecord;
  const none = { bypassGovernance: false, releaseLegalHold: false };
  const all = { bypassGovernance: true, releaseLegalHold: true };
  const compliance = { mode: "COMPLIANCE" as const, retainUntil: NOW + DAY };
  const governance = { mode: "GOVERNANCE" as const, retainUntil: NOW + DAY };

  it("lets a replica extend retention and add a hold", () => {
    const longer = { ...compliance, retainUntil: NOW + 2 * DAY };
    expect(
      mayApplyReplicaLock(record({ retention: compliance }), { retention: longer }, none, NOW),
    ).toBe(true);
    expect(mayApplyReplicaLock(record({}), { legalHold: true }, none, NOW)).toBe(true);
  });

  it("never shortens COMPLIANCE; GOVERNANCE and holds only with the direct permissions", () => {
    expect(mayApplyReplicaLock(record({ retention: compliance }), {}, all, NOW)).toBe(false);
    expect(mayApplyReplicaLock(record({ retention: governance }), {}, none, NOW)).toBe(false);
    expect(mayApplyReplicaLock(record({ retention: governance }), {}, all, NOW)).toBe(true);
    expect(mayApplyReplicaLock(record({ legalHold: true }), {}, none, NOW)).toBe(false);
    expect(mayApplyReplicaLock(record({ legalHold: true }), {}, all, NOW)).toBe(true);
    // Expired retention binds nobody.
    const expired = { ...compliance, retainUntil: NOW - 1 };
    expect(mayApplyReplicaLock(record({ retention: expired }), {}, none, NOW)).toBe(true);
  });
});

describe("FLOE_MAX_RETENTION_DAYS", () => {
  it("defaults to 100 years and can be set", () => {
    expect(loadConfig({}).maxRetentionDays).toBe(36_500);
    expect(loadConfig({ FLOE_MAX_RETENTION_DAYS: "400" }).maxRetentionDays).toBe(400);
    expect(() => loadConfig({ FLOE_MAX_RETENTION_DAYS: "0" })).toThrow();
  });
});
