/** Helpers shared by the `replicate` commands. */
import { InvalidArgumentError } from "@commander-js/extra-typings";
import type { Context } from "../../core/context.ts";
import { requireBucketOnly, type RemoteLocation } from "../../core/location.ts";
import { BucketReplication } from "../../replication/bucket-replication.ts";

/** The bucket a `replicate` command works on, and its configuration calls. */
export interface ReplicationScope {
  location: RemoteLocation;
  replication: BucketReplication;
}

/** Parses the ALIAS/BUCKET argument of `replicate <command>`. */
export function replicationScope(ctx: Context, raw: string, command: string): ReplicationScope {
  const location = requireBucketOnly(ctx.location(raw), `replicate ${command}`);
  return {
    location,
    replication: new BucketReplication(ctx.aliases.get(location.alias), ctx.signal),
  };
}

/** Parses a rule priority (a non-negative integer). */
export function priorityOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`"${value}" is not a non-negative integer.`);
  }
  return n;
}
