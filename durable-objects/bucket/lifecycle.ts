/**
 * Applying lifecycle rules to one key (see shared/lifecycle/rules.ts for the
 * rules): noncurrent versions expire a set number of days after the next
 * newer version replaced them, keeping NewerNoncurrentVersions; a delete
 * marker that is a key's only version goes when ExpiredObjectDeleteMarker
 * says so; an expired current version is removed (unversioned buckets) or
 * hidden behind a new delete marker. Versions under object lock stay.
 */
import {
  DAY_MS,
  currentExpired,
  ruleMatches,
  type LifecycleRule,
} from "../../shared/lifecycle/rules.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { mayDelete } from "./object-lock.ts";
import type { StoredVersion, LifecycleSummary } from "../../shared/types/bucket-rpc.ts";
import { toStored, type BucketRow, type VersionRow } from "./schema.ts";
import type { CoordinatorState } from "./coordinator-state.ts";
import { LIFECYCLE, bucketColumn } from "./stored-formats.ts";
import { abortUpload } from "./uploads.ts";
import { removeVersionRow, storeVersion } from "./versions.ts";

/** What the coordinator lends a lifecycle step. */
export interface LifecycleHost {
  sql: SqlStorage;
  transactionSync(fn: () => void): void;
  toStored(row: VersionRow): StoredVersion;
  storeVersion(record: VersionRecord, inlineData: Uint8Array | null): void;
  removeVersionRow(record: VersionRecord): void;
  /** Background work was queued: make sure the alarm will run. */
  wake(): void;
}

/** Applies the rules to every version of `key` at time `now`. */
export function applyLifecycle(
  host: LifecycleHost,
  key: string,
  rules: LifecycleRule[],
  now: number,
  versioning: string,
  summary: LifecycleSummary,
): void {
  const versions = host.sql
    .exec<VersionRow>("SELECT * FROM versions WHERE key = ? ORDER BY seq DESC", key)
    .toArray()
    .map((row) => host.toStored(row));
  const matching = (record: VersionRecord) =>
    rules.filter((rule) => ruleMatches(rule, { key, size: record.size, tags: record.tags ?? {} }));
  const latest = versions[0]?.record;
  if (!latest) return;
  host.transactionSync(() => {
    // Noncurrent versions: each stopped being current when the next newer one was written.
    let noncurrentSeen = 0;
    for (let i = 1; i < versions.length; i++) {
      const record = versions[i].record;
      if (record.deleteMarker) continue;
      noncurrentSeen++;
      const since = versions[i - 1].record.mtime;
      const expire = matching(record).some(
        (rule) =>
          rule.noncurrentDays !== undefined &&
          since + rule.noncurrentDays * DAY_MS <= now &&
          noncurrentSeen > (rule.newerNoncurrentVersions ?? 0),
      );
      if (expire && mayDelete(record, false, now)) {
        host.removeVersionRow(record);
        summary.noncurrentRemoved++;
      }
    }
    if (latest.deleteMarker) {
      const only =
        host.sql.exec<{ n: number }>("SELECT count(*) AS n FROM versions WHERE key = ?", key).one()
          .n === 1;
      if (
        only &&
        rules.some((rule) => rule.expiredObjectDeleteMarker && key.startsWith(rule.prefix))
      ) {
        host.removeVersionRow(latest);
        summary.markersRemoved++;
      }
      return;
    }
    if (!matching(latest).some((rule) => currentExpired(rule, latest.mtime, now))) return;
    if (!mayDelete(latest, false, now)) return;
    if (versioning === "") {
      host.removeVersionRow(latest);
    } else {
      const marker: VersionRecord = {
        ...latest,
        versionId: versioning === "Enabled" ? crypto.randomUUID() : "null",
        dataDir: crypto.randomUUID(),
        deleteMarker: true,
        mtime: now,
        size: 0,
        etag: "",
        contentType: undefined,
        headers: {},
        userMetadata: {},
        checksums: {},
        tags: undefined,
        retention: undefined,
        legalHold: undefined,
        parts: [],
        inline: true,
      };
      host.storeVersion(marker, null);
      // The drives get their copies of the marker from the heal queue.
      host.sql.exec(
        "INSERT OR IGNORE INTO heal_queue (key, version_id, due) VALUES (?, ?, ?)",
        key,
        marker.versionId,
        Date.now(),
      );
    }
    summary.expired++;
  });
  host.wake();
}

