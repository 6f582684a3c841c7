/**
 * Floe's HTTP API, in one table: every route the Worker serves, in the
 * order Hono tries them.
 *
 * Every request: request id → timing → hash ready → route; a failure is
 * rendered by `renderError` (S3 XML, or admin JSON on admin paths).
 *
 * Admin API, /floe/admin/v1/ (docs/admin-api.md): SigV4-signed JSON. The
 * gate authenticates the caller; then each route's chain runs in the order
 * written (admin/middleware.ts): path and query validators, the permission
 * (`can`, `canOnBucket`, `canAny`, or a check of the caller's own entries)
 * before the body is read, `body(schema)`, the exact action a body asks
 * for, the handler.
 *
 * /floe/health/live, /floe/health/cluster[/read]: unauthenticated health
 * probes (health.ts).
 *
 * /floe/metrics: Prometheus (bearer token or admin:Prometheus).
 *
 * Everything else is S3: the pipeline classifies the request into its AWS
 * action (s3/classify.ts), authenticates, authorizes and dispatches it
 * (s3/dispatch.ts).
 */
import { Hono } from "hono";
import { z } from "zod";
import { loadConfig } from "../../shared/config.ts";
import { arnQuery, bucketPath, existingBucket, remoteTarget } from "../admin/bucket-guards.ts";
import { faultRequestSchema, injectFault } from "../admin/faults.ts";
import { healRequestSchema, runHeal } from "../admin/heal.ts";
import { json } from "../admin/http.ts";
import * as iam from "../admin/iam-routes.ts";
import { accessKeyPath, byStatus, groupPath, policyPath, selfOr } from "../admin/iam-routes.ts";
import * as schemas from "../admin/iam-schemas.ts";
import { deploymentInfo } from "../admin/info.ts";
import { lifecycleRunSchema, runLifecycleNow } from "../admin/lifecycle.ts";
import {
  body,
  can,
  canAny,
  canOnBucket,
  canOnBucketPerBody,
  canPerBody,
  type AdminEdge,
} from "../admin/middleware.ts";
import {
  coordinatorFaultSchema,
  rebuildRequestSchema,
  runRebuild,
  wipeCoordinator,
} from "../admin/rebuild.ts";
import * as resync from "../admin/resync-routes.ts";
import * as sa from "../admin/service-account-access.ts";
import * as serviceAccounts from "../admin/service-account-routes.ts";
import * as targets from "../admin/target-routes.ts";
import * as verify from "../admin/verify-routes.ts";
import { metricsAuth, metricsMethod, serveMetrics } from "../metrics/route.ts";
import { handleS3 } from "../s3/pipeline.ts";
import { adminGate, noSuchAdminRoute } from "./admin.ts";
import { cluster, live } from "./health.ts";
import { hashReady, renderError, requestId, timing, type Edge } from "./middleware.ts";
import { routingPath } from "./paths.ts";

