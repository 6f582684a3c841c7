/**
 * The admin API's IAM answers (docs/admin-api.md): users, groups, policies
 * and service accounts, as a client (the CLI) validates them where they
 * enter. Objects pass unknown fields through so a newer server does not
 * break an older client. Secrets appear only in the answer that creates
 * them (a service account's secretKey).
 */
import { z } from "zod";

export const userSchema = z.looseObject({
  accessKey: z.string(),
  status: z.string(),
  policies: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
});

export const groupSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  members: z.array(z.string()).default([]),
  policies: z.array(z.string()).default([]),
});

export const policySummarySchema = z.looseObject({ name: z.string(), builtin: z.boolean() });

export const policySchema = z.looseObject({
  name: z.string(),
  builtin: z.boolean(),
  document: z.unknown(),
  attachedTo: z.looseObject({ users: z.array(z.string()), groups: z.array(z.string()) }).optional(),
});

export const attachResultSchema = z.looseObject({ policies: z.array(z.string()).optional() });

export const serviceAccountSchema = z.looseObject({
  accessKey: z.string(),
  parent: z.string().nullable().optional(),
  status: z.string().optional(),
  name: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  expiration: z.string().nullable().optional(),
  secretKey: z.string().optional(),
});

/** Any JSON object (answers a client only passes on, such as a removal's). */
export const anyObjectSchema = z.looseObject({});

export const userListSchema = z.looseObject({ users: z.array(userSchema) });

export const groupListSchema = z.looseObject({ groups: z.array(groupSchema) });

export const policyListSchema = z.looseObject({ policies: z.array(policySummarySchema) });

export const serviceAccountListSchema = z.looseObject({
  serviceAccounts: z.array(serviceAccountSchema),
});
