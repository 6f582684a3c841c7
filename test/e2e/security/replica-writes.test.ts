/**
 * Attacks on the replica write path, against one real local site: readwrite users, a ReplicationRemoteUser, a user whose
 * Deny names only ordinary actions, presigned URL holders and anonymous
 * callers try to overwrite, unlock or delete locked versions through the
 * replication protocol headers; malformed replica headers must answer 400
 * and leave the bucket listable.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amzDateOf, canonicalRequest, uriEncode } from "../../../shared/sigv4/canonical.ts";
import { presignUrl, signRequest } from "../../../shared/sigv4/sign.ts";
import { deriveSigningKey, hmacHex, requestStringToSign } from "../../../workers/auth/signature.ts";
import { ALGORITHM, scopeOf } from "../../../shared/sigv4/scope.ts";
import { adminOk, s3Client } from "../harness/clients.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "../harness/site.ts";

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ROOT: Credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD };
const RW: Credentials = { accessKeyId: "rw-user", secretAccessKey: "rw-user-secret" };
const REPL: Credentials = { accessKeyId: "replicator", secretAccessKey: "replicator-secret" };
const DENIER: Credentials = { accessKeyId: "no-put", secretAccessKey: "no-put-secret" };
const DAY = 24 * 60 * 60 * 1000;
const VAULT = "vault";
const OPEN = "open";

let site: Site;
let root: S3Client;
const locked: Record<"comp" | "gov" | "held", { versionId: string; body: string }> = {
  comp: { versionId: "", body: "compliance bytes" },
  gov: { versionId: "", body: "governance bytes" },
  held: { versionId: "", body: "held bytes" },
};
let compUntil = 0;

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

async function addUser(user: Credentials, policies: string[]) {
  await adminOk(site, "POST", "users", {
    accessKey: user.accessKeyId,
    secretKey: user.secretAccessKey,
  });
  await adminOk(site, "POST", "policies/attach", { policies, user: user.accessKeyId });
}

interface RawAnswer {
  status: number;
  code: string | null;
  text: string;
}

async function answer(res: Response): Promise<RawAnswer> {
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null, text };
}

/**
 * A SigV4 header-signed request: `headers` are signed, `unsigned` are added
 * afterwards (appended, so a name given in both is sent twice).
 */
async function raw(
  method: string,
  path: string,
  options: {
    as?: Credentials | null;
    headers?: Record<string, string>;
    unsigned?: [string, string][];
    body?: string;
  } = {},
): Promise<RawAnswer> {
  const url = `${site.url}${path}`;
  const as = options.as === undefined ? ROOT : options.as;
  const headers = new Headers(
    as
      ? await signRequest({
          method,
          url,
          headers: options.headers ?? {},
          accessKeyId: as.accessKeyId,
          secretKey: as.secretAccessKey,
          region: REGION,
        })
      : (options.headers ?? {}),
  );
  for (const [name, value] of options.unsigned ?? []) headers.append(name, value);
  return answer(await fetch(url, { method, headers, body: options.body }));
}

/** Headers of a whole-version replica PUT. */
function replicaPut(versionId: string, body: string, extra: Record<string, string> = {}) {
  return {
    "x-floe-replication-request": "true",
    "x-floe-source-version-id": versionId,
    "x-floe-source-mtime": String(Date.now()),
    "x-floe-source-etag": md5(body),
    "x-floe-source-metadata-timestamp": String(Date.now()),
    ...extra,
  };
}

/** Headers of a metadata-only replica PUT. */
function replicaMetadata(
  versionId: string,
  metadata: {
    retention: { mode: "GOVERNANCE" | "COMPLIANCE"; retainUntil: number } | null;
    legalHold: boolean;
  },
) {
  return {
    "x-floe-replication-request": "true",
    "x-floe-replication-metadata": "true",
    "x-floe-source-version-id": versionId,
    "x-floe-source-mtime": String(Date.now()),
    "x-floe-source-metadata-timestamp": String(Date.now()),
    "x-floe-source-metadata": JSON.stringify({ tags: {}, ...metadata }),
  };
}

/** A presigned URL whose signature also covers `headers` (which the caller must send). */
function presignWithHeaders(method: string, path: string, headers: Record<string, string>) {
  const url = new URL(`${site.url}${path}`);
  const amzDate = amzDateOf(new Date());
  const day = amzDate.slice(0, 8);
  const scope = scopeOf({ day, region: REGION, service: "s3" });
  const signed = ["host", ...Object.keys(headers)].sort();
  const query = [
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", `${RW.accessKeyId}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", "300"],
    ["X-Amz-SignedHeaders", signed.join(";")],
  ]
    .map(([name, value]) => `${name}=${uriEncode(value)}`)
    .join("&");
  const canonical = canonicalRequest({
    method,
    rawPath: url.pathname,
    rawQuery: query,
    headers: new Headers({ ...headers, host: url.host }),
    signedHeaders: signed,
    payloadHash: "UNSIGNED-PAYLOAD",
  });
  const key = deriveSigningKey(RW.secretAccessKey, day, REGION, "s3");
  const signature = hmacHex(key, requestStringToSign(amzDate, scope, canonical));
  return `${url.origin}${url.pathname}?${query}&X-Amz-Signature=${signature}`;
}

