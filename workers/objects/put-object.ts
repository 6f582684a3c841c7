/**
 * PutObject in the object layer (also CopyObject's write and replica
 * writes): the version is streamed onto its erasure set and committed at
 * write quorum (erasure/write-object.ts holds the write state machine).
 */
import type { FloeConfig } from "../../shared/config.ts";
import type { VersionRecord } from "../../shared/types/version-record.ts";
import { writeObject, type ObjectWrite } from "./erasure/write-object.ts";
import { getDeploymentId } from "./stubs.ts";
import type { WriteBatch } from "./erasure/write-batch.ts";
import type { WaitUntil } from "./versions.ts";

export type { ObjectWrite };
export { WriteBatch } from "./erasure/write-batch.ts";

/** Writes one object version and commits it; returns the committed record. */
export async function putObject(
  env: Env,
  config: FloeConfig,
  waitUntil: WaitUntil,
  write: ObjectWrite,
  batch?: WriteBatch,
): Promise<VersionRecord> {
  const deploymentId = await getDeploymentId(env);
  return writeObject({ env, config, deploymentId, waitUntil, batch }, write);
}
