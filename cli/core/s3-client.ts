/**
 * The S3 client for an alias. Settings that make it work against any S3
 * endpoint, Floe's local runner included:
 * - path-style addressing (local hosts have no bucket subdomains);
 * - no `Expect: 100-continue` (workerd never answers it, so the SDK would
 *   stall before every large PUT);
 * - checksums only where the API requires them, since older S3 servers
 *   reject the SDK's default aws-chunked trailing checksums;
 * - over plain http, one connection per request: workerd drops a kept-alive
 *   connection after a long upload, and a streamed body cannot be retried.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Alias } from "./config.ts";

/** A new S3 client for `alias`. */
export function createS3Client(alias: Alias): S3Client {
  return new S3Client({
    endpoint: alias.url,
    region: alias.region,
    forcePathStyle: true,
    credentials: { accessKeyId: alias.accessKey, secretAccessKey: alias.secretKey },
    expectContinueHeader: false,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: false }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    },
  });
}
