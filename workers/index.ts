/**
 * The Floe Worker: S3 and the admin API over HTTP (fetch), the cron
 * scanner (scheduled) and the replication consumer (queue). Durable Object classes are exported from here.
 */
import "../shared/erasure/wasm-workerd.ts";
import { handleFetch } from "./router.ts";
import { runScheduled } from "./scanner/scheduled.ts";
import { handleReplicationBatch } from "./replication/consumer.ts";
import type { ReplicationMessage } from "../shared/replication/queue.ts";

export { Drive } from "../durable-objects/drive/drive.ts";
export { Bucket } from "./bucket-coordinator.ts";
export { Deployment } from "../durable-objects/deployment/deployment.ts";
export { Iam } from "../durable-objects/iam/iam.ts";

export default {
  fetch: (request, env, ctx) => handleFetch(request, env, ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, env, ctx),
  queue: (batch, env) => handleReplicationBatch(batch, env),
} satisfies ExportedHandler<Env, ReplicationMessage>;
