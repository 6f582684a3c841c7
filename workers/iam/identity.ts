/**
 * Who signed a request. The root user comes from secrets (FLOE_ROOT_USER,
 * FLOE_ROOT_PASSWORD); every other access key (IAM users, service accounts)
 * is resolved by the IAM Durable Object, which opens its sealed secret for
 * the SigV4 check and returns the policies it acts with. Secrets are
 * compared by the verifier in constant time and never logged.
 */
import type { PolicyDocument } from "../../shared/iam/policy-document.ts";
import type { Credential, CredentialLookup } from "../auth/sigv4.ts";
import { iamStub } from "../objects/stubs.ts";

export interface Identity {
  accessKeyId: string;
  kind: "root" | "user" | "serviceAccount";
  /** The root user itself, or a root service account without a policy of its own: allowed everything. */
  isRoot: boolean;
  /** A service account of the root user (allowed what its own policy allows). */
  rootParent: boolean;
  /** The user name (aws:username): the root user's, a user's access key, or a service account's parent. */
  user: string;
  groups: string[];
  /** Policies of the user and its enabled groups (none for the root user). */
  policies: PolicyDocument[];
  /** A service account's own policy, which narrows its parent's. */
  sessionPolicy: PolicyDocument | null;
}

/** The root credential, or null when the secrets are not configured. */
export function rootCredential(env: Env): Credential | null {
  const accessKeyId = env.FLOE_ROOT_USER;
  const secretKey = env.FLOE_ROOT_PASSWORD;
  if (!accessKeyId || !secretKey) return null;
  return { accessKeyId, secretKey };
}

/**
 * A credential lookup for SigV4 that remembers who the key belongs to:
 * after authentication, `identity()` is the caller (null until a key was
 * found).
 */
export function identityLookup(env: Env): {
  lookup: CredentialLookup;
  identity(): Identity | null;
} {
  let found: Identity | null = null;
  const lookup: CredentialLookup = async (accessKeyId) => {
    const root = rootCredential(env);
    if (root && root.accessKeyId === accessKeyId) {
      found = {
        accessKeyId,
        kind: "root",
        isRoot: true,
        rootParent: false,
        user: accessKeyId,
        groups: [],
        policies: [],
        sessionPolicy: null,
      };
      return root;
    }
    const resolved = await iamStub(env).resolve(accessKeyId);
    if (!resolved) return null;
    found = {
      accessKeyId,
      kind: resolved.kind,
      isRoot: resolved.rootParent && resolved.sessionPolicy === null,
      rootParent: resolved.rootParent,
      user: resolved.user,
      groups: resolved.groups,
      policies: resolved.rootParent ? [] : resolved.policies,
      sessionPolicy: resolved.sessionPolicy,
    };
    return { accessKeyId, secretKey: resolved.secretKey };
  };
  return { lookup, identity: () => found };
}
