/**
 * POST object (a browser form upload: `POST /bucket` with
 * multipart/form-data, authorized by a signed policy inside the form rather
 * than by a signature on the request) is not implemented. It is answered
 * with 501 NotImplemented before authentication, since such requests carry
 * no Authorization header by design. The form is read only up to a small
 * bound, so that a client that sends a short form receives the answer rather
 * than a reset connection; a larger body is cut off and the connection
 * closed instead of being read in full.
 */
import { S3Error } from "../../shared/s3-errors.ts";

/** Most of a form body read before answering. */
const MAX_DRAIN_BYTES = 1024 * 1024;
/** Longest the form body is read before answering. */
const MAX_DRAIN_MS = 2000;

/** Reads at most a bounded prefix of the body, then cancels the rest. */
async function discardBounded(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  const deadline = Date.now() + MAX_DRAIN_MS;
  let read = 0;
  try {
    while (read <= MAX_DRAIN_BYTES) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), left);
      });
      const chunk = await Promise.race([reader.read(), timeout]);
      if (timer !== undefined) clearTimeout(timer);
      if (chunk === null || chunk.done) break;
      read += chunk.value.byteLength;
    }
  } catch {
    // A client that goes away mid-form needs no answer.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Answers a POST object request: always NotImplemented, never reading more than a bounded prefix. */
export async function refusePostObject(request: Request): Promise<never> {
  if (request.body && !request.body.locked)
    await discardBounded(request.body as ReadableStream<Uint8Array>);
  throw new S3Error("NotImplemented", "POST object (browser form upload) is not implemented.");
}
