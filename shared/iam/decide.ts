/**
 * The access decision for one request, from every policy in play, as MinIO
 * and AWS take it for a single account (pure; workers/iam/authorize.ts
 * gathers the inputs):
 * - the root user, and a root service account without a policy of its
 *   own, may do everything;
 * - an explicit Deny in the caller's policies, its service account's own
 *   policy or the bucket policy refuses; an unreadable bucket policy
 *   refuses too;
 * - a service account with a policy of its own is refused whatever that
 *   policy does not allow: it only ever narrows the parent, and it bounds
 *   bucket-policy grants that name the parent as well;
 * - otherwise the caller's policies (a root service account's parent
 *   allows everything) or the bucket policy must allow; anonymous callers
 *   have only the bucket policy, which reaches only S3 actions on its own
 *   bucket (evaluate.ts).
 */
import { evaluate, type AccessRequest } from "./evaluate.ts";
import type { PolicyDocument } from "./policy-document.ts";

/** The signed caller, as authorization sees it. */
export interface Caller {
  /** The root user, or a root service account without a policy of its own. */
  isRoot: boolean;
  /** A service account of the root user. */
  rootParent: boolean;
  /** The user name (a service account's parent). */
  user: string;
  /** The user's and its enabled groups' policies. */
  policies: readonly PolicyDocument[];
  /** A service account's own policy. */
  sessionPolicy: PolicyDocument | null;
}

/** The bucket a request reaches and its stored policy. */
export interface BucketPolicyInput {
  bucket: string;
  policy: PolicyDocument | "unreadable" | null;
}

/** True when the caller (null: anonymous) may make the request. */
export function decideAccess(
  caller: Caller | null,
  bucket: BucketPolicyInput | null,
  request: AccessRequest,
): boolean {
  if (caller?.isRoot) return true;
  if (bucket?.policy === "unreadable") return false;
  const principal = { user: caller?.user ?? null, bucket: bucket?.bucket };
  const bucketDecision = bucket?.policy ? evaluate([bucket.policy], request, principal) : "none";
  if (bucketDecision === "deny") return false;
  if (!caller) return bucketDecision === "allow";
  const identityDecision = caller.rootParent ? "allow" : evaluate(caller.policies, request);
  if (identityDecision === "deny") return false;
  const session = caller.sessionPolicy;
  if (session && evaluate([session], request) !== "allow") return false;
  return identityDecision === "allow" || bucketDecision === "allow";
}

/**
 * True when a policy in play explicitly denies the request (an unreadable
 * bucket policy counts as a Deny): how a permission that stands for
 * ordinary actions (a replica write) is checked against every Deny of
 * them.
 */
export function explicitlyDenied(
  caller: Caller | null,
  bucket: BucketPolicyInput | null,
  request: AccessRequest,
): boolean {
  if (caller?.isRoot) return false;
  if (bucket?.policy === "unreadable") return true;
  const principal = { user: caller?.user ?? null, bucket: bucket?.bucket };
  if (bucket?.policy && evaluate([bucket.policy], request, principal) === "deny") return true;
  if (!caller) return false;
  if (!caller.rootParent && evaluate(caller.policies, request) === "deny") return true;
  return caller.sessionPolicy !== null && evaluate([caller.sessionPolicy], request) === "deny";
}
