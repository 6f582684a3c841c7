/**
 * Reading what a peer site answers, whoever dials it (a site's replication,
 * the CLI): an answer is read only up to a cap, and only a short,
 * well-formed error code is ever taken from it (`[A-Za-z][A-Za-z0-9.]*`, at
 * most 64 characters), so a peer cannot make its caller repeat arbitrary
 * text.
 */

/** Most bytes read from a peer's error or check answer. */
export const PEER_ANSWER_LIMIT = 64 * 1024;

const PLAUSIBLE_CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

/** The code itself when it is a plausible S3 or admin error code; null otherwise. */
export function plausibleCode(code: unknown): string | null {
  return typeof code === "string" && PLAUSIBLE_CODE.test(code) ? code : null;
}

/** A peer's answer as bytes, read up to `limit` bytes (the rest is cancelled). */
export async function peerBytes(
  response: Response,
  limit = PEER_ANSWER_LIMIT,
): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(total, limit));
  let at = 0;
  for (const chunk of chunks) {
    const piece = chunk.subarray(0, bytes.byteLength - at);
    bytes.set(piece, at);
    at += piece.byteLength;
    if (at >= bytes.byteLength) break;
  }
  return bytes;
}

/** A peer's answer as text, read up to `limit` bytes (the rest is cancelled). */
export async function peerText(response: Response, limit = PEER_ANSWER_LIMIT): Promise<string> {
  return new TextDecoder().decode(await peerBytes(response, limit));
}

/** The S3 error code of a peer's XML error, when it is a plausible code; null otherwise. */
export function peerErrorCode(text: string): string | null {
  return plausibleCode(/<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1]);
}
