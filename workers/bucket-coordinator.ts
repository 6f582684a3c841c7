/**
 * The bucket coordinator as the Worker exports it: the Durable Object
 * (durable-objects/bucket/) given the data path's side of its background
 * work (garbage collection, heals, configuration copies on the drives).
 */
import { BucketCoordinator } from "../durable-objects/bucket/bucket.ts";
import { coordinatorBackground } from "./objects/erasure/background.ts";

export class Bucket extends BucketCoordinator {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, coordinatorBackground(env));
  }
}
