/**
 * Authorization of one request: gathers what shared/iam/decide.ts weighs
 * (the caller and its policies, the bucket's stored policy, the request's
 * condition values) and applies its decision: root may do everything; an
 * explicit Deny anywhere refuses; a service account's own policy bounds
 * every grant; a bucket policy reaches only `s3:` actions on its own
 * bucket, never the `admin:` actions the admin API authorizes here too; a
 * stored bucket policy that no longer parses refuses everyone but root.
 * A permission may name ordinary actions it stands for (`unlessDenied`,
 * replica writes): an explicit Deny of any of them refuses it as well, so a
 * Deny statement need not know the replication actions. Bucket policies are read once per request and bucket; object tags
 * (s3:ExistingObjectTag/<k>) only when a policy in play mentions them.
 */
import { conditionKey } from "../../shared/iam/conditions.ts";
import { decideAccess, explicitlyDenied, type BucketPolicyInput } from "../../shared/iam/decide.ts";
import type { AccessRequest } from "../../shared/iam/evaluate.ts";
import { mentionsConditionKey } from "../../shared/iam/evaluate.ts";
import { parseStoredPolicy, type PolicyDocument } from "../../shared/iam/policy-document.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { bucketPolicy as storedPolicyText } from "../objects/buckets.ts";
import { findVersion } from "../objects/versions.ts";
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
  /**
   * The same caller and bucket policies (read once), weighing another
   * request's condition values: one entry of a request that carries several.
   */
  withConditions(conditions: ReadonlyMap<string, string[]>): Authorizer;
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

type PolicyCache = Map<string, Promise<PolicyDocument | "unreadable" | null>>;

export function createAuthorizer(
  options: {
    env: Env;
    identity: Identity | null;
    conditions: ReadonlyMap<string, string[]>;
  },
  bucketPolicies: PolicyCache = new Map(),
): Authorizer {
  const { env, identity } = options;

  const bucketPolicy = (bucket: string) => {
    let policy = bucketPolicies.get(bucket);
    if (!policy) {
      policy = storedPolicyText(env, bucket).then((text) =>
        text ? storedBucketPolicy(text) : null,
      );
      bucketPolicies.set(bucket, policy);
    }
    return policy;
  };

  /** What the decision weighs for one permission; null for root, whom no policy binds. */
  const gather = async (
    permission: Permission,
    opts: { versionId?: string | null },
  ): Promise<{ bucket: BucketPolicyInput | null; request: AccessRequest } | null> => {
    if (identity?.isRoot) return null;
    const target = parseArn(permission.resource);
    const stored = target ? await bucketPolicy(target.bucket) : null;
    const bucketDocument = stored === "unreadable" ? null : stored;
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
    return {
      bucket: target ? { bucket: target.bucket, policy: stored } : null,
      request,
    };
  };

  const allows: Authorizer["allows"] = async (permission, opts = {}) => {
    const input = await gather(permission, opts);
    return input === null || decideAccess(identity, input.bucket, input.request);
  };

  const denies: Authorizer["denies"] = async (permission, opts = {}) => {
    const input = await gather(permission, opts);
    return input !== null && explicitlyDenied(identity, input.bucket, input.request);
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
    withConditions(conditions) {
      return createAuthorizer({ env, identity, conditions }, bucketPolicies);
    },
  };
}

function storedBucketPolicy(text: string): PolicyDocument | "unreadable" {
  try {
    return parseStoredPolicy(text);
  } catch {
    return "unreadable";
  }
}

async function withExistingTags(
  env: Env,
  conditions: ReadonlyMap<string, string[]>,
  bucket: string,
  key: string,
  versionId: string | null,
): Promise<ReadonlyMap<string, string[]>> {
  const found = await findVersion(env, bucket, key, versionId);
  if (!found.ok || found.value.version.record.deleteMarker) return conditions;
  const extended = new Map(conditions);
  for (const [name, value] of Object.entries(found.value.version.record.tags ?? {})) {
    extended.set(conditionKey(`${EXISTING_TAG}${name}`), [value]);
  }
  return extended;
}
