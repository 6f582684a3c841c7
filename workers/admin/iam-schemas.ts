/**
 * zod schemas of the admin API's IAM request bodies and path names. Access
 * keys are 3–128 characters of letters, digits and `_ . @ + -`; secret keys
 * 8–40 characters (MinIO's limits); group and policy names 1–128 of
 * letters, digits and `_ . @ + - = ,`.
 */
import { z } from "zod";

export const accessKeySchema = z
  .string()
  .min(3, "access keys are at least 3 characters")
  .max(128, "access keys are at most 128 characters")
  .regex(/^[A-Za-z0-9_.@+-]+$/, "access keys use letters, digits and _ . @ + -");

export const secretKeySchema = z
  .string()
  .min(8, "secret keys are at least 8 characters")
  .max(40, "secret keys are at most 40 characters");

export const nameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.@+=,-]+$/, "names use letters, digits and _ . @ + - = ,");

export const statusSchema = z.enum(["enabled", "disabled"]);

export const addUserSchema = z
  .object({
    accessKey: accessKeySchema,
    secretKey: secretKeySchema,
    status: statusSchema.optional(),
  })
  .strict();

export const statusBodySchema = z.object({ status: statusSchema }).strict();

export const addGroupSchema = z
  .object({ name: nameSchema, members: z.array(accessKeySchema).max(1000).optional() })
  .strict();

export const groupMembersSchema = z
  .object({
    add: z.array(accessKeySchema).max(1000).optional(),
    remove: z.array(accessKeySchema).max(1000).optional(),
  })
  .strict();

export const attachSchema = z
  .object({
    policies: z.array(nameSchema).min(1).max(100),
    user: accessKeySchema.optional(),
    group: nameSchema.optional(),
  })
  .strict()
  .refine((b) => (b.user === undefined) !== (b.group === undefined), {
    message: "give exactly one of user or group",
  });

const expirationSchema = z.iso
  .datetime({ offset: true })
  .nullable()
  .optional()
  .refine((value) => value == null || Date.parse(value) > Date.now(), {
    message: "expiration must be in the future",
  });

export const addServiceAccountSchema = z
  .object({
    user: accessKeySchema.optional(),
    accessKey: accessKeySchema.optional(),
    secretKey: secretKeySchema.optional(),
    policy: z.unknown().optional(),
    expiration: expirationSchema,
    name: z.string().max(32).optional(),
    description: z.string().max(256).optional(),
  })
  .strict();

export const updateServiceAccountSchema = z
  .object({
    secretKey: secretKeySchema.optional(),
    status: statusSchema.optional(),
    policy: z.unknown().optional(),
    expiration: expirationSchema,
    name: z.string().max(32).nullable().optional(),
    description: z.string().max(256).nullable().optional(),
  })
  .strict();
