/**
 * FULL_OBJECT multipart checksums with @aws-sdk/client-s3 at default
 * settings: for CRC32, CRC32C and CRC64NVME, the right whole-object value
 * is accepted, stored and returned (HEAD and GET with checksum mode,
 * GetObjectAttributes); a wrong one is refused with BadDigest and leaves
 * nothing visible. lib-storage's default multipart upload (CRC32,
 * COMPOSITE) still round-trips.
 */
import {
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChecksum } from "../../shared/checksums.ts";
import { s3Client } from "./harness/clients.ts";
import { patternBytes } from "./harness/data.ts";
import { s3Error } from "./harness/errors.ts";
import { startSite, type Site } from "./harness/site.ts";

const MiB = 1024 * 1024;
const BUCKET = "full-object";
let site: Site;
let s3: S3Client;
let parts: Buffer[];

beforeAll(async () => {
  site = await startSite();
  s3 = s3Client(site);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  parts = [await patternBytes(5 * MiB, 7), await patternBytes(MiB + 123, 8)];
});

afterAll(async () => {
  await site?.remove();
});

const ALGORITHMS = [
  ["crc32", ChecksumAlgorithm.CRC32, "ChecksumCRC32"],
  ["crc32c", ChecksumAlgorithm.CRC32C, "ChecksumCRC32C"],
  ["crc64nvme", ChecksumAlgorithm.CRC64NVME, "ChecksumCRC64NVME"],
] as const;

function crcOf(algorithm: (typeof ALGORITHMS)[number][0], data: Uint8Array): string {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return checksum.digest();
}

/** Creates a FULL_OBJECT upload and uploads both parts; returns the upload id and part list. */
async function uploadParts(key: string, algorithm: ChecksumAlgorithm) {
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      ChecksumAlgorithm: algorithm,
      ChecksumType: "FULL_OBJECT",
    }),
  );
  expect(created.ChecksumType).toBe("FULL_OBJECT");
  const uploadId = created.UploadId ?? "";
  const done = [];
  for (const [i, body] of parts.entries()) {
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        PartNumber: i + 1,
        Body: body,
        ChecksumAlgorithm: algorithm,
      }),
    );
    done.push({ PartNumber: i + 1, ETag: part.ETag });
  }
  return { uploadId, done };
}

describe("FULL_OBJECT multipart checksums", () => {
  for (const [name, algorithm, field] of ALGORITHMS) {
    it(`${name}: the right value is accepted, stored and returned`, async () => {
      const key = `right-${name}`;
      const whole = crcOf(name, Buffer.concat(parts));
      const { uploadId, done } = await uploadParts(key, algorithm);
      const completed = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
          ChecksumType: "FULL_OBJECT",
          [field]: whole,
        }),
      );
      expect([completed[field], completed.ChecksumType]).toEqual([whole, "FULL_OBJECT"]);

      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }),
      );
      expect([head[field], head.ChecksumType]).toEqual([whole, "FULL_OBJECT"]);

      // The SDK validates a FULL_OBJECT value against the bytes it reads.
      const got = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }),
      );
      expect([got[field], got.ChecksumType]).toEqual([whole, "FULL_OBJECT"]);
      const body = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
      expect(body.equals(Buffer.concat(parts))).toBe(true);

      const attributes = await s3.send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: key,
          ObjectAttributes: ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"],
        }),
      );
      expect(attributes.Checksum?.[field]).toBe(whole);
      expect(attributes.Checksum?.ChecksumType).toBe("FULL_OBJECT");
      expect(attributes.ObjectSize).toBe(parts[0].length + parts[1].length);
      expect(attributes.ObjectParts?.TotalPartsCount).toBe(2);
      expect(attributes.ObjectParts?.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
        [1, parts[0].length],
        [2, parts[1].length],
      ]);
      expect(attributes.ObjectParts?.Parts?.[1][field]).toBe(crcOf(name, parts[1]));
      expect(attributes.StorageClass).toBe("STANDARD");
      expect(`"${attributes.ETag}"`).toBe(completed.ETag);
    });

    it(`${name}: a wrong value is refused and nothing becomes visible`, async () => {
      const key = `wrong-${name}`;
      const { uploadId, done } = await uploadParts(key, algorithm);
      const wrong = crcOf(name, Buffer.from("something else"));
      const error = await s3Error(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: done },
            ChecksumType: "FULL_OBJECT",
            [field]: wrong,
          }),
        ),
      );
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(["BadDigest", 400]);
      const missing = await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
      expect(missing.$metadata.httpStatusCode).toBe(404);
      // The parts stay: the upload can still be completed with the right value.
      const listed = await s3.send(
        new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
      );
      expect(listed.Parts).toHaveLength(2);
      expect([listed.ChecksumAlgorithm, listed.ChecksumType]).toEqual([algorithm, "FULL_OBJECT"]);
    });
  }

  it("computes the value when the completion states none, and checks the stated type", async () => {
    const key = "unstated";
    const { uploadId, done } = await uploadParts(key, ChecksumAlgorithm.CRC32C);
    const typeError = await s3Error(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
          ChecksumType: "COMPOSITE",
        }),
      ),
    );
    expect(typeError.name).toBe("BadDigest");
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }),
    );
    expect(head.ChecksumCRC32C).toBe(crcOf("crc32c", Buffer.concat(parts)));
  });

  it("checks x-amz-mp-object-size against the parts' total", async () => {
    const key = "sized";
    const { uploadId, done } = await uploadParts(key, ChecksumAlgorithm.CRC32);
    const complete = (MpuObjectSize: number) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
          MpuObjectSize,
        }),
      );
    const size = parts[0].length + parts[1].length;
    const error = await s3Error(complete(size + 1));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["InvalidRequest", 400]);
    await complete(size);
  });

  it("refuses checksum types an algorithm cannot take", async () => {
    const sha = await s3Error(
      s3.send(
        new CreateMultipartUploadCommand({
          Bucket: BUCKET,
          Key: "sha",
          ChecksumAlgorithm: ChecksumAlgorithm.SHA256,
          ChecksumType: "FULL_OBJECT",
        }),
      ),
    );
    expect([sha.name, sha.$metadata.httpStatusCode]).toEqual(["InvalidRequest", 400]);
    const crc64 = await s3Error(
      s3.send(
        new CreateMultipartUploadCommand({
          Bucket: BUCKET,
          Key: "crc64",
          ChecksumAlgorithm: ChecksumAlgorithm.CRC64NVME,
          ChecksumType: "COMPOSITE",
        }),
      ),
    );
    expect(crc64.name).toBe("InvalidRequest");
  });

  it("GetObjectAttributes refuses unknown attribute names", async () => {
    const error = await s3Error(
      s3.send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: "unstated",
          ObjectAttributes: ["ETag", "Colour" as "ETag"],
        }),
      ),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["InvalidArgument", 400]);
  });

  it("round-trips lib-storage's default multipart upload (CRC32, COMPOSITE)", async () => {
    const body = await patternBytes(12 * MiB + 5, 9);
    await new Upload({
      client: s3,
      params: { Bucket: BUCKET, Key: "lib-storage", Body: body },
    }).done();
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "lib-storage", ChecksumMode: "ENABLED" }),
    );
    expect(head.ChecksumType).toBe("COMPOSITE");
    expect(head.ChecksumCRC32).toMatch(/-3$/);
    const got = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "lib-storage", ChecksumMode: "ENABLED" }),
    );
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(body)).toBe(true);
  });
});
