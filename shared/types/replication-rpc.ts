/**
 * RPC types of the bucket coordinator's replication state: the work the
 * consumer receives, multipart transfers in progress, per-target statistics
 * (counts, latency, write-to-replica lag) and `replicate verify --fix`
 * requests.
 */
import type { StoredVersion } from "./bucket-rpc.ts";
import type { ReplicationKind } from "../replication/config.ts";
import type { LagWindow } from "../replication/lag.ts";
import type { TargetStatus } from "../replication/status.ts";

/** One unit of replication work, as the consumer receives it. */
export interface ReplicationOp {
  key: string;
  versionId: string;
  target: string;
  kind: ReplicationKind;
  status: TargetStatus;
  attempts: number;
  size: number;
  /** The resync or existing-object job that queued it, if any. */
  job: string | null;
  /** A multipart transfer in progress (resumed by part on a retry). */
  upload: UploadProgress | null;
  /** Bumped by every change of the row; a completion must match it. */
  generation: number;
}

export interface UploadProgress {
  uploadId: string;
  /** Part number → ETag of the parts the target acknowledged. */
  parts: Record<string, string>;
}

export interface TargetStats {
  target: string;
  replicatedCount: number;
  replicatedBytes: number;
  pendingCount: number;
  pendingBytes: number;
  failedCount: number;
  failedBytes: number;
  failedLastMinute: { count: number; bytes: number };
  failedLastHour: { count: number; bytes: number };
  /** Versions currently FAILED (waiting for a retry). */
  failedNow: number;
  /** Age of the oldest PENDING or FAILED change (ms); 0 when none. */
  lagMs: number;
  /** Version deletes (purges) the target has not confirmed yet: PENDING and FAILED. */
  purge: { pending: number; failed: number };
  latency: { buckets: number[]; counts: number[]; sumMs: number; count: number };
  /** Write-to-replica lag (histogram, p50/p99 over the last minute and hour). */
  lag: LagStats;
  /** The target's lag objective (s), when one is set. */
  lagSloSeconds: number | null;
  /** Changes not yet replicated that are older than the objective (0 without one). */
  overSloCount: number;
  /** True when a change is older than the objective or the last minute's p99 exceeds it. */
  sloBreached: boolean;
}

export interface ReplicationStats {
  targets: TargetStats[];
  received: { count: number; bytes: number };
}

export interface LagStats {
  /** Since the start: `counts[i]` samples in bucket i (not cumulative), the last one +Inf. */
  histogram: { buckets: number[]; counts: number[]; sumMs: number; count: number };
  lastMinute: LagWindow;
  lastHour: LagWindow;
}

export interface VerifyFix {
  key: string;
  versionId: string;
  /** True when only tags, retention or legal hold differ. */
  metadataOnly: boolean;
}

/** What the consumer needs to replicate one version to one target. */
export interface ReplicationTask {
  op: ReplicationOp;
  version: StoredVersion | null;
  ready: boolean;
  /** The storage class the deciding rule asks the target to use, if any. */
  storageClass: string | null;
}

/** Where a drain got to: the last row it took, in (change time, key, version id) order. */
export interface DrainCursor {
  createdAt: number;
  key: string;
  versionId: string;
}

/** A row a drain took: where it is in the drain's order, and its attempts so far. */
export interface DrainRow extends DrainCursor {
  attempts: number;
}
