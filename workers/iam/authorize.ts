/**
 * Authorization of one request, as MinIO and AWS decide it for a single
 * account:
 * - the root user (and a root service account without a policy of its
 *   own) may do everything, whatever bucket policies say;
 * - otherwise an explicit Deny in the caller's policies, its service
 *   account policy, or the bucket's policy refuses;
 * - else the request is allowed when the caller's policies allow it (and,
 *   for a service account with a policy of its own, that policy allows it
 *   too), or when the bucket policy allows it for this principal; anonymous
 *   callers have only bucket policies.
 * A permission may name ordinary actions it stands for (`unlessDenied`,
 * replica writes): an explicit Deny of any of them in the same policies
 * refuses it as well, so a Deny statement need not know the replication
 * actions. Bucket policies are read once per request and bucket; object
 * tags (s3:ExistingObjectTag/<k>) only when a policy in play mentions them.
 */
import { conditionKey } from "../../shared/iam/conditions.ts";
import { evaluate, mentionsConditionKey, type Decision } from "../../shared/iam/evaluate.ts";
import { parsePolicy, type PolicyDocument } from "../../shared/iam/policy-document.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { bucketStub } from "../storage/stubs.ts";
import type { Identity } from "./identity.ts";
import type { Permission } from "./s3-permissions.ts";

export interface Authorizer {
  readonly identity: Identity | null;
  /** True when the caller may perform the permission. */
  allows(permission: Permission, options?: { versionId?: string | null }): Promise<boolean>;
  /** True when a policy in play explicitly denies the caller the permission. */
  denies(permission: Permission, options?: { versionId?: string | null }): Promise<boolean>;
  /**
   * Throws AccessDenied unless the caller may perform every permission and
   * none of the actions each stands for (`unlessDenied`) is denied.
   */
  require(
    permissions: readonly Permission[],
    options?: { versionId?: string | null },
  ): Promise<void>;
}

const EXISTING_TAG = "s3:ExistingObjectTag/";

/** Splits `arn:aws:s3:::bucket/key` into bucket and key (null key for bucket ARNs). */
function parseArn(resource: string): { bucket: string; key: string | null } | null {
  const prefix = "arn:aws:s3:::";
  if (!resource.startsWith(prefix)) return null;
  const rest = resource.slice(prefix.length);
  if (rest === "*" || rest === "") return null;
  const slash = rest.indexOf("/");
  return slash < 0
    ? { bucket: rest, key: null }
    : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export function createAuthorizer(options: {
  env: Env;
  identity: Identity | null;
  conditions: ReadonlyMap<string, string[]>;
}): Authorizer {
  const { env, identity } = options;
  const bucketPolicies = new Map<string, Promise<PolicyDocument | null>>();

  const bucketPolicy = (bucket: string) => {
    let policy = bucketPolicies.get(bucket);
    if (!policy) {
      policy = bucketStub(env, bucket)
        .getPolicy()
        .then((text) => (text ? parsePolicy(text) : null));
      bucketPolicies.set(bucket, policy);
    }
    return policy;
  };

  /** Each policy set's decision; null for root, whom no policy binds. */
  const decisions = async (
    permission: Permission,
    opts: { versionId?: string | null },
  ): Promise<{ bucket: Decision; identity: Decision; session: Decision } | null> => {
    if (identity?.isRoot) return null;
    const target = parseArn(permission.resource);
    const bucketDocument = target ? await bucketPolicy(target.bucket) : null;
    const identityDocuments = identity ? identity.policies : [];
    const session = identity?.sessionPolicy ?? null;
    const all = [
      ...identityDocuments,
      ...(session ? [session] : []),
      ...(bucketDocument ? [bucketDocument] : []),
    ];
    let conditions = options.conditions;
    if (target?.key != null && target.key !== "*" && mentionsConditionKey(all, EXISTING_TAG)) {
      conditions = await withExistingTags(
        env,
        conditions,
        target.bucket,
        target.key,
        opts.versionId ?? null,
      );
    }
    const request = { action: permission.action, resource: permission.resource, conditions };
    const principal = { user: identity?.user ?? null };
    return {
      bucket: bucketDocument ? evaluate([bucketDocument], request, principal) : "none",
      identity: !identity
        ? "none"
        : identity.rootParent
          ? "allow"
          : evaluate(identityDocuments, request),
      session: session ? evaluate([session], request) : "allow",
    };
  };

  const allows: Authorizer["allows"] = async (permission, opts = {}) => {
    const decided = await decisions(permission, opts);
    if (!decided) return true;
    if (decided.bucket === "deny") return false;
    if (!identity) return decided.bucket === "allow";
    if (decided.identity === "deny" || decided.session === "deny") return false;
    const byIdentity = decided.identity === "allow" && decided.session === "allow";
    return byIdentity || decided.bucket === "allow";
  };

  const denies: Authorizer["denies"] = async (permission, opts = {}) => {
    const decided = await decisions(permission, opts);
    if (!decided) return false;
    return Object.values(decided).includes("deny");
  };

  return {
    identity,
    allows,
    denies,
    async require(permissions, opts) {
      for (const permission of permissions) {
        if (!(await allows(permission, opts))) throw new S3Error("AccessDenied");
        for (const action of permission.unlessDenied ?? []) {
          if (await denies({ action, resource: permission.resource }, opts))
            throw new S3Error("AccessDenied");
        }
      }
    },
  };
}

async function withExistingTags(
  env: Env,
  conditions: ReadonlyMap<string, string[]>,
  bucket: string,
  key: string,
  versionId: string | null,
): Promise<ReadonlyMap<string, string[]>> {
  const lookup = await bucketStub(env, bucket).getVersion(key, versionId);
  if (!lookup.ok || lookup.version.record.deleteMarker) return conditions;
  const extended = new Map(conditions);
  for (const [name, value] of Object.entries(lookup.version.record.tags ?? {})) {
    extended.set(conditionKey(`${EXISTING_TAG}${name}`), [value]);
  }
  return extended;
}
