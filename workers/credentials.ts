/**
 * Credential lookup for SigV4: the root user from secrets. (IAM users and
 * service accounts join here.) Secrets are compared by the verifier in
 * constant time and never logged.
 */
import type { Credential, CredentialLookup } from "./auth/sigv4.ts";

export interface Identity {
  accessKeyId: string;
  isRoot: boolean;
}

/** The root credential, or null when the secrets are not configured. */
export function rootCredential(env: Env): Credential | null {
  const accessKeyId = env.FLOE_ROOT_USER;
  const secretKey = env.FLOE_ROOT_PASSWORD;
  if (!accessKeyId || !secretKey) return null;
  return { accessKeyId, secretKey };
}

/** Looks up the secret of an access key. */
export function credentialLookup(env: Env): CredentialLookup {
  return async (accessKeyId) => {
    const root = rootCredential(env);
    return root && root.accessKeyId === accessKeyId ? root : null;
  };
}

/** Who an authenticated access key is. */
export function identify(env: Env, accessKeyId: string): Identity {
  return { accessKeyId, isRoot: rootCredential(env)?.accessKeyId === accessKeyId };
}
