/**
 * Remote targets from the CLI: the `http://KEY:SECRET@host:port/BUCKET`
 * form mc takes (parsed here, so a secret holding `/` or `+` works
 * unencoded: it runs to the last `@`, as in FLOE_HOST_ variables), the
 * admin API call that adds one, and how a target is shown. Secrets are
 * never printed: the server does not return them.
 */
import type { AdminClient } from "../admin/client.ts";
import { usageError } from "../core/errors.ts";
import { humanBytes, humanDuration } from "../core/format.ts";
import { parseDuration, parseSize } from "../core/units.ts";
import { remoteTargetSchema, type RemoteTarget } from "../../shared/admin-api/replication.ts";

/** A remote bucket with the credentials to reach it. */
export interface TargetUrl {
  endpoint: string;
  targetBucket: string;
  accessKey: string;
  secretKey: string;
}

/** Options of a new remote target (all optional: the server has defaults). */
export interface TargetOptions {
  region?: string;
  sync?: boolean;
  bandwidth?: number | null;
  healthCheckSeconds?: number;
  lagSloSeconds?: number | null;
}

/** Parses `--lag-slo 30s` (a duration, 1 s to 1 day) into seconds. */
export function parseLagSlo(text: string): number {
  const seconds = Math.round(parseDuration(text) / 1000);
  if (seconds < 1 || seconds > 86_400)
    throw usageError(`--lag-slo ${text} must be between 1s and 1d.`);
  return seconds;
}

const TARGET_URL = /^(https?):\/\/([^:@/]+):(.*)@([^@/?#]+)\/([^/?#]+)\/?$/;

/** True when `text` looks like a URL rather than an ARN. */
export function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/** Parses `http(s)://KEY:SECRET@host:port/BUCKET`. */
export function parseTargetUrl(text: string): TargetUrl {
  const match = TARGET_URL.exec(text);
  if (!match) {
    throw usageError(
      `Invalid remote "${redact(text)}": use http(s)://ACCESSKEY:SECRETKEY@host:port/BUCKET.`,
    );
  }
  const [, scheme, key, secret, host, bucket] = match;
  return {
    endpoint: `${scheme}://${host}`,
    targetBucket: decodeLenient(bucket),
    accessKey: decodeLenient(key),
    secretKey: decodeLenient(secret),
  };
}

/** Parses `--credentials KEY:SECRET` (the secret runs from the first `:`). */
export function parseCredentials(text: string): { accessKey: string; secretKey: string } {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    throw usageError("--credentials takes ACCESSKEY:SECRETKEY.");
  }
  return { accessKey: text.slice(0, colon), secretKey: text.slice(colon + 1) };
}

/** The smallest bandwidth limit Floe accepts (bytes per second). */
export const MIN_BANDWIDTH = 1024 * 1024;

/** Parses `--bandwidth 100M` (bytes per second, K/M/G decimal, Ki/Mi/Gi binary). */
export function parseBandwidth(text: string): number {
  const bytes = parseSize(text);
  if (bytes < MIN_BANDWIDTH) {
    throw usageError(`--bandwidth ${text} is below the minimum of 1MiB per second.`);
  }
  return bytes;
}

/** Adds (or updates, for the same remote bucket) a remote target of `bucket`. */
export async function addRemoteTarget(
  client: AdminClient,
  bucket: string,
  remote: TargetUrl,
  options: TargetOptions,
): Promise<RemoteTarget> {
  return client.call(
    "POST",
    `buckets/${encodeURIComponent(bucket)}/remote-targets`,
    remoteTargetSchema,
    {
      ...remote,
      ...options,
    },
  );
}

/** The JSON record of a target. */
export function targetRecord(target: RemoteTarget): Record<string, unknown> {
  return { type: "remoteTarget", ...target };
}

/** `http://host:port/bucket` */
export function remoteName(endpoint: string | null, bucket: string | null): string {
  return endpoint === null ? "-" : `${endpoint.replace(/\/+$/, "")}/${bucket ?? ""}`;
}

/** `100MB/s`, or `-` for no limit. */
export function bandwidthText(bandwidth: number | null): string {
  if (bandwidth === null) return "-";
  return `${humanBytes(bandwidth)}/s`;
}

/** `online`, or `offline for 4m05s`. */
export function healthText(health: RemoteTarget["health"] | null): string {
  if (!health) return "unknown";
  if (health.online) return "online";
  if (!health.offlineSince) return "offline";
  return `offline for ${humanDuration((Date.now() - Date.parse(health.offlineSince)) / 1000)}`;
}

/** Total downtime, `0s` when never down. */
export function downtimeText(health: RemoteTarget["health"] | null): string {
  return health ? humanDuration(health.downtimeMs / 1000) : "-";
}

/** The table `remote ls` prints. */
export function targetTable(targets: RemoteTarget[]): string[][] {
  return [
    ["ARN", "REMOTE", "MODE", "BANDWIDTH", "HEALTH", "DOWNTIME"],
    ...targets.map((t) => [
      t.arn,
      remoteName(t.endpoint, t.targetBucket),
      t.sync ? "sync" : "async",
      bandwidthText(t.bandwidth),
      healthText(t.health),
      downtimeText(t.health),
    ]),
  ];
}

/** The URL with its secret hidden, for error messages. */
export function redact(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]+:).*@/i, "$1****@");
}

function decodeLenient(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
