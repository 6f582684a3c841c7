/**
 * The S3 API files' shared site and helpers: one local site (virtual hosts
 * under DOMAIN) with the bucket BUCKET, started before a file's tests and
 * removed after them; a GET that returns the body as text, a PUT, and a raw
 * signed request for what SDKs will not send.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { signRequest } from "../../../shared/sigv4/sign.ts";
import { s3Client } from "./clients.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite, type Site } from "./site.ts";

export const BUCKET = "api";
export const DOMAIN = "s3.floe.test";

/** Registers the file's site start and removal; the returned object reads them once started. */
export function useApiSite() {
  let site: Site | undefined;
  let s3: S3Client | undefined;
  beforeAll(async () => {
    site = await startSite({ vars: { FLOE_DOMAIN: DOMAIN } });
    s3 = s3Client(site);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    s3?.destroy();
    await site?.remove();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the S3 API site has not started");
    return value;
  };
  const api = {
    get site(): Site {
      return started(site);
    },
    get s3(): S3Client {
      return started(s3);
    },
    text: async (
      key: string,
      extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {},
    ) => {
      const res = await api.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
      return { res, body: await res.Body!.transformToString() };
    },
    put: (
      key: string,
      body: string | Uint8Array,
      extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {},
    ) => {
      return api.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }));
    },
    raw: async (
      method: string,
      path: string,
      init: { headers?: Record<string, string>; body?: Uint8Array | string } = {},
    ) => {
      const url = `${api.site.url}${path}`;
      const body = typeof init.body === "string" ? new TextEncoder().encode(init.body) : init.body;
      const headers = await signRequest({
        method,
        url,
        accessKeyId: ROOT_USER,
        secretKey: ROOT_PASSWORD,
        region: REGION,
        headers: {
          ...(init.headers ?? {}),
          ...(body ? { "content-length": String(body.byteLength) } : {}),
        },
      });
      return fetch(url, { method, headers, body });
    },
  };
  return api;
}
