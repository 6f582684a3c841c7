/**
 * `GET /floe/admin/v1/info`: the deployment id, and pools → sets → drives,
 * each drive with its id, state and used bytes, each set with its data and
 * parity counts, read and write quorum and online drive count.
 */
import type { FloeConfig } from "../../shared/config.ts";
import { quorumFor } from "../../shared/layout/quorum.ts";
import { driveName, setName } from "../../shared/layout/placement.ts";
import { deploymentStub, driveStub, getDeploymentId } from "../objects/stubs.ts";

export interface DriveInfo {
  id: string;
  state: "online" | "offline";
  usedBytes: number;
  shardBlocks: number;
  versions: number;
}

export interface SetInfo {
  id: string;
  dataShards: number;
  parityShards: number;
  reducedRedundancyParity: number;
  readQuorum: number;
  writeQuorum: number;
  onlineDrives: number;
  drives: DriveInfo[];
}

export interface DeploymentInfo {
  deploymentId: string;
  region: string;
  blockSize: number;
  inlineThreshold: number;
  faultInjection: boolean;
  buckets: number;
  pools: { index: number; sets: SetInfo[] }[];
}

/** Gathers the deployment's layout and drive states. */
export async function deploymentInfo(env: Env, config: FloeConfig): Promise<DeploymentInfo> {
  const [deploymentId, buckets] = await Promise.all([
    getDeploymentId(env),
    deploymentStub(env).listBuckets(),
  ]);
  const pools = await Promise.all(
    config.pools.map(async (pool, p) => {
      const parity = config.parity[p];
      const quorum = quorumFor(pool.drivesPerSet - parity.standard, parity.standard);
      const sets = await Promise.all(
        Array.from({ length: pool.sets }, async (_, s): Promise<SetInfo> => {
          const drives = await Promise.all(
            Array.from({ length: pool.drivesPerSet }, async (_, d): Promise<DriveInfo> => {
              const id = driveName(p, s, d);
              try {
                const usage = await driveStub(env, { pool: p, set: s }, d).usage();
                return { id, state: usage.online ? "online" : "offline", ...usage };
              } catch {
                return { id, state: "offline", usedBytes: 0, shardBlocks: 0, versions: 0 };
              }
            }),
          );
          return {
            id: setName({ pool: p, set: s }),
            dataShards: quorum.dataShards,
            parityShards: quorum.parityShards,
            reducedRedundancyParity: parity.reduced,
            readQuorum: quorum.readQuorum,
            writeQuorum: quorum.writeQuorum,
            onlineDrives: drives.filter((d) => d.state === "online").length,
            drives: drives.map(({ id, state, usedBytes, shardBlocks, versions }) => ({
              id,
              state,
              usedBytes,
              shardBlocks,
              versions,
            })),
          };
        }),
      );
      return { index: p, sets };
    }),
  );
  return {
    deploymentId,
    region: config.region,
    blockSize: config.blockSize,
    inlineThreshold: config.inlineThreshold,
    faultInjection: config.faultInjection,
    buckets: buckets.length,
    pools,
  };
}
