/** Real clients for a test site: the AWS SDK with default settings, and a signed admin API caller. */
import { S3Client } from "@aws-sdk/client-s3";
import { Agent } from "node:http";
import { signRequest } from "../../../shared/sigv4/sign.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, type Site } from "./site.ts";

/** @aws-sdk/client-s3 against the site, path style, default checksum behaviour. */
export function s3Client(
  site: Site,
  credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
): S3Client {
  return new S3Client({
    endpoint: site.url,
    region: REGION,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    // workerd drops a kept-alive connection after a long upload; with retries off, use a connection per request.
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
}

export interface AdminResponse<T> {
  status: number;
  body: T;
}

/** Calls the admin API, as root unless other credentials are given. */
export async function admin<T = Record<string, unknown>>(
  site: Site,
  method: string,
  path: string,
  body?: unknown,
  credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
): Promise<AdminResponse<T>> {
  const url = `${site.url}/floe/admin/v1/${path}`;
  const payload = body === undefined ? "" : JSON.stringify(body);
  const headers = await signRequest({
    method,
    url,
    headers: { "content-type": "application/json" },
    accessKeyId: credentials.accessKeyId,
    secretKey: credentials.secretAccessKey,
    region: REGION,
  });
  const response = await fetch(url, {
    method,
    headers,
    body: method === "GET" ? undefined : payload,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** An admin call that must answer 200; its body (throws naming the answer otherwise). */
export async function adminOk<T = Record<string, unknown>>(
  site: Site,
  method: string,
  path: string,
  body?: unknown,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): Promise<T> {
  const res = await admin<T>(site, method, path, body, credentials);
  if (res.status !== 200)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Sets a drive fault through the admin API. */
export async function fault(
  site: Site,
  drive: string,
  kind: "offline" | "online" | "wipe" | "corrupt",
  target: { bucket?: string; key?: string } = {},
) {
  const res = await admin(site, "POST", "drives/fault", { drive, fault: kind, ...target });
  if (res.status !== 200)
    throw new Error(`fault ${kind} on ${drive}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
