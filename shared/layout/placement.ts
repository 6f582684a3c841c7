/**
 * Object placement. The erasure set of an object is a keyed hash of
 * "bucket/key" (HMAC-SHA256 keyed with the deployment id, first 4 bytes,
 * big-endian) modulo the number of sets across all pools, so placement is
 * stable for a deployment and unpredictable across deployments. Inside its
 * set, an object's shards are rotated by the next 4 bytes of the same hash:
 * shard s lives on drive (s + rotation) mod N, so no drive holds all parity.
 * The chosen set and distribution are stored in each version record; reads
 * never recompute them.
 */
import { createHmac } from "node:crypto";
import type { PoolConfig } from "../config.ts";

export interface SetAddress {
  readonly pool: number;
  readonly set: number;
}

/** A drive's stable name, e.g. `pool-0/set-1/drive-5`. */
export function driveName(pool: number, set: number, drive: number): string {
  return `pool-${pool}/set-${set}/drive-${drive}`;
}

/** A set's stable name, e.g. `pool-0/set-1`. */
export function setName(address: SetAddress): string {
  return `pool-${address.pool}/set-${address.set}`;
}

/** Parses `pool-P/set-S`; returns null when malformed. */
export function parseSetName(name: string): SetAddress | null {
  const match = /^pool-(\d+)\/set-(\d+)$/.exec(name);
  return match ? { pool: Number(match[1]), set: Number(match[2]) } : null;
}

/** Every set of the layout, pool by pool. */
export function allSets(pools: readonly PoolConfig[]): SetAddress[] {
  const sets: SetAddress[] = [];
  pools.forEach((pool, p) => {
    for (let s = 0; s < pool.sets; s++) sets.push({ pool: p, set: s });
  });
  return sets;
}

export interface Placement {
  readonly address: SetAddress;
  /** distribution[shardIndex] = drive index inside the set. */
  readonly distribution: number[];
}

/** Places `bucket/key` on a set and rotates its shard order. */
export function placeObject(
  deploymentId: string,
  pools: readonly PoolConfig[],
  bucket: string,
  key: string,
): Placement {
  const digest = createHmac("sha256", deploymentId).update(`${bucket}/${key}`).digest();
  const sets = allSets(pools);
  const address = sets[digest.readUInt32BE(0) % sets.length];
  const drives = pools[address.pool].drivesPerSet;
  const rotation = digest.readUInt32BE(4) % drives;
  const distribution = Array.from({ length: drives }, (_, shard) => (shard + rotation) % drives);
  return { address, distribution };
}
