/** Request documents read under a cap that holds while the body streams (workers/auth/bounded-body.ts). */
import { describe, expect, it } from "vitest";
import { decodeRequestBody } from "../../workers/auth/aws-chunked.ts";
import { drainRefusedBody, readBoundedBody } from "../../workers/auth/bounded-body.ts";

const KiB = 1024;
const unsigned = { anonymous: true, payload: { kind: "unsigned" } } as const;

/** An endless body that counts what was pulled from it and whether it was cancelled. */
function endless(piece = 64 * KiB) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulled += piece;
      controller.enqueue(new Uint8Array(piece).fill(0x61));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

class TooLarge extends Error {}

describe("readBoundedBody", () => {
  it("returns a body within the cap", async () => {
    const text = '{"dryRun":true}';
    const body = new Blob([text]).stream();
    const bytes = await readBoundedBody(
      decodeRequestBody(body, unsigned, new Headers()),
      new Headers({ "content-length": String(text.length) }),
      1024,
      () => new TooLarge(),
    );
    expect(new TextDecoder().decode(bytes)).toBe(text);
  });

  it("refuses a declared length over the cap before reading a byte past the drain", async () => {
    const { stream, seen } = endless();
    const headers = new Headers({ "content-length": String(150 * 1024 * KiB) });
    await expect(
      readBoundedBody(
        decodeRequestBody(stream, unsigned, headers),
        headers,
        KiB,
        () => new TooLarge(),
      ),
    ).rejects.toBeInstanceOf(TooLarge);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(8 * 1024 * KiB);
  });

  it("stops an undeclared body as soon as it passes the cap", async () => {
    const { stream, seen } = endless();
    await expect(
      readBoundedBody(
        decodeRequestBody(stream, unsigned, new Headers()),
        new Headers(),
        256 * KiB,
        () => new TooLarge(),
      ),
    ).rejects.toBeInstanceOf(TooLarge);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(8 * 1024 * KiB);
  });
});

describe("drainRefusedBody", () => {
  it("reads at most the bound of a body nobody read, then cancels it", async () => {
    const { stream, seen } = endless();
    await drainRefusedBody(
      new Request("http://127.0.0.1/", {
        method: "POST",
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(seen.pulled).toBeLessThanOrEqual(8 * 1024 * KiB);
  });
});
