/**
 * The IAM file's site and helpers: one local site with the buckets `shared`
 * (keys under home/alice, home/bob, public, private, and top.txt) and
 * `other`, started before the file's tests and removed after them; admin
 * calls that must succeed, users with attached policies, and S3 reads and
 * writes as a given client.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { admin, s3Client } from "./clients.ts";
import { s3Error } from "./errors.ts";
import { startSite, type Site } from "./site.ts";

export const creds = (accessKeyId: string, secretAccessKey: string) => ({
  accessKeyId,
  secretAccessKey,
});

export async function put(
  client: S3Client,
  bucket: string,
  key: string,
  body = `${bucket}/${key}`,
) {
  return client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function read(client: S3Client, bucket: string, key: string) {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString();
}

export async function keys(client: S3Client, bucket: string, prefix?: string) {
  const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((c) => c.Key);
}

/** The S3 error name a refused request gets. */
export const denied = async (promise: Promise<unknown>) => (await s3Error(promise)).name;

/** Registers the file's site start (seeded) and removal; the returned object reads them once started. */
export function useIamSite() {
  let site: Site | undefined;
  let root: S3Client | undefined;
  beforeAll(async () => {
    site = await startSite();
    root = s3Client(site);
    for (const bucket of ["shared", "other"])
      await root.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of [
      "home/alice/a.txt",
      "home/bob/b.txt",
      "public/p.txt",
      "private/q.txt",
      "top.txt",
    ])
      await put(root, "shared", key);
    await put(root, "other", "x.txt");
  }, 120_000);
  afterAll(async () => {
    await site?.remove();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the IAM site has not started");
    return value;
  };
  const iam = {
    get site(): Site {
      return started(site);
    },
    get root(): S3Client {
      return started(root);
    },
    /** An admin call that must answer 200; its body. */
    ok: async <T = Record<string, unknown>>(
      method: string,
      path: string,
      body?: unknown,
      as?: { accessKeyId: string; secretAccessKey: string },
    ): Promise<T> => {
      const res = await admin<T>(iam.site, method, path, body, as);
      if (res.status !== 200)
        throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    /** Creates a user with these policies attached; an S3 client acting as it. */
    addUser: async (accessKey: string, secretKey: string, policies: string[] = []) => {
      await iam.ok("POST", "users", { accessKey, secretKey });
      if (policies.length) await iam.ok("POST", "policies/attach", { policies, user: accessKey });
      return s3Client(iam.site, creds(accessKey, secretKey));
    },
  };
  return iam;
}
