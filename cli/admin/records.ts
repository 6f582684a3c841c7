/**
 * IAM entities as the CLI prints them in --json mode: the admin API's
 * fields, with the entity's own `status` renamed (userStatus, groupStatus,
 * accountStatus) so it cannot clash with the envelope's `"status":
 * "success"`.
 */

const STATUS_FIELD = {
  user: "userStatus",
  group: "groupStatus",
  serviceAccount: "accountStatus",
} as const;

/** The JSON record of a user, group or service account. */
export function iamRecord(
  type: keyof typeof STATUS_FIELD,
  value: Record<string, unknown>,
): Record<string, unknown> {
  const { status, ...rest } = value;
  return { type, ...rest, ...(status !== undefined ? { [STATUS_FIELD[type]]: status } : {}) };
}
