/**
 * Replication set-up for end-to-end tests, done the way an operator does
 * it: versioning on both buckets, a remote user with the replication policy
 * on the target, a remote target added on the source through the admin
 * API, and replication rules as PutBucketReplication XML (with MinIO's
 * DeleteReplication, which the AWS SDK cannot express).
 */
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { signRequest } from "../../../shared/sigv4/sign.ts";
import { admin, s3Client } from "./clients.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, type Site } from "./site.ts";

export const REMOTE_USER = { accessKeyId: "replicator", secretAccessKey: "replicator-secret" };

/** Creates a versioned bucket. */
export async function versionedBucket(site: Site, bucket: string): Promise<S3Client> {
  const s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  return s3;
}

/** The replication remote user on a target site (idempotent). */
export async function remoteUser(site: Site): Promise<void> {
  const user = await admin(site, "POST", "users", {
    accessKey: REMOTE_USER.accessKeyId,
    secretKey: REMOTE_USER.secretAccessKey,
  });
  if (user.status !== 200) throw new Error(`remote user: ${JSON.stringify(user.body)}`);
  await admin(site, "POST", "policies/attach", {
    policies: ["ReplicationRemoteUser"],
    user: REMOTE_USER.accessKeyId,
  });
}

/** Adds a remote target on `source` for `bucket` → `target`/`targetBucket`; returns its ARN. */
export async function addTarget(
  source: Site,
  bucket: string,
  target: Site,
  targetBucket = bucket,
  options: { sync?: boolean; bandwidth?: number } = {},
): Promise<string> {
  const res = await admin<{ arn: string; code?: string }>(
    source,
    "POST",
    `buckets/${bucket}/remote-targets`,
    {
      url: `http://${REMOTE_USER.accessKeyId}:${REMOTE_USER.secretAccessKey}@127.0.0.1:${target.port}/${targetBucket}`,
      ...options,
    },
  );
  if (res.status !== 200) throw new Error(`add target: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.arn;
}

export interface RuleSpec {
  id?: string;
  arn: string;
  priority?: number;
  prefix?: string;
  tags?: Record<string, string>;
  deleteMarkers?: boolean;
  deletes?: boolean;
  existing?: boolean;
  replicaModifications?: boolean;
  status?: "Enabled" | "Disabled";
}

export function replicationXml(rules: RuleSpec[]): string {
  const flag = (on: boolean | undefined, fallback: boolean) =>
    `<Status>${(on ?? fallback) ? "Enabled" : "Disabled"}</Status>`;
  const body = rules
    .map((rule, i) => {
      const tags = Object.entries(rule.tags ?? {})
        .map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`)
        .join("");
      const filter = tags
        ? `<Filter><And><Prefix>${rule.prefix ?? ""}</Prefix>${tags}</And></Filter>`
        : `<Filter><Prefix>${rule.prefix ?? ""}</Prefix></Filter>`;
      return `<Rule><ID>${rule.id ?? `rule-${i}`}</ID><Status>${rule.status ?? "Enabled"}</Status><Priority>${rule.priority ?? i + 1}</Priority>${filter}<DeleteMarkerReplication>${flag(rule.deleteMarkers, true)}</DeleteMarkerReplication><DeleteReplication>${flag(rule.deletes, true)}</DeleteReplication><ExistingObjectReplication>${flag(rule.existing, true)}</ExistingObjectReplication><SourceSelectionCriteria><ReplicaModifications>${flag(rule.replicaModifications, true)}</ReplicaModifications></SourceSelectionCriteria><Destination><Bucket>${rule.arn}</Bucket></Destination></Rule>`;
    })
    .join("");
  return `<ReplicationConfiguration>${body}</ReplicationConfiguration>`;
}

/** PutBucketReplication as root; returns status and body. */
export async function putReplication(site: Site, bucket: string, rules: RuleSpec[]) {
  const url = `${site.url}/${bucket}?replication`;
  const headers = await signRequest({
    method: "PUT",
    url,
    accessKeyId: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    region: REGION,
  });
  const res = await fetch(url, { method: "PUT", headers, body: replicationXml(rules) });
  return { status: res.status, body: await res.text() };
}

/** One-way replication source/bucket → target/bucket with default rule elements. */
export async function replicate(
  source: Site,
  target: Site,
  bucket: string,
  rule: Partial<RuleSpec> = {},
  options: { sync?: boolean } = {},
): Promise<string> {
  const arn = await addTarget(source, bucket, target, bucket, options);
  const res = await putReplication(source, bucket, [{ ...rule, arn }]);
  if (res.status !== 200) throw new Error(`put replication: ${res.status} ${res.body}`);
  return arn;
}

/** Fires the site's cron scanner once. */
export async function runCron(site: Site): Promise<void> {
  const res = await fetch(`${site.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`);
  await res.text();
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

export interface VersionEntry {
  key: string;
  versionId: string;
  etag: string | null;
  size: number;
  deleteMarker: boolean;
  isLatest: boolean;
}

/**
 * Every version and delete marker of a bucket, sorted by key and version id
 * (the SDK splits versions from markers, so listing order is not kept);
 * `isLatest` tells which one is current.
 */
export async function versionList(s3: S3Client, bucket: string): Promise<VersionEntry[]> {
  const entries: VersionEntry[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    const items = [
      ...(page.Versions ?? []).map((v) => ({
        key: v.Key!,
        versionId: v.VersionId!,
        etag: v.ETag ?? null,
        size: v.Size ?? 0,
        deleteMarker: false,
        isLatest: v.IsLatest === true,
        at: v.LastModified?.getTime() ?? 0,
      })),
      ...(page.DeleteMarkers ?? []).map((m) => ({
        key: m.Key!,
        versionId: m.VersionId!,
        etag: null,
        size: 0,
        deleteMarker: true,
        isLatest: m.IsLatest === true,
        at: m.LastModified?.getTime() ?? 0,
      })),
    ];
    entries.push(...items.map(({ at: _at, ...rest }) => rest));
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  return entries.sort((a, b) =>
    a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.versionId < b.versionId ? -1 : 1,
  );
}

/** A version's x-amz-replication-status as HEAD answers it. */
export async function replicationStatus(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
) {
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return head.ReplicationStatus;
}

/** Waits until both sites list the same versions of `bucket`; that list. */
export async function sameVersionLists(
  one: S3Client,
  other: S3Client,
  bucket: string,
  timeoutMs = 30_000,
) {
  await eventually(
    async () =>
      JSON.stringify(await versionList(one, bucket)) ===
      JSON.stringify(await versionList(other, bucket)),
    timeoutMs,
    `identical version lists of ${bucket}`,
  );
  return versionList(one, bucket);
}
