/**
 * Bucket policies: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy,
 * GetBucketPolicyStatus. A bucket policy is a policy document (see
 * shared/iam/policy-document.ts) whose every statement names a Principal
 * (or NotPrincipal) Floe can match (`*`, a user, a user ARN), only `s3:`
 * actions, and resources inside this bucket (`arn:aws:s3:::bucket` or
 * `arn:aws:s3:::bucket/...`); anything else is MalformedPolicy, as is any
 * statement policy-validation.ts refuses (unknown condition operators or
 * keys, ...). `Action: "*"` and NotAction are accepted but, the policy
 * being resource-based, only ever reach S3 actions on this bucket
 * (shared/iam/evaluate.ts), never `admin:` actions. It is stored as sent
 * and returned unchanged. A policy is public (GetBucketPolicyStatus) when
 * it allows anyone (`*`) without a condition.
 */
import {
  parsePolicy,
  parseStoredPolicy,
  PolicyError,
  type PolicyDocument,
} from "../../shared/iam/policy-document.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { xmlDocument } from "../../shared/xml.ts";
import { bucketPolicy, setBucketPolicy } from "../objects/buckets.ts";
import { unwrap } from "../objects/result.ts";
import { readSmallBody, requireExistingBucket } from "./bucket.ts";
import { requireBucket, type S3Context } from "./context.ts";
import { xmlResponse } from "./response.ts";

/**
 * A principal Floe can match: `*`, a user name, or a user's ARN
 * (`arn:aws:iam::<account>:user/<name>`), with `*` / `?` wildcards in the
 * name. Roles, account roots and other services would never match, so a
 * Deny naming them would silently never apply: they are refused.
 */
const PRINCIPAL = /^(?:\*|[A-Za-z0-9_.@+=,*?-]+|arn:aws:iam::[^:]*:user\/[A-Za-z0-9_.@+=,*?-]+)$/;

/** Validates a bucket policy for `bucket`; throws MalformedPolicy with the reason. */
export function parseBucketPolicy(text: string, bucket: string): PolicyDocument {
  let document: PolicyDocument;
  try {
    document = parsePolicy(text);
  } catch (error) {
    if (error instanceof PolicyError) throw new S3Error("MalformedPolicy", error.message);
    throw error;
  }
  const own = `arn:aws:s3:::${bucket}`;
  for (const statement of document.Statement) {
    if (!statement.Principal && !statement.NotPrincipal)
      throw new S3Error("MalformedPolicy", "Missing required field Principal");
    const principals = (statement.Principal ?? statement.NotPrincipal)?.AWS ?? [];
    if (principals.length === 0 || !principals.every((p) => PRINCIPAL.test(p)))
      throw new S3Error("MalformedPolicy", "Invalid principal in policy");
    const actions = statement.Action ?? statement.NotAction ?? [];
    if (actions.some((a) => !a.toLowerCase().startsWith("s3:") && a !== "*"))
      throw new S3Error("MalformedPolicy", "Policy has invalid action");
    const resources = statement.Resource ?? statement.NotResource;
    if (!resources) throw new S3Error("MalformedPolicy", "Missing required field Resource");
    if (resources.some((r) => r !== own && !r.startsWith(`${own}/`)))
      throw new S3Error("MalformedPolicy", "Policy has invalid resource");
  }
  return document;
}

export async function putBucketPolicy(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const text = await readSmallBody(ctx);
  parseBucketPolicy(text, bucket);
  unwrap(await setBucketPolicy(ctx.env, bucket, text));
  return new Response(null, { status: 204 });
}

async function storedPolicy(ctx: S3Context): Promise<string> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  const text = await bucketPolicy(ctx.env, bucket);
  if (!text) throw new S3Error("NoSuchBucketPolicy", undefined, { detail: { BucketName: bucket } });
  return text;
}

export async function getBucketPolicy(ctx: S3Context): Promise<Response> {
  return new Response(await storedPolicy(ctx), {
    headers: { "content-type": "application/json" },
  });
}

export async function deleteBucketPolicy(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  await requireExistingBucket(ctx, bucket);
  unwrap(await setBucketPolicy(ctx.env, bucket, null));
  return new Response(null, { status: 204 });
}

/** True when the policy allows anyone, unconditionally, to do something. */
export function isPublicPolicy(document: PolicyDocument): boolean {
  return document.Statement.some(
    (s) => s.Effect === "Allow" && s.Principal?.AWS.includes("*") === true && !s.Condition,
  );
}

export async function getBucketPolicyStatus(ctx: S3Context): Promise<Response> {
  const document = parseStoredPolicy(await storedPolicy(ctx));
  return xmlResponse(
    xmlDocument("PolicyStatus", [["IsPublic", isPublicPolicy(document) ? "true" : "false"]]),
  );
}
