/**
 * The bench's client for a Floe site: @aws-sdk/client-s3, path style, the
 * local root credentials, region us-east-1. Two S3Clients: one for large
 * objects (a connection per request: workerd may drop a kept-alive
 * connection after a long transfer, and a streamed body cannot be retried;
 * no retries, so a failure shows) and one for small objects (kept-alive
 * connections, the SDK's default retries, counted in `retries`).
 *
 * The SDK's optional CRC32 request/response checksums are off unless
 * FLOE_BENCH_CHECKSUMS=1, so the figures measure the data path the baseline
 * also has; SigV4 stays as the SDK does it (the payload SHA-256 for bodies in
 * memory, UNSIGNED-PAYLOAD for streams).
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Agent } from "node:http";
import { Readable } from "node:stream";
import { REGION, ROOT_PASSWORD, ROOT_USER } from "../../test/e2e/harness/site.ts";
import { drain } from "./load.ts";

const checksums = process.env.FLOE_BENCH_CHECKSUMS === "1";

function client(url: string, agent: Agent, maxAttempts: number): S3Client {
  return new S3Client({
    endpoint: url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
    maxAttempts,
    requestChecksumCalculation: checksums ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
    responseChecksumValidation: checksums ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
    requestHandler: { httpAgent: agent },
  });
}

export class FloeClient {
  /** Requests the SDK sent again (small-object client only). */
  retries = 0;
  private readonly big: S3Client;
  private readonly small: S3Client;

  constructor(
    readonly url: string,
    readonly bucket: string,
  ) {
    this.big = client(url, new Agent({ keepAlive: false }), 1);
    this.small = client(url, new Agent({ keepAlive: true, maxSockets: 64 }), 3);
  }

  static get checksums(): boolean {
    return checksums;
  }

  async createBucket(): Promise<void> {
    await this.small.send(new CreateBucketCommand({ Bucket: this.bucket }));
  }

  /** PUT of a body in memory. */
  async put(key: string, body: Uint8Array): Promise<void> {
    const output = await this.pick(body.byteLength).send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }),
    );
    this.count(output.$metadata.attempts);
  }

  /** PUT of a streamed body of `size` bytes. */
  async putStream(key: string, body: Readable, size: number): Promise<void> {
    await this.big.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: size }),
    );
  }

  /** GETs `key`, discards the body, returns its length. */
  async get(key: string, large = true): Promise<number> {
    const output = await (large ? this.big : this.small).send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
    );
    this.count(output.$metadata.attempts);
    if (!(output.Body instanceof Readable)) throw new Error(`GET ${key}: no Node stream body`);
    return drain(output.Body);
  }

  /** A multipart upload of `parts` streamed parts of `partSize`, `concurrency` at a time. */
  async multipart(
    key: string,
    parts: number,
    partSize: number,
    concurrency: number,
    body: () => Readable,
  ): Promise<void> {
    const { UploadId } = await this.small.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    const etags: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, parts) }, async () => {
        while (next < parts) {
          const i = next++;
          const { ETag } = await this.big.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId,
              PartNumber: i + 1,
              Body: body(),
              ContentLength: partSize,
            }),
          );
          etags[i] = ETag ?? "";
        }
      }),
    );
    await this.small.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
  }

  /** One ListObjectsV2 page; returns the next continuation token. */
  async listPage(token: string | undefined, maxKeys = 1000): Promise<string | undefined> {
    const output = await this.small.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        MaxKeys: maxKeys,
        ContinuationToken: token,
      }),
    );
    return output.NextContinuationToken;
  }

  destroy(): void {
    this.big.destroy();
    this.small.destroy();
  }

  private pick(size: number): S3Client {
    return size > 1024 * 1024 ? this.big : this.small;
  }

  private count(attempts: number | undefined): void {
    if (attempts && attempts > 1) this.retries += attempts - 1;
  }
}
