/** What every S3 handler receives. */
import type { FloeConfig } from "../../shared/config.ts";
import type { Anonymous, Authenticated } from "../auth/sigv4.ts";
import type { DecodedBody } from "../auth/aws-chunked.ts";
import type { Authorizer } from "../iam/authorize.ts";
import type { Identity } from "../iam/identity.ts";
import type { S3Action } from "./actions.ts";

export interface S3Context {
  request: Request;
  env: Env;
  exec: ExecutionContext;
  config: FloeConfig;
  requestId: string;
  action: S3Action;
  bucket: string | null;
  key: string | null;
  query: URLSearchParams;
  auth: Authenticated | Anonymous;
  /** The authenticated caller; null for anonymous requests. */
  identity: Identity | null;
  /** Further permission checks a handler makes (per key, per bucket, bypass). */
  authorizer: Authorizer;
  /** The payload: aws-chunked unwrapped, signatures and SHA-256 verified as it is read. */
  body(): DecodedBody;
}

export type S3Handler = (ctx: S3Context) => Promise<Response>;

/** The bucket of a bucket-level request (the classifier guarantees one). */
export function requireBucket(ctx: S3Context): string {
  if (!ctx.bucket) throw new Error(`${ctx.action} without a bucket`);
  return ctx.bucket;
}

/** Bucket and key of an object-level request. */
export function requireObject(ctx: S3Context): { bucket: string; key: string } {
  if (!ctx.bucket || ctx.key === null) throw new Error(`${ctx.action} without a key`);
  return { bucket: ctx.bucket, key: ctx.key };
}
