/**
 * The Floe Worker: S3 and the admin API over HTTP (fetch, the Hono app in
 * http/routes.ts, given the headers the client sent: client-headers.ts),
 * the cron scanner (scheduled) and the replication consumer (queue).
 * Durable Object classes are exported from here.
 */
import "../shared/erasure/wasm-workerd.ts";
import { withClientHeaders } from "./client-headers.ts";
import { app } from "./http/routes.ts";
import { runScheduled } from "./scanner/scheduled.ts";
import { handleReplicationBatch } from "./replication/send/consumer.ts";
import type { ReplicationMessage } from "../shared/replication/queue.ts";

export { Drive } from "../durable-objects/drive/drive.ts";
export { Bucket } from "./bucket-coordinator.ts";
export { Deployment } from "../durable-objects/deployment/deployment.ts";
export { Iam } from "../durable-objects/iam/iam.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(withClientHeaders(request, env), env, ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, env, ctx),
  queue: (batch, env) => handleReplicationBatch(batch, env),
} satisfies ExportedHandler<Env, ReplicationMessage>;
