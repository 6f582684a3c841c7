import { describe, expect, it } from "vitest";
import {
  compositeChecksum,
  createChecksum,
  type ChecksumAlgorithm,
} from "../../shared/checksums.ts";

function digest(algorithm: ChecksumAlgorithm, text: string, splitAt?: number): string {
  const c = createChecksum(algorithm);
  const bytes = new TextEncoder().encode(text);
  if (splitAt === undefined) c.update(bytes);
  else {
    c.update(bytes.subarray(0, splitAt));
    c.update(bytes.subarray(splitAt));
  }
  return c.digest();
}

const hex = (b64: string) => Buffer.from(b64, "base64").toString("hex");

describe("checksums", () => {
  // Check values of the standard "123456789" test vector.
  it("computes the standard check values", () => {
    expect(hex(digest("crc32", "123456789"))).toBe("cbf43926");
    expect(hex(digest("crc32c", "123456789"))).toBe("e3069283");
    expect(hex(digest("crc64nvme", "123456789"))).toBe("ae8b14860a799888");
    expect(hex(digest("sha1", "abc"))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(hex(digest("sha256", ""))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("is the same however the input is split", () => {
    const text = "The quick brown fox jumps over the lazy dog, again and again and again.";
    for (const algorithm of ["crc32", "crc32c", "crc64nvme", "sha256"] as const) {
      for (const at of [0, 1, 7, 8, 9, 33, text.length])
        expect(digest(algorithm, text, at), `${algorithm} @${at}`).toBe(digest(algorithm, text));
    }
  });

  it("builds composite checksums from part digests", () => {
    const parts = [digest("crc32", "part one"), digest("crc32", "part two")];
    const composite = compositeChecksum("crc32", parts);
    expect(composite).toMatch(/^[A-Za-z0-9+/]+=*-2$/);
    const c = createChecksum("crc32");
    for (const p of parts) c.update(Buffer.from(p, "base64"));
    expect(composite).toBe(`${c.digest()}-2`);
  });
});
