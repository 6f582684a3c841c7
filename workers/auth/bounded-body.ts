/**
 * Request documents read whole (S3 XML configurations, admin API JSON)
 * under a size cap that holds while the body streams in:
 * - a declared length over the cap (x-amz-decoded-content-length for
 *   aws-chunked bodies, else Content-Length) is refused before a byte is
 *   read;
 * - otherwise bytes are counted as they arrive and the body is refused as
 *   soon as the count passes the cap, so memory stays at the cap whatever
 *   the client sends;
 * - a refused body is drained up to REFUSED_DRAIN_BYTES for at most
 *   REFUSED_DRAIN_MS (so a client that is still sending reads the error
 *   rather than a reset connection) and then given up; bodies refused
 *   before they were read (a failed signature, a denied caller) are
 *   drained the same way (drainRefusedBody).
 * The payload checks of the body's SigV4 mode (aws-chunked.ts) run as it is
 * read, so a document is returned only once its hash or signatures held.
 */
import type { DecodedBody } from "./aws-chunked.ts";

/** Bytes of a refused body read and discarded before the connection is given up. */
const REFUSED_DRAIN_BYTES = 4 * 1024 * 1024;
/** Longest a refused body is drained (a client may trickle it). */
const REFUSED_DRAIN_MS = 5_000;

/** Waits for `drain`, or REFUSED_DRAIN_MS, whichever comes first. */
async function bounded(drain: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    drain,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, REFUSED_DRAIN_MS))),
  ]);
  if (timer !== undefined) clearTimeout(timer);
}

/** Drains a refused body within the bounds, then cancels it (no later drain reads more). */
async function giveUp(body: DecodedBody): Promise<void> {
  await bounded(body.drain(REFUSED_DRAIN_BYTES));
  await body.stream.cancel().catch(() => undefined);
}

/**
 * Drains a request body that was refused before anyone read it, within the
 * refused-body bounds, then cancels it.
 */
export async function drainRefusedBody(request: Request): Promise<void> {
  const body = request.body;
  if (!body || body.locked) return;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const drain = (async () => {
    let discarded = 0;
    while (discarded < REFUSED_DRAIN_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      discarded += value.byteLength;
    }
  })().catch(() => undefined);
  await bounded(drain);
  await reader.cancel().catch(() => undefined);
}

/** The payload length the client declared; null when it declared none. */
function declaredBodyLength(headers: Headers): number | null {
  const value =
    headers.get("x-amz-decoded-content-length") ?? headers.get("content-length") ?? null;
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

/**
 * Reads the whole payload, or throws `tooLarge()` once it is known to pass
 * `limit` bytes (before reading, when the declared length says so).
 */
export async function readBoundedBody(
  body: DecodedBody,
  headers: Headers,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const declared = declaredBodyLength(headers);
  if (declared !== null && declared > limit) {
    await giveUp(body);
    throw tooLarge();
  }
  const reader = body.stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.releaseLock();
      await giveUp(body);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