/** What a locked version holds now: bytes, retention and legal hold. */
async function lockState(key: string, versionId: string) {
  const object = await root.send(
    new GetObjectCommand({ Bucket: VAULT, Key: key, VersionId: versionId }),
  );
  return {
    body: await object.Body!.transformToString(),
    mode: object.ObjectLockMode ?? null,
    until: object.ObjectLockRetainUntilDate?.getTime() ?? null,
    hold: object.ObjectLockLegalHoldStatus ?? null,
  };
}

const initial: Record<string, Awaited<ReturnType<typeof lockState>>> = {};

async function expectUnchanged() {
  for (const key of ["comp", "gov", "held"] as const) {
    const state = await lockState(key, locked[key].versionId);
    expect(state.body).toBe(locked[key].body);
    expect(state.mode).toBe(initial[key].mode);
    expect(state.hold).toBe(initial[key].hold);
    if (key !== "comp") expect(state.until).toBe(initial[key].until);
    else expect(state.until).toBeGreaterThanOrEqual(initial[key].until!);
  }
}

beforeAll(async () => {
  site = await startSite();
  root = s3Client(site);
  await root.send(new CreateBucketCommand({ Bucket: VAULT, ObjectLockEnabledForBucket: true }));
  const until = new Date(Date.now() + DAY);
  compUntil = until.getTime();
  const puts = {
    comp: { ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: until },
    gov: { ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until },
    held: { ObjectLockLegalHoldStatus: "ON" },
  } as const;
  for (const key of ["comp", "gov", "held"] as const) {
    const put = await root.send(
      new PutObjectCommand({ Bucket: VAULT, Key: key, Body: locked[key].body, ...puts[key] }),
    );
    locked[key].versionId = put.VersionId!;
    initial[key] = await lockState(key, put.VersionId!);
  }
  await root.send(new CreateBucketCommand({ Bucket: OPEN }));
  await root.send(
    new PutBucketVersioningCommand({
      Bucket: OPEN,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  await root.send(
    new PutBucketPolicyCommand({
      Bucket: OPEN,
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: `arn:aws:s3:::${OPEN}/*` },
        ],
      }),
    }),
  );
  await adminOk(site, "PUT", "policies/deny-put", {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" },
      { Effect: "Deny", Action: "s3:PutObject", Resource: "arn:aws:s3:::*" },
    ],
  });
  await addUser(RW, ["readwrite"]);
  await addUser(REPL, ["ReplicationRemoteUser"]);
  await addUser(DENIER, ["deny-put"]);
});

afterAll(async () => {
  root?.destroy();
  await site?.remove();
});

describe("replication protocol headers", () => {
  it("refuses x-floe-* headers the signature does not cover", async () => {
    const { versionId } = locked.comp;
    const smuggled = Object.entries(replicaPut(versionId, "evil"));
    for (const name of ["x-floe-replication-request", "X-Floe-Replication-Request"]) {
      const res = await raw("PUT", `/${VAULT}/comp`, {
        as: RW,
        body: "evil",
        unsigned: [
          [name, "true"],
          ...smuggled.filter(([header]) => header !== "x-floe-replication-request"),
        ],
      });
      expect([res.status, res.code]).toEqual([403, "AccessDenied"]);
      expect(res.text).toContain("There were headers present in the request which were not signed");
    }
    // Signed once, sent twice: the value the server sees is not the one signed.
    const twice = await raw("PUT", `/${VAULT}/comp`, {
      as: RW,
      body: "evil",
      headers: replicaPut(versionId, "evil"),
      unsigned: [["x-floe-replication-request", "true"]],
    });
    expect(twice.status).toBe(403);
    // Any other x-floe-* header must be signed too.
    const other = await raw("PUT", `/${VAULT}/fresh`, {
      as: RW,
      body: "x",
      unsigned: [["x-floe-source-mtime", "1"]],
    });
    expect([other.status, other.code]).toEqual([403, "AccessDenied"]);
    await expectUnchanged();
  });

  it("refuses replica writes through presigned URLs and from anonymous callers", async () => {
    const { versionId } = locked.comp;
    const url = await presignUrl({
      method: "PUT",
      url: `${site.url}/${VAULT}/comp`,
      accessKeyId: RW.accessKeyId,
      secretKey: RW.secretAccessKey,
      region: REGION,
      expiresSeconds: 300,
    });
    const added = await answer(
      await fetch(url, { method: "PUT", headers: replicaPut(versionId, "evil"), body: "evil" }),
    );
    expect([added.status, added.code]).toEqual([403, "AccessDenied"]);
    // Even with the replication headers inside the presigned signature.
    const headers = replicaPut(versionId, "evil");
    const signedIn = await answer(
      await fetch(presignWithHeaders("PUT", `/${VAULT}/comp`, headers), {
        method: "PUT",
        headers,
        body: "evil",
      }),
    );
    expect([signedIn.status, signedIn.code]).toEqual([403, "AccessDenied"]);
    // The open bucket lets anyone write, but not replicas.
    const plain = await raw("PUT", `/${OPEN}/anon`, { as: null, body: "anon" });
    expect(plain.status).toBe(200);
    const anon = await raw("PUT", `/${OPEN}/anon`, {
      as: null,
      body: "anon",
      headers: replicaPut(randomUUID(), "anon"),
    });
    expect([anon.status, anon.code]).toEqual([403, "AccessDenied"]);
    await expectUnchanged();
  });
});

