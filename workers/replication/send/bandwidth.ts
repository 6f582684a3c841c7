/**
 * A per-target bandwidth limit: a stream that passes bytes on no faster
 * than `bytesPerSecond`, measured from its start. It paces one transfer;
 * transfers running at once in one isolate share the target's budget
 * through a common token bucket.
 */
interface Bucket {
  /** Time (ms) at which the budget spent so far is paid off. */
  paidUntil: number;
}

const buckets = new Map<string, Bucket>();

/** A TransformStream that holds chunks back to keep the target under its limit. */
export function throttle(
  target: string,
  bytesPerSecond: number,
): TransformStream<Uint8Array, Uint8Array> {
  let bucket = buckets.get(target);
  if (!bucket) {
    bucket = { paidUntil: 0 };
    buckets.set(target, bucket);
  }
  const shared = bucket;
  return new TransformStream({
    async transform(chunk, controller) {
      const now = Date.now();
      const start = Math.max(now, shared.paidUntil);
      shared.paidUntil = start + (chunk.byteLength / bytesPerSecond) * 1000;
      const wait = start - now;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      controller.enqueue(chunk);
    },
  });
}
