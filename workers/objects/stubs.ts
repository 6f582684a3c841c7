/**
 * Typed access to the Durable Objects: drives by their place in the layout,
 * bucket coordinators by bucket name, and the deployment and IAM singletons. Object
 * naming (`idFromName`) is hidden here and nowhere else. A bucket's coordinator is
 * called only by the object layer (this folder); everything else goes through it.
 */
import { driveName, type SetAddress } from "../../shared/layout/placement.ts";

/** Object ids by namespace and name: an id is a hash of the name, the same for the isolate's life. */
const ids = new WeakMap<object, Map<string, DurableObjectId>>();

function idOf(
  namespace: { idFromName(name: string): DurableObjectId },
  name: string,
): DurableObjectId {
  let byName = ids.get(namespace);
  if (!byName) ids.set(namespace, (byName = new Map<string, DurableObjectId>()));
  let id = byName.get(name);
  if (!id) {
    id = namespace.idFromName(name);
    if (byName.size >= 4096) byName.clear();
    byName.set(name, id);
  }
  return id;
}

/** The drive at `pool/set/drive`. */
export function driveStub(env: Env, address: SetAddress, drive: number) {
  return env.DRIVE.get(idOf(env.DRIVE, driveName(address.pool, address.set, drive)));
}

export type DriveStub = ReturnType<typeof driveStub>;

/** All drives of a set, in drive order. */
export function setDrives(env: Env, address: SetAddress, drives: number): DriveStub[] {
  return Array.from({ length: drives }, (_, i) => driveStub(env, address, i));
}

/** The coordinator of bucket `name`. */
export function bucketStub(env: Env, name: string) {
  return env.BUCKET.get(idOf(env.BUCKET, `bucket:${name}`));
}

export type BucketStub = ReturnType<typeof bucketStub>;

/** The deployment-wide singleton. */
export function deploymentStub(env: Env) {
  return env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName("deployment"));
}

/** The site's IAM store. */
export function iamStub(env: Env) {
  return env.IAM.get(env.IAM.idFromName("iam"));
}

let deploymentId: string | null = null;

/** The site's deployment id, cached per isolate (it never changes). */
export async function getDeploymentId(env: Env): Promise<string> {
  deploymentId ??= await deploymentStub(env).getDeploymentId();
  return deploymentId;
}