describe("replica writes against object lock", () => {
  it("never replace a locked version by id; a replay of the same ETag is a no-op", async () => {
    for (const as of [RW, REPL, ROOT]) {
      for (const key of ["comp", "gov", "held"] as const) {
        const res = await raw("PUT", `/${VAULT}/${key}`, {
          as,
          body: "evil",
          headers: replicaPut(locked[key].versionId, "evil"),
        });
        expect([as.accessKeyId, key, res.status, res.code]).toEqual([
          as.accessKeyId,
          key,
          403,
          "AccessDenied",
        ]);
      }
    }
    // A replay carries the version's own lock state: a no-op.
    const lockHeaders = {
      "x-amz-object-lock-mode": "COMPLIANCE",
      "x-amz-object-lock-retain-until-date": new Date(compUntil).toISOString(),
    };
    const replay = await raw("PUT", `/${VAULT}/comp`, {
      as: REPL,
      body: locked.comp.body,
      headers: replicaPut(locked.comp.versionId, locked.comp.body, lockHeaders),
    });
    expect(replay.status).toBe(200);
    // The same bytes with a newer metadata change that drops the retention: refused like one.
    const stripped = await raw("PUT", `/${VAULT}/comp`, {
      as: REPL,
      body: locked.comp.body,
      headers: replicaPut(locked.comp.versionId, locked.comp.body),
    });
    expect([stripped.status, stripped.code]).toEqual([403, "AccessDenied"]);
    await expectUnchanged();
  });

  it("may extend retention or add a hold, never strip what the caller could not", async () => {
    const strip = (as: Credentials, key: "comp" | "gov" | "held") =>
      raw("PUT", `/${VAULT}/${key}`, {
        as,
        headers: replicaMetadata(locked[key].versionId, { retention: null, legalHold: false }),
      });
    // COMPLIANCE: nobody, not even a readwrite user holding the bypass permission.
    for (const as of [RW, REPL]) {
      const res = await strip(as, "comp");
      expect([res.status, res.code]).toEqual([403, "AccessDenied"]);
    }
    const shorter = await raw("PUT", `/${VAULT}/comp`, {
      as: RW,
      headers: replicaMetadata(locked.comp.versionId, {
        retention: { mode: "COMPLIANCE", retainUntil: compUntil - 60_000 },
        legalHold: false,
      }),
    });
    expect([shorter.status, shorter.code]).toEqual([403, "AccessDenied"]);
    // GOVERNANCE and legal hold: not for a replication user without the direct permissions.
    for (const key of ["gov", "held"] as const) {
      const res = await strip(REPL, key);
      expect([key, res.status, res.code]).toEqual([key, 403, "AccessDenied"]);
    }
    await expectUnchanged();
    // Extending is fine.
    const extended = compUntil + DAY;
    const extend = await raw("PUT", `/${VAULT}/comp`, {
      as: REPL,
      headers: replicaMetadata(locked.comp.versionId, {
        retention: { mode: "COMPLIANCE", retainUntil: extended },
        legalHold: true,
      }),
    });
    expect(extend.status).toBe(200);
    const state = await lockState("comp", locked.comp.versionId);
    expect([state.until, state.hold]).toEqual([extended, "ON"]);
    initial.comp = state;
  });

  it("cannot lock versions of a bucket without object lock", async () => {
    const put = await root.send(new PutObjectCommand({ Bucket: OPEN, Key: "plain", Body: "p" }));
    const res = await raw("PUT", `/${OPEN}/plain`, {
      as: REPL,
      headers: replicaMetadata(put.VersionId!, {
        retention: { mode: "COMPLIANCE", retainUntil: Date.now() + DAY },
        legalHold: true,
      }),
    });
    expect([res.status, res.code]).toEqual([400, "InvalidRequest"]);
    const head = await root.send(new HeadObjectCommand({ Bucket: OPEN, Key: "plain" }));
    expect([head.ObjectLockMode, head.ObjectLockLegalHoldStatus]).toEqual([undefined, undefined]);
  });

  it("refuse a replica delete of a locked version as an ordinary delete would", async () => {
    for (const as of [RW, REPL]) {
      for (const key of ["comp", "gov", "held"] as const) {
        const res = await raw("DELETE", `/${VAULT}/${key}?versionId=${locked[key].versionId}`, {
          as,
          headers: { "x-floe-replication-request": "true" },
        });
        expect([key, res.status, res.code]).toEqual([key, 403, "AccessDenied"]);
      }
    }
    await expectUnchanged();
  });

  it("an explicit Deny of the ordinary action refuses the replica write too", async () => {
    const versionId = randomUUID();
    const denied = await raw("PUT", `/${VAULT}/free`, {
      as: DENIER,
      body: "free",
      headers: replicaPut(versionId, "free"),
    });
    expect([denied.status, denied.code]).toEqual([403, "AccessDenied"]);
    const allowed = await raw("PUT", `/${VAULT}/free`, {
      as: REPL,
      body: "free",
      headers: replicaPut(versionId, "free"),
    });
    expect(allowed.status).toBe(200);
  });
});