const ENABLE_USER = ["admin:EnableUser", "admin:DisableUser"] as const;
const ENABLE_GROUP = ["admin:EnableGroup", "admin:DisableGroup"] as const;
const GROUP_MEMBERS = ["admin:AddUserToGroup", "admin:RemoveUserFromGroup"] as const;
const RESYNC = "s3:ResetBucketReplicationState";
const ATTACH = "admin:AttachUserOrGroupPolicy";
const GET_REPLICATION = "s3:GetReplicationConfiguration";

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
  // Users (admin/iam-routes.ts)
  .post("/users", can("admin:CreateUser"), body(schemas.addUserSchema), iam.addUser)
  .get("/users", can("admin:ListUsers"), iam.listUsers)
  .get("/users/:accessKey", accessKeyPath, selfOr("admin:GetUser"), iam.userInfo)
  .delete("/users/:accessKey", accessKeyPath, can("admin:DeleteUser"), iam.removeUser)
  .put(
    "/users/:accessKey/status",
    accessKeyPath,
    canAny(ENABLE_USER),
    body(schemas.statusBodySchema),
    canPerBody(byStatus(...ENABLE_USER)),
    iam.setUserStatus,
  )
  // Groups
  .post("/groups", can("admin:AddUserToGroup"), body(schemas.addGroupSchema), iam.addGroup)
  .get("/groups", can("admin:ListGroups"), iam.listGroups)
  .get("/groups/:name", groupPath, can("admin:GetGroup"), iam.groupInfo)
  .delete("/groups/:name", groupPath, can("admin:RemoveUserFromGroup"), iam.removeGroup)
  .post(
    "/groups/:name/members",
    groupPath,
    canAny(GROUP_MEMBERS),
    body(schemas.groupMembersSchema),
    canPerBody(iam.memberChanges),
    iam.groupMembers,
  )
  .put(
    "/groups/:name/status",
    groupPath,
    canAny(ENABLE_GROUP),
    body(schemas.statusBodySchema),
    canPerBody(byStatus(...ENABLE_GROUP)),
    iam.setGroupStatus,
  )
  // Policies
  .get("/policies", can("admin:ListUserPolicies"), iam.listPolicies)
  .post("/policies/attach", can(ATTACH), body(schemas.attachSchema), iam.attachment(true))
  .post("/policies/detach", can(ATTACH), body(schemas.attachSchema), iam.attachment(false))
  .put("/policies/:name", policyPath, can("admin:CreatePolicy"), body(z.unknown()), iam.putPolicy)
  .get("/policies/:name", policyPath, can("admin:GetPolicy"), iam.policyInfo)
  .delete("/policies/:name", policyPath, can("admin:DeletePolicy"), iam.removePolicy)
  // Service accounts (admin/service-account-routes.ts; who may manage which: service-account-access.ts)
  .post(
    "/service-accounts",
    sa.noServiceAccount,
    sa.ownEntries,
    body(schemas.addServiceAccountSchema),
    sa.canCreateFor("admin:CreateServiceAccount"),
    serviceAccounts.add,
  )
  .get(
    "/service-accounts",
    serviceAccounts.listQuery,
    sa.canListFor("admin:ListServiceAccounts"),
    serviceAccounts.list,
  )
  .get(
    "/service-accounts/:accessKey",
    accessKeyPath,
    sa.ownAccountOr("admin:ListServiceAccounts"),
    serviceAccounts.info,
  )
  .patch(
    "/service-accounts/:accessKey",
    sa.noServiceAccount,
    accessKeyPath,
    sa.canManageAccount("admin:UpdateServiceAccount"),
    body(schemas.updateServiceAccountSchema),
    sa.reenablingNeeds("admin:UpdateServiceAccount"),
    serviceAccounts.update,
  )
  .delete(
    "/service-accounts/:accessKey",
    sa.noServiceAccount,
    accessKeyPath,
    sa.canManageAccount("admin:RemoveServiceAccount"),
    sa.adminDisabledNeeds("admin:RemoveServiceAccount"),
    serviceAccounts.remove,
  )
  // Remote targets and replication state (admin/target-routes.ts): the bucket before the permission
  .post(
    "/buckets/:bucket/remote-targets",
    bucketPath,
    existingBucket,
    canOnBucket("admin:SetBucketTarget"),
    body(targets.addTargetSchema),
    targets.addTarget,
  )
  .get(
    "/buckets/:bucket/remote-targets",
    bucketPath,
    existingBucket,
    canOnBucket("admin:GetBucketTarget"),
    targets.listTargets,
  )
  .patch(
    "/buckets/:bucket/remote-targets",
    bucketPath,
    existingBucket,
    canOnBucket("admin:SetBucketTarget"),
    arnQuery,
    remoteTarget,
    body(targets.editTargetSchema),
    targets.editTarget,
  )
  .delete(
    "/buckets/:bucket/remote-targets",
    bucketPath,
    existingBucket,
    canOnBucket("admin:SetBucketTarget"),
    arnQuery,
    remoteTarget,
    targets.removeTarget,
  )
  .get(
    "/buckets/:bucket/replication/status",
    bucketPath,
    existingBucket,
    canOnBucket(GET_REPLICATION),
    targets.status,
  )
  .get(
    "/buckets/:bucket/replication/diff",
    bucketPath,
    existingBucket,
    canOnBucket(GET_REPLICATION),
    targets.diffQuery,
    targets.diff,
  )
  // Resync jobs (admin/resync-routes.ts): the permission before the bucket
  .post(
    "/buckets/:bucket/replication/resync",
    canOnBucket(RESYNC),
    existingBucket,
    body(resync.startResyncSchema),
    resync.start,
  )
  .get(
    "/buckets/:bucket/replication/resync",
    canOnBucket(RESYNC),
    existingBucket,
    resync.jobsQuery,
    resync.list,
  )
  .delete(
    "/buckets/:bucket/replication/resync",
    canOnBucket(RESYNC),
    existingBucket,
    arnQuery,
    resync.cancel,
  )
  // Comparing replicated buckets (admin/verify-routes.ts)
  .get(
    "/buckets/:bucket/replication/digest",
    canOnBucket("s3:ListBucket"),
    existingBucket,
    verify.digestQuery,
    verify.digest,
  )
  .post(
    "/buckets/:bucket/replication/verify",
    canOnBucket(GET_REPLICATION),
    existingBucket,
    body(verify.verifySchema),
    canOnBucketPerBody(verify.fixNeeds),
    verify.verify,
  );

/** The Worker's fetch: `app.fetch(request, env, ctx)`. */
export const app = new Hono<Edge>({ getPath: routingPath });
app.onError(renderError);
app.use(requestId, timing, hashReady);
// Admin API
app.use("/floe/admin/:path{.*}", adminGate);
app.route("/floe/admin/v1", admin);
app.all("/floe/admin/:path{.*}", noSuchAdminRoute);
// Health probes (unauthenticated, as MinIO's)
app.all("/floe/health/live", live);
app.all("/floe/health/cluster", cluster("write"));
app.all("/floe/health/cluster/read", cluster("read"));
// Prometheus
app.all("/floe/metrics", metricsMethod, metricsAuth, (c) => serveMetrics(c.env));
// S3: everything else
app.all("*", (c) =>
  // Hono types the context it was given loosely; it is the Worker's own.
  handleS3(c.req.raw, c.env, c.executionCtx as ExecutionContext, c.var.requestId),
);
