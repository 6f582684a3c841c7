/** RPC types of remote targets (held by the Deployment Durable Object). */

/** A remote target as listed: never with its secret key. */
export interface RemoteTarget {
  arn: string;
  sourceBucket: string;
  /** Base URL of the remote site, e.g. `http://127.0.0.1:8788`. */
  endpoint: string;
  targetBucket: string;
  region: string;
  accessKey: string;
  sync: boolean;
  /** Bytes per second; null for no limit. */
  bandwidth: number | null;
  /** Seconds between health probes while online (an offline target is probed more often). */
  healthCheckSeconds: number;
  /** The write-to-replica lag objective (s); null for none. */
  lagSloSeconds: number | null;
  createdAt: string;
  health: TargetHealth;
}

export interface TargetHealth {
  online: boolean;
  /** ISO time of the last successful contact; null before any. */
  lastOnline: string | null;
  /** ISO time since which it is offline; null while online. */
  offlineSince: string | null;
  /** Total time spent offline (ms), the current outage included. */
  downtimeMs: number;
  /** Latency of the last health probe (ms); null while offline (no stale figure). */
  latencyMs: number | null;
  lastCheck: string | null;
}

/** What replication needs to talk to a target: its secret, opened. */
export interface TargetCredentials {
  arn: string;
  endpoint: string;
  targetBucket: string;
  region: string;
  accessKey: string;
  secretKey: string;
  sync: boolean;
  bandwidth: number | null;
}

/** A target to add: its connection as replication uses it, its bucket and probe settings. */
export interface NewTarget extends Omit<TargetCredentials, "arn"> {
  sourceBucket: string;
  healthCheckSeconds: number;
  lagSloSeconds?: number | null;
}

export interface TargetUpdate {
  accessKey?: string;
  secretKey?: string;
  sync?: boolean;
  bandwidth?: number | null;
  healthCheckSeconds?: number;
  lagSloSeconds?: number | null;
}
