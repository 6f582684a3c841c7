/**
 * Bench plumbing for generating load: a concurrency pool, a timer, a body
 * that streams N bytes from a repeated piece without ever holding them,
 * draining a response body, and the plain-fetch client of the baseline.
 */
import { Readable } from "node:stream";

export const MiB = 1024 * 1024;

/** Wall-clock seconds `fn` takes. */
export async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Runs task(0 … count-1) with at most `concurrency` in flight. */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** `size` bytes as a Node stream of `piece`-sized chunks, the same piece over and over. */
export function repeatingStream(size: number, piece: Uint8Array): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(piece.byteLength, size - sent);
      sent += n;
      this.push(n === piece.byteLength ? piece : piece.subarray(0, n));
    },
  });
}

/** A buffer in memory as a Node stream of `chunk`-sized pieces (the SDK then signs UNSIGNED-PAYLOAD). */
export function chunkedStream(buffer: Uint8Array, chunk: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= buffer.byteLength) {
        this.push(null);
        return;
      }
      const end = Math.min(sent + chunk, buffer.byteLength);
      this.push(buffer.subarray(sent, end));
      sent = end;
    },
  });
}

/** Reads and discards a body; returns its length in bytes. */
export async function drain(body: AsyncIterable<Uint8Array> | null | undefined): Promise<number> {
  let n = 0;
  if (!body) return 0;
  for await (const chunk of body) n += chunk.byteLength;
  return n;
}

function isConnectionReset(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const cause = (error as { cause?: unknown }).cause;
  return /ECONNRESET|other side closed|socket/i.test(String(cause));
}

/**
 * The baseline's client: plain fetch with a Content-Length, no auth. A body
 * in memory is sent again once if a kept-alive connection turns out closed
 * (workerd may drop one after a long transfer); `resends` counts those.
 */
export class PlainClient {
  resends = 0;

  constructor(readonly url: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const init: RequestInit = {
      method: "PUT",
      headers: { "content-length": String(body.byteLength) },
      body,
    };
    const response = await this.send(`${this.url}/${key}`, init);
    await this.check(response, "PUT", key);
    await drain(response.body);
  }

  /** A streamed PUT of `size` bytes, on a connection of its own (a stream cannot be resent). */
  async putStream(key: string, body: Readable, size: number): Promise<void> {
    const init = {
      method: "PUT",
      headers: { "content-length": String(size), connection: "close" },
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit;
    const response = await fetch(`${this.url}/${key}`, init);
    await this.check(response, "PUT", key);
    await drain(response.body);
  }

  /** GETs `key`, discards the body, returns its length. */
  async get(key: string): Promise<number> {
    const response = await this.send(`${this.url}/${key}`, { method: "GET" });
    await this.check(response, "GET", key);
    return drain(response.body);
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (!isConnectionReset(error)) throw error;
      this.resends++;
      return fetch(url, init);
    }
  }

  private async check(response: Response, method: string, key: string): Promise<void> {
    if (!response.ok)
      throw new Error(`baseline ${method} ${key}: ${response.status} ${await response.text()}`);
  }
}
