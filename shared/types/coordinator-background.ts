/**
 * Work the bucket coordinator hands to the Worker. The coordinator keeps
 * the durable queues (garbage collection, heals, configuration copies, the
 * replication log) and decides when a step is due and how often it is
 * retried; doing a step needs the drives, the erasure code or the
 * replication Queue, which belong to the Worker. The Worker implements this
 * interface and gives it to the coordinator when the runtime constructs
 * it, so Durable Object code never imports the Worker. The storage steps
 * report whether they are done (false: retry later), and one that throws
 * counts as not done.
 */
import type { ReplicationMessage } from "../replication/queue.ts";
import type { StoredVersion } from "./bucket-rpc.ts";
import type { ErasureInfo } from "./version-record.ts";

/** One queued removal: a version's record copies and blocks, or bare data dirs (`key` empty). */
export interface GarbageItem {
  key: string;
  versionId: string;
  dataDir: string;
  /** Further data dirs of the same write (multipart parts). */
  partDirs: string[];
  erasure: ErasureInfo;
}

export interface CoordinatorBackground {
  /** Removes one write (record copies and blocks) from every drive of its set. */
  collectGarbage(bucket: string, item: GarbageItem): Promise<boolean>;
  /** Heals a version a read found damaged; done when every drive is whole again. */
  healVersion(version: StoredVersion): Promise<boolean>;
  /** Stores the bucket's configuration copy (JSON, `version`) on every drive of the deployment. */
  pushConfigCopy(bucket: string, version: number, copy: string): Promise<boolean>;
  /**
   * Wakes the replication consumer for these versions and targets, after
   * the commit that queued them; never throws (a lost wake-up is recovered
   * by the scanner from the replication log). `delaySeconds` holds them
   * back (a retry's backoff).
   */
  wakeReplication(messages: ReplicationMessage[], delaySeconds?: number): Promise<void>;
}
