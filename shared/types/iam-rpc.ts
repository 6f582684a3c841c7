/** RPC types of the IAM Durable Object. */
import type { PolicyDocument } from "../iam/policy-document.ts";

export type Status = "enabled" | "disabled";

/** A failure the admin API reports as `{ code, message }` with `status`. */
export interface IamFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export type IamResult<T> = { ok: true; value: T } | IamFailure;

export interface UserInfo {
  accessKey: string;
  status: Status;
  policies: string[];
  groups: string[];
  createdAt: string;
}

export interface GroupInfo {
  name: string;
  status: Status;
  members: string[];
  policies: string[];
}

export interface PolicyInfo {
  name: string;
  builtin: boolean;
  document?: PolicyDocument;
  attachedTo?: { users: string[]; groups: string[] };
}

export interface ServiceAccountInfo {
  accessKey: string;
  parent: string;
  status: Status;
  name: string | null;
  description: string | null;
  /** ISO time; null when it never expires. */
  expiration: string | null;
  /** True when the account has its own (narrowing) policy; false when it inherits its parent's. */
  impliedPolicy: boolean;
  /** Who disabled the account (an access key); null while enabled. */
  disabledBy: string | null;
  policy?: PolicyDocument | null;
  createdAt: string;
}

export interface NewServiceAccount {
  parent: string;
  accessKey?: string;
  secretKey?: string;
  policy?: PolicyDocument | null;
  expiration?: number | null;
  name?: string | null;
  description?: string | null;
}

export interface ServiceAccountUpdate {
  secretKey?: string;
  status?: Status;
  /** The caller's access key, recorded when it disables the account. */
  by?: string;
  policy?: PolicyDocument | null;
  expiration?: number | null;
  name?: string | null;
  description?: string | null;
}

/** What SigV4 and authorization need to know about an access key. */
export interface ResolvedKey {
  secretKey: string;
  kind: "user" | "serviceAccount";
  /** The user name: the key itself for users, the parent for service accounts. */
  user: string;
  /** True for a service account of the root user. */
  rootParent: boolean;
  groups: string[];
  /** The user's own and its enabled groups' policies. */
  policies: PolicyDocument[];
  /** A service account's own policy, which narrows what its parent may do. */
  sessionPolicy: PolicyDocument | null;
}
