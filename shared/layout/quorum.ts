/**
 * Quorum math, as MinIO's erasure sets do it. For a set of N drives with
 * k = N − m data shards and m parity shards:
 *   read quorum  = k            (any k good shards rebuild the data)
 *   write quorum = k, or k + 1 when k == m (so two halves can never both win)
 * Default parity by set size (storage class STANDARD): 1→0, 2–3→1, 4–5→2,
 * 6–7→3, 8–16→4. REDUCED_REDUNDANCY: 2, or 1 where the set is smaller.
 */

/** MinIO's default STANDARD parity for a set of `drives` drives. */
export function defaultParity(drives: number): number {
  if (drives <= 1) return 0;
  if (drives <= 3) return 1;
  if (drives <= 5) return 2;
  if (drives <= 7) return 3;
  return 4;
}

/** Default REDUCED_REDUNDANCY parity: 2, or 1 on sets of fewer than 4 drives (0 on one drive). */
export function defaultRrsParity(drives: number): number {
  if (drives <= 1) return 0;
  if (drives < 4) return 1;
  return 2;
}

export interface Quorum {
  readonly dataShards: number;
  readonly parityShards: number;
  readonly readQuorum: number;
  readonly writeQuorum: number;
}

/** Read and write quorum for k data and m parity shards. */
export function quorumFor(dataShards: number, parityShards: number): Quorum {
  return {
    dataShards,
    parityShards,
    readQuorum: dataShards,
    writeQuorum: dataShards === parityShards ? dataShards + 1 : dataShards,
  };
}
