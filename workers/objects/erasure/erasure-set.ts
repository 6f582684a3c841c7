/**
 * Resolves an object's erasure parameters: its set (by placement), data and
 * parity counts for its storage class (through the configured class →
 * parity map), quorum, and the drives of the set.
 */
import type { FloeConfig } from "../../../shared/config.ts";
import { quorumFor, type Quorum } from "../../../shared/layout/quorum.ts";
import { parseSetName, placeObject, setName } from "../../../shared/layout/placement.ts";
import type { ErasureInfo, StorageClass } from "../../../shared/types/version-record.ts";
import { setDrives, type DriveStub } from "../stubs.ts";

/** Erasure info for a new version of `bucket/key`. */
export function planErasure(
  config: FloeConfig,
  deploymentId: string,
  bucket: string,
  key: string,
  storageClass: StorageClass,
): ErasureInfo {
  const placement = placeObject(deploymentId, config.pools, bucket, key);
  const drives = config.pools[placement.address.pool].drivesPerSet;
  const parity = config.parity[placement.address.pool];
  const parityShards =
    config.storageClassParity[storageClass] === "REDUCED_REDUNDANCY"
      ? parity.reduced
      : parity.standard;
  return {
    set: setName(placement.address),
    dataShards: drives - parityShards,
    parityShards,
    blockSize: config.blockSize,
    distribution: placement.distribution,
  };
}

/** The drives of an erasure info's set, in drive order. */
export function drivesOf(env: Env, erasure: ErasureInfo): DriveStub[] {
  const address = parseSetName(erasure.set);
  if (!address) throw new Error(`malformed set name ${erasure.set}`);
  return setDrives(env, address, erasure.distribution.length);
}

/** Read and write quorum of an erasure info. */
export function quorumOf(erasure: ErasureInfo): Quorum {
  return quorumFor(erasure.dataShards, erasure.parityShards);
}

/** shardOfDrive[driveIndex] = shard index that drive holds. */
export function shardOfDrive(erasure: ErasureInfo): number[] {
  const inverse = new Array<number>(erasure.distribution.length);
  erasure.distribution.forEach((drive, shard) => (inverse[drive] = shard));
  return inverse;
}