describe("replica headers are validated before anything is stored", () => {
  it("answers 400 to malformed values and the bucket still lists", async () => {
    const base = () => replicaPut(randomUUID(), "bad");
    const cases: [string, Record<string, string>][] = [
      ["mtime past the date range", { "x-floe-source-mtime": "8640000000000001" }],
      ["mtime days ahead", { "x-floe-source-mtime": String(Date.now() + 3 * DAY) }],
      ["mtime not a number", { "x-floe-source-mtime": "1e3" }],
      ["version id with a path", { "x-floe-source-version-id": "../../etc" }],
      ["version id too long", { "x-floe-source-version-id": "a".repeat(200) }],
      ["etag not hex", { "x-floe-source-etag": "not-an-etag" }],
      ["etag with bad part count", { "x-floe-source-etag": `${md5("bad")}-x` }],
      ["checksums not JSON", { "x-floe-source-checksums": "{" }],
      ["checksums not a map", { "x-floe-source-checksums": "[1,2]" }],
      ["metadata timestamp", { "x-floe-source-metadata-timestamp": "8640000000000001" }],
    ];
    for (const [what, headers] of cases) {
      const res = await raw("PUT", `/${VAULT}/bad`, {
        body: "bad",
        headers: { ...base(), ...headers },
      });
      expect([what, res.status]).toEqual([what, 400]);
      expect(["InvalidArgument", "InvalidRequest"]).toContain(res.code);
    }
    const metadataCases: Record<string, string>[] = [
      { "x-floe-source-metadata": "{" },
      { "x-floe-source-metadata": JSON.stringify({ tags: {}, retention: null, legalHold: 1 }) },
      {
        "x-floe-source-metadata": JSON.stringify({
          tags: {},
          retention: { mode: "COMPLIANCE", retainUntil: 8.64e15 + 1 },
          legalHold: false,
        }),
      },
      { "x-floe-source-metadata-timestamp": "soon" },
    ];
    for (const headers of metadataCases) {
      const res = await raw("PUT", `/${VAULT}/gov`, {
        headers: {
          ...replicaMetadata(locked.gov.versionId, { retention: null, legalHold: false }),
          ...headers,
        },
      });
      expect([JSON.stringify(headers), res.status]).toEqual([JSON.stringify(headers), 400]);
    }
    const far = new Date(Date.now() + 200 * 365 * DAY).toISOString();
    const forever = await raw("PUT", `/${VAULT}/bad`, {
      as: REPL,
      body: "bad",
      headers: {
        ...base(),
        "x-amz-object-lock-mode": "COMPLIANCE",
        "x-amz-object-lock-retain-until-date": far,
      },
    });
    expect([forever.status, forever.code]).toEqual([400, "InvalidArgument"]);
    const marker = await raw("DELETE", `/${VAULT}/bad`, {
      headers: {
        "x-floe-replication-request": "true",
        "x-floe-source-delete-marker": "true",
        "x-floe-source-version-id": randomUUID(),
        "x-floe-source-mtime": "8640000000000001",
      },
    });
    expect(marker.status).toBe(400);
    const versions = await root.send(new ListObjectVersionsCommand({ Bucket: VAULT }));
    expect(versions.Versions?.some((v) => v.Key === "bad")).toBe(false);
    expect(versions.DeleteMarkers ?? []).toEqual([]);
    await root.send(new ListObjectsV2Command({ Bucket: VAULT }));
    await expectUnchanged();
  });
});
