/**
 * Floe's HTTP API, in one table: every route the Worker serves, in the
 * order Hono tries them.
 *
 * Every request: request id → timing → erasure ready → route; a failure is
 * rendered by `renderError` (S3 XML, or admin JSON on admin paths).
 *
 * Admin API, /floe/admin/v1/ (docs/admin-api.md): SigV4-signed JSON. The
 * gate authenticates the caller; then each route checks its permission
 * (`can`, or inside the route where it depends on the path or the body)
 * before its body is read. Routes with `can` and `body` are the deployment
 * routes; the IAM, target, resync and verify routes live in their modules.
 *
 * /floe/metrics: Prometheus (bearer token or admin:Prometheus).
 *
 * Everything else is S3: the pipeline classifies the request into its AWS
 * action (s3/classify.ts), authenticates, authorizes and dispatches it
 * (s3/dispatch.ts).
 */
import { Hono } from "hono";
import { loadConfig } from "../../shared/config.ts";
import { faultRequestSchema, injectFault } from "../admin/faults.ts";
import { healRequestSchema, runHeal } from "../admin/heal.ts";
import { json } from "../admin/http.ts";
import * as iam from "../admin/iam-routes.ts";
import { deploymentInfo } from "../admin/info.ts";
import { lifecycleRunSchema, runLifecycleNow } from "../admin/lifecycle.ts";
import {
  coordinatorFaultSchema,
  rebuildRequestSchema,
  runRebuild,
  wipeCoordinator,
} from "../admin/rebuild.ts";
import * as resync from "../admin/resync-routes.ts";
import * as serviceAccounts from "../admin/service-account-routes.ts";
import * as targets from "../admin/target-routes.ts";
import * as verify from "../admin/verify-routes.ts";
import { metricsAuth, metricsMethod, serveMetrics } from "../metrics/route.ts";
import { handleS3 } from "../s3/pipeline.ts";
import { adminGate, body, can, noSuchAdminRoute, routeCall, type AdminEdge } from "./admin.ts";
import { erasureReady, renderError, requestId, timing, type Edge } from "./middleware.ts";
import { routingPath } from "./paths.ts";

const admin = new Hono<AdminEdge>()
  // Deployment
  .get("/info", can("admin:ServerInfo"), async (c) =>
    json(await deploymentInfo(c.env, loadConfig(c.env))),
  )
  .post("/heal", can("admin:Heal"), body(healRequestSchema), async (c) =>
    json(await runHeal(c.env, c.req.valid("json"))),
  )
  .post("/rebuild", can("admin:Heal"), body(rebuildRequestSchema), async (c) =>
    json(await runRebuild(c.env, loadConfig(c.env), c.req.valid("json"))),
  )
  .post("/lifecycle/run", can("admin:RunLifecycle"), body(lifecycleRunSchema), async (c) =>
    json(await runLifecycleNow(c.env, loadConfig(c.env), c.req.valid("json"))),
  )
  .post("/drives/fault", can("admin:FaultInjection"), body(faultRequestSchema), async (c) =>
    json(await injectFault(c.env, loadConfig(c.env), c.req.valid("json"))),
  )
  .post(
    "/coordinator/fault",
    can("admin:FaultInjection"),
    body(coordinatorFaultSchema),
    async (c) => json(await wipeCoordinator(c.env, loadConfig(c.env), c.req.valid("json"))),
  )
  // Users, groups, policies (admin/iam-routes.ts)
  .post("/users", routeCall(iam.addUser))
  .get("/users", routeCall(iam.listUsers))
  .get("/users/:accessKey", routeCall(iam.userInfo))
  .delete("/users/:accessKey", routeCall(iam.removeUser))
  .put("/users/:accessKey/status", routeCall(iam.setUserStatus))
  .post("/groups", routeCall(iam.addGroup))
  .get("/groups", routeCall(iam.listGroups))
  .get("/groups/:name", routeCall(iam.groupInfo))
  .delete("/groups/:name", routeCall(iam.removeGroup))
  .post("/groups/:name/members", routeCall(iam.groupMembers))
  .put("/groups/:name/status", routeCall(iam.setGroupStatus))
  .get("/policies", routeCall(iam.listPolicies))
  .post("/policies/attach", routeCall(iam.attach))
  .post("/policies/detach", routeCall(iam.attach))
  .put("/policies/:name", routeCall(iam.putPolicy))
  .get("/policies/:name", routeCall(iam.policyInfo))
  .delete("/policies/:name", routeCall(iam.removePolicy))
  // Service accounts (admin/service-account-routes.ts)
  .post("/service-accounts", routeCall(serviceAccounts.add))
  .get("/service-accounts", routeCall(serviceAccounts.list))
  .get("/service-accounts/:accessKey", routeCall(serviceAccounts.info))
  .patch("/service-accounts/:accessKey", routeCall(serviceAccounts.update))
  .delete("/service-accounts/:accessKey", routeCall(serviceAccounts.remove))
  // Remote targets and replication state (admin/target-routes.ts)
  .post("/buckets/:bucket/remote-targets", routeCall(targets.addTarget))
  .get("/buckets/:bucket/remote-targets", routeCall(targets.listTargets))
  .patch("/buckets/:bucket/remote-targets", routeCall(targets.editTarget))
  .delete("/buckets/:bucket/remote-targets", routeCall(targets.removeTarget))
  .get("/buckets/:bucket/replication/status", routeCall(targets.status))
  .get("/buckets/:bucket/replication/diff", routeCall(targets.diff))
  // Resync jobs (admin/resync-routes.ts)
  .post("/buckets/:bucket/replication/resync", routeCall(resync.start))
  .get("/buckets/:bucket/replication/resync", routeCall(resync.list))
  .delete("/buckets/:bucket/replication/resync", routeCall(resync.cancel))
  // Comparing replicated buckets (admin/verify-routes.ts)
  .get("/buckets/:bucket/replication/digest", routeCall(verify.digest))
  .post("/buckets/:bucket/replication/verify", routeCall(verify.verify));

/** The Worker's fetch: `app.fetch(request, env, ctx)`. */
export const app = new Hono<Edge>({ getPath: routingPath });
app.onError(renderError);
app.use(requestId, timing, erasureReady);
// Admin API
app.use("/floe/admin/:path{.*}", adminGate);
app.route("/floe/admin/v1", admin);
app.all("/floe/admin/:path{.*}", noSuchAdminRoute);
// Prometheus
app.all("/floe/metrics", metricsMethod, metricsAuth, (c) => serveMetrics(c.env));
// S3: everything else
app.all("*", (c) =>
  // Hono types the context it was given loosely; it is the Worker's own.
  handleS3(c.req.raw, c.env, c.executionCtx as ExecutionContext, c.var.requestId),
);
