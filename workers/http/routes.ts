/**
 * Floe's HTTP API, in one table: every route the Worker serves, in the
 * order Hono tries them.
 *
 * Every request: request id → timing → hash ready → route; a failure is
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
import { hashReady, renderError, requestId, timing, type Edge } from "./middleware.ts";
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
  .post("/users", routeCall(iam.addUser)) // admin:CreateUser
  .get("/users", routeCall(iam.listUsers)) // admin:ListUsers
  .get("/users/:accessKey", routeCall(iam.userInfo)) // admin:GetUser, or the caller itself
  .delete("/users/:accessKey", routeCall(iam.removeUser)) // admin:DeleteUser
  .put("/users/:accessKey/status", routeCall(iam.setUserStatus)) // admin:EnableUser | admin:DisableUser
  .post("/groups", routeCall(iam.addGroup)) // admin:AddUserToGroup
  .get("/groups", routeCall(iam.listGroups)) // admin:ListGroups
  .get("/groups/:name", routeCall(iam.groupInfo)) // admin:GetGroup
  .delete("/groups/:name", routeCall(iam.removeGroup)) // admin:RemoveUserFromGroup
  .post("/groups/:name/members", routeCall(iam.groupMembers)) // admin:AddUserToGroup / admin:RemoveUserFromGroup
  .put("/groups/:name/status", routeCall(iam.setGroupStatus)) // admin:EnableGroup | admin:DisableGroup
  .get("/policies", routeCall(iam.listPolicies)) // admin:ListUserPolicies
  .post("/policies/attach", routeCall(iam.attach)) // admin:AttachUserOrGroupPolicy
  .post("/policies/detach", routeCall(iam.attach)) // admin:AttachUserOrGroupPolicy
  .put("/policies/:name", routeCall(iam.putPolicy)) // admin:CreatePolicy
  .get("/policies/:name", routeCall(iam.policyInfo)) // admin:GetPolicy
  .delete("/policies/:name", routeCall(iam.removePolicy)) // admin:DeletePolicy
  // Service accounts (admin/service-account-routes.ts)
  .post("/service-accounts", routeCall(serviceAccounts.add)) // admin:CreateServiceAccount, or own
  .get("/service-accounts", routeCall(serviceAccounts.list)) // admin:ListServiceAccounts, or own
  .get("/service-accounts/:accessKey", routeCall(serviceAccounts.info)) // admin:ListServiceAccounts, or own
  .patch("/service-accounts/:accessKey", routeCall(serviceAccounts.update)) // admin:UpdateServiceAccount, or own
  .delete("/service-accounts/:accessKey", routeCall(serviceAccounts.remove)) // admin:RemoveServiceAccount, or own
  // Remote targets and replication state (admin/target-routes.ts)
  .post("/buckets/:bucket/remote-targets", routeCall(targets.addTarget)) // admin:SetBucketTarget
  .get("/buckets/:bucket/remote-targets", routeCall(targets.listTargets)) // admin:GetBucketTarget
  .patch("/buckets/:bucket/remote-targets", routeCall(targets.editTarget)) // admin:SetBucketTarget
  .delete("/buckets/:bucket/remote-targets", routeCall(targets.removeTarget)) // admin:SetBucketTarget
  .get("/buckets/:bucket/replication/status", routeCall(targets.status)) // s3:GetReplicationConfiguration
  .get("/buckets/:bucket/replication/diff", routeCall(targets.diff)) // s3:GetReplicationConfiguration
  // Resync jobs (admin/resync-routes.ts)
  .post("/buckets/:bucket/replication/resync", routeCall(resync.start)) // s3:ResetBucketReplicationState
  .get("/buckets/:bucket/replication/resync", routeCall(resync.list)) // s3:ResetBucketReplicationState
  .delete("/buckets/:bucket/replication/resync", routeCall(resync.cancel)) // s3:ResetBucketReplicationState
  // Comparing replicated buckets (admin/verify-routes.ts)
  .get("/buckets/:bucket/replication/digest", routeCall(verify.digest)) // s3:ListBucket
  .post("/buckets/:bucket/replication/verify", routeCall(verify.verify)); // s3:GetReplicationConfiguration

/** The Worker's fetch: `app.fetch(request, env, ctx)`. */
export const app = new Hono<Edge>({ getPath: routingPath });
app.onError(renderError);
app.use(requestId, timing, hashReady);
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
