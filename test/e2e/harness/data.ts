/**
 * Deterministic test payloads that never need to sit in memory whole: a
 * keyed pseudo-random byte stream, its MD5 computed as generated, and a
 * helper that hashes what a GET streams back.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";

/** `size` pseudo-random bytes from `seed` (xorshift32), as a Node stream in 1 MiB pieces. */
export function patternStream(size: number, seed = 1): Readable {
  let state = seed >>> 0 || 1;
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(1024 * 1024, size - produced);
      const chunk = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        chunk[i] = state & 0xff;
        if (i + 1 < n) chunk[i + 1] = (state >>> 8) & 0xff;
        if (i + 2 < n) chunk[i + 2] = (state >>> 16) & 0xff;
        if (i + 3 < n) chunk[i + 3] = (state >>> 24) & 0xff;
      }
      produced += n;
      this.push(chunk);
    },
  });
}

/** The whole pattern in memory (for small sizes). */
export async function patternBytes(size: number, seed = 1): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of patternStream(size, seed)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** MD5 (hex) of the pattern. */
export async function patternMd5(size: number, seed = 1): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of patternStream(size, seed)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** MD5 (hex) and length of a streamed body. */
export async function md5OfStream(
  body: AsyncIterable<Uint8Array>,
): Promise<{ md5: string; size: number }> {
  const hash = createHash("md5");
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { md5: hash.digest("hex"), size };
}
