import { describe, expect, it } from "vitest";
import { createChecksum, type ChecksumAlgorithm } from "../../shared/checksums.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import type { UploadedPart } from "../../shared/types/bucket-rpc.ts";
import {
  completedChecksums,
  partChecksumPlan,
  uploadChecksum,
} from "../../workers/s3/multipart-checksum.ts";

function digest(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return checksum.digest();
}

function part(number: number, data: Uint8Array, algorithm: ChecksumAlgorithm): UploadedPart {
  return {
    number,
    size: data.length,
    etag: "0".repeat(32),
    dataDir: `dir-${number}`,
    checksums: { [algorithm]: digest(algorithm, data) },
    mtime: 0,
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
  return "no error";
}

const headers = (init: Record<string, string>) => new Headers(init);

describe("uploadChecksum", () => {
  it("defaults the type by algorithm", () => {
    expect(uploadChecksum(headers({}))).toBeNull();
    expect(uploadChecksum(headers({ "x-amz-checksum-algorithm": "CRC32" }))).toEqual({
      algorithm: "crc32",
      type: "COMPOSITE",
    });
    expect(uploadChecksum(headers({ "x-amz-checksum-algorithm": "CRC64NVME" }))).toEqual({
      algorithm: "crc64nvme",
      type: "FULL_OBJECT",
    });
    expect(
      uploadChecksum(
        headers({ "x-amz-checksum-algorithm": "crc32c", "x-amz-checksum-type": "full_object" }),
      ),
    ).toEqual({ algorithm: "crc32c", type: "FULL_OBJECT" });
  });

  it("refuses pairs AWS refuses", () => {
    const pairs: Record<string, string>[] = [
      { "x-amz-checksum-type": "FULL_OBJECT" },
      { "x-amz-checksum-algorithm": "MD5" },
      { "x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT" },
      { "x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE" },
      { "x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "WHOLE" },
    ];
    for (const pair of pairs)
      expect(
        code(() => uploadChecksum(headers(pair))),
        JSON.stringify(pair),
      ).toBe("InvalidRequest");
  });
});

describe("partChecksumPlan", () => {
  it("computes the upload's algorithm when the part names none, and refuses another", () => {
    const upload = { algorithm: "crc32c", type: "FULL_OBJECT" } as const;
    expect(partChecksumPlan(upload, null)?.algorithm).toBe("crc32c");
    expect(partChecksumPlan(null, null)).toBeNull();
    const other = {
      algorithm: "crc32" as const,
      expected: null,
      checksum: createChecksum("crc32"),
    };
    expect(code(() => partChecksumPlan(upload, other))).toBe("InvalidRequest");
    expect(partChecksumPlan(null, other)).toBe(other);
  });
});

describe("completedChecksums", () => {
  const a = new TextEncoder().encode("a".repeat(5000));
  const b = new TextEncoder().encode("the last part");
  const whole = new Uint8Array([...a, ...b]);

  it("combines FULL_OBJECT CRCs and checks the stated value and type", () => {
    for (const algorithm of ["crc32", "crc32c", "crc64nvme"] as const) {
      const upload = { algorithm, type: "FULL_OBJECT" } as const;
      const parts = [part(1, a, algorithm), part(2, b, algorithm)];
      const expected = digest(algorithm, whole);
      expect(completedChecksums(upload, parts, headers({}))).toEqual({ [algorithm]: expected });
      expect(
        completedChecksums(upload, parts, headers({ [`x-amz-checksum-${algorithm}`]: expected })),
      ).toEqual({ [algorithm]: expected });
      const wrong = digest(algorithm, b);
      expect(
        code(() =>
          completedChecksums(upload, parts, headers({ [`x-amz-checksum-${algorithm}`]: wrong })),
        ),
      ).toBe("BadDigest");
      expect(
        code(() =>
          completedChecksums(upload, parts, headers({ "x-amz-checksum-type": "COMPOSITE" })),
        ),
      ).toBe("BadDigest");
    }
  });

  it("keeps COMPOSITE checksums as before", () => {
    const parts = [part(1, a, "sha256"), part(2, b, "sha256")];
    const composite = completedChecksums(
      { algorithm: "sha256", type: "COMPOSITE" },
      parts,
      headers({}),
    );
    expect(composite.sha256).toMatch(/-2$/);
    expect(completedChecksums(null, parts, headers({}))).toEqual(composite);
  });

  it("stores nothing when a part lacks the checksum", () => {
    const parts = [part(1, a, "crc32"), { ...part(2, b, "crc32"), checksums: {} }];
    expect(
      completedChecksums({ algorithm: "crc32", type: "FULL_OBJECT" }, parts, headers({})),
    ).toEqual({});
  });
});
