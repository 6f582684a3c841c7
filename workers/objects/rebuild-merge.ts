/**
 * Deciding what a version was from the drives' copies of its record, for a
 * namespace rebuild. The rules, per (key, version id):
 * - a copy whose record does not parse, or names another bucket, key or
 *   version, is not evidence;
 * - copies are grouped by write (data dir); the write with the latest mtime
 *   is the version (an overwritten null version's old write may linger until
 *   collected), ties going to the write more drives hold;
 * - the version is restored only when at least k drives (its data shard
 *   count, the read quorum) hold a copy of that write, as MinIO needs read
 *   quorum of an object's metadata: a copy left behind on a few drives by a
 *   delete or a failed write does not bring a version back;
 * - among the copies of that write, the record with the latest metadata
 *   change wins (a drive that missed a tag or retention update is stale),
 *   ties going to the text most drives hold;
 * - inline data is decoded from the good inline shards (any k of them).
 */
import { createReedSolomon, InsufficientShardsError } from "../../shared/erasure/index.ts";
import { versionRecordSchema, type VersionRecord } from "../../shared/types/version-record.ts";
import type { StoredVersion } from "../../shared/types/bucket-rpc.ts";
import { shardOfDrive } from "./erasure/erasure-set.ts";

/** One drive's copy of a version, as read from it. */
export interface DriveCopy {
  /** The drive's index in its set. */
  drive: number;
  dataDir: string;
  record: string;
  inlineShard: Uint8Array | null;
}

export type MergeOutcome =
  /** `complete`: every drive of the set holds a good copy (else the version needs a heal). */
  | { kind: "restore"; version: StoredVersion; complete: boolean }
  | { kind: "unreadable" }
  | { kind: "below-quorum"; copies: number; required: number }
  | { kind: "inline-lost"; shards: number; required: number };

interface Candidate {
  record: VersionRecord;
  text: string;
  copy: DriveCopy;
}

function parse(text: string): VersionRecord | null {
  try {
    const parsed = versionRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The version the drives' copies of (`bucket`, `key`, `versionId`) describe. */
export function mergeVersion(
  bucket: string,
  key: string,
  versionId: string,
  copies: DriveCopy[],
): MergeOutcome {
  const writes = new Map<string, Candidate[]>();
  for (const copy of copies) {
    const record = parse(copy.record);
    if (!record || record.bucket !== bucket || record.key !== key) continue;
    if (record.versionId !== versionId || record.dataDir !== copy.dataDir) continue;
    const list = writes.get(copy.dataDir) ?? [];
    list.push({ record, text: copy.record, copy });
    writes.set(copy.dataDir, list);
  }
  const chosen = [...writes.values()].sort(
    (a, b) => b[0].record.mtime - a[0].record.mtime || b.length - a.length || compare(b, a),
  )[0];
  if (!chosen) return { kind: "unreadable" };
  const best = newestRecord(chosen);
  const required = best.record.erasure.dataShards;
  const holders = new Set(chosen.map((candidate) => candidate.copy.drive)).size;
  if (holders < required) return { kind: "below-quorum", copies: holders, required };
  const { record } = best;
  const n = record.erasure.distribution.length;
  const current = chosen.filter((candidate) => candidate.text === best.text);
  if (!record.inline || record.deleteMarker || record.size === 0) {
    return {
      kind: "restore",
      version: { record, inlineData: record.inline ? new Uint8Array(0) : null },
      complete: current.length === n,
    };
  }
  const shardOf = shardOfDrive(record.erasure);
  const shards = new Array<Uint8Array | null>(record.erasure.distribution.length).fill(null);
  for (const { copy } of chosen) {
    const index = shardOf[copy.drive];
    if (copy.inlineShard && index !== undefined) shards[index] = copy.inlineShard;
  }
  const codec = createReedSolomon(record.erasure.dataShards, record.erasure.parityShards);
  try {
    return {
      kind: "restore",
      version: { record, inlineData: codec.decodeBlock(shards, record.size) },
      complete: current.length === n && shards.every((shard) => shard !== null),
    };
  } catch (error) {
    if (!(error instanceof InsufficientShardsError)) throw error;
    return { kind: "inline-lost", shards: error.available, required: error.required };
  }
}

function compare(a: Candidate[], b: Candidate[]): number {
  return a[0].copy.dataDir < b[0].copy.dataDir ? -1 : a[0].copy.dataDir > b[0].copy.dataDir ? 1 : 0;
}

/** The copy with the latest metadata change; ties go to the record text most drives hold. */
function newestRecord(candidates: Candidate[]): Candidate {
  const votes = new Map<string, number>();
  for (const candidate of candidates)
    votes.set(candidate.text, (votes.get(candidate.text) ?? 0) + 1);
  return [...candidates].sort(
    (a, b) =>
      (b.record.metadataTimestamp ?? 0) - (a.record.metadataTimestamp ?? 0) ||
      (votes.get(b.text) ?? 0) - (votes.get(a.text) ?? 0),
  )[0];
}