/**
 * One scanner step: applies the rules to the next `maxKeys` keys after the
 * bucket's persisted cursor (which it advances, or clears at the end), then
 * aborts multipart uploads older than AbortIncompleteMultipartUpload allows.
 */
export async function runLifecycleStep(
  host: LifecycleHost,
  row: BucketRow | null,
  now: number,
  maxKeys: number,
  abortUpload: (uploadId: string) => Promise<boolean>,
): Promise<LifecycleSummary> {
  const summary: LifecycleSummary = {
    keysScanned: 0,
    expired: 0,
    noncurrentRemoved: 0,
    markersRemoved: 0,
    uploadsAborted: 0,
    finished: true,
  };
  if (!row?.lifecycle) return summary;
  const rules = LIFECYCLE.read(row.lifecycle, bucketColumn(row.name, "lifecycle")).filter(
    (rule) => rule.enabled,
  );
  const keys = host.sql
    .exec<{ key: string }>(
      "SELECT DISTINCT key FROM versions WHERE key > ? ORDER BY key LIMIT ?",
      row.lifecycle_cursor ?? "",
      maxKeys,
    )
    .toArray()
    .map((r) => r.key);
  for (const key of keys) {
    summary.keysScanned++;
    applyLifecycle(host, key, rules, now, row.versioning, summary);
  }
  summary.finished = keys.length < maxKeys;
  host.sql.exec(
    "UPDATE bucket SET lifecycle_cursor = ?",
    summary.finished ? null : keys[keys.length - 1],
  );
  for (const rule of rules) {
    if (rule.abortMultipartDays === undefined) continue;
    const stale = host.sql
      .exec<{ upload_id: string; key: string }>(
        "SELECT upload_id, key FROM uploads WHERE created_at <= ?",
        now - rule.abortMultipartDays * DAY_MS,
      )
      .toArray()
      .filter((upload) => upload.key.startsWith(rule.prefix));
    for (const upload of stale) {
      if (await abortUpload(upload.upload_id)) summary.uploadsAborted++;
    }
  }
  return summary;
}

/** The lifecycle rules, or null when none are configured. */
export async function getLifecycle(s: CoordinatorState): Promise<LifecycleRule[] | null> {
  const row = s.bucketRow();
  if (!row?.lifecycle) return null;
  return LIFECYCLE.read(row.lifecycle, bucketColumn(row.name, "lifecycle"));
}

/** Sets (or, with null, removes) the lifecycle rules. */
export async function setLifecycle(
  s: CoordinatorState,
  rules: LifecycleRule[] | null,
): Promise<boolean> {
  if (!s.bucketRow()) return false;
  s.sql.exec(
    "UPDATE bucket SET lifecycle = ?, lifecycle_cursor = NULL",
    rules ? JSON.stringify(rules) : null,
  );
  await s.copies.changed();
  return true;
}

/**
 * One lifecycle step: applies the rules to up to `maxKeys` keys after the
 * persisted cursor (wrapping to the start at the end) and to expired
 * multipart uploads. Time is `now`, so tests can move the clock.
 */
export async function runLifecycle(
  s: CoordinatorState,
  now: number,
  maxKeys = 500,
): Promise<LifecycleSummary> {
  return runLifecycleStep(lifecycleHost(s), s.bucketRow(), now, maxKeys, (id) =>
    abortUpload(s, id),
  );
}

function lifecycleHost(s: CoordinatorState): LifecycleHost {
  return {
    sql: s.sql,
    transactionSync: (fn) => s.transaction(fn),
    toStored,
    storeVersion: (record, inlineData) => storeVersion(s, record, inlineData, false),
    removeVersionRow: (record) => removeVersionRow(s, record),
    wake: () => void s.background.ensureAlarm(Date.now() + 50),
  };
}
