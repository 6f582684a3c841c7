/**
 * Bench plumbing: a SigV4-signed fetch for Floe (UNSIGNED-PAYLOAD, as S3
 * clients send over TLS), a plain fetch for the baseline, a concurrency
 * pool, a body that streams N bytes without holding them, and RSS sampling
 * of a site's workerd process.
 */
import { readFileSync, readdirSync } from "node:fs";
import { Readable } from "node:stream";
import { signRequest } from "../../workers/auth/sign.ts";

export const ROOT = {
  accessKeyId: "floeadmin",
  secretKey: "floeadmin-secret",
  region: "us-east-1",
};

export type Body = Uint8Array | ReadableStream<Uint8Array> | null;

function isReset(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    String((error as { cause?: unknown }).cause).includes("ECONNRESET")
  );
}

/**
 * fetch that resends once when a pooled connection turns out closed (workerd
 * drops kept-alive connections after long transfers). Streamed bodies cannot
 * be resent, so they go on a connection of their own.
 */
async function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Body,
): Promise<Response> {
  const streamed = body instanceof ReadableStream;
  const init = {
    method,
    headers: streamed ? { ...headers, connection: "close" } : headers,
    body,
    duplex: "half",
  } as RequestInit;
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (!isReset(error) || streamed) throw error;
    response = await fetch(url, init);
  }
  if (!response.ok)
    throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response;
}

/** A signed request to Floe; throws on a non-2xx status. */
export async function floeFetch(
  method: string,
  url: string,
  body: Body = null,
  length?: number,
): Promise<Response> {
  const size = body instanceof Uint8Array ? body.byteLength : length;
  const headers = await signRequest({
    method,
    url,
    ...ROOT,
    headers: size === undefined ? {} : { "content-length": String(size) },
  });
  return send(method, url, headers, body);
}

/** An unsigned request to the baseline; throws on a non-2xx status. */
export async function plainFetch(
  method: string,
  url: string,
  body: Body = null,
  length?: number,
): Promise<Response> {
  const size = body instanceof Uint8Array ? body.byteLength : length;
  return send(method, url, size === undefined ? {} : { "content-length": String(size) }, body);
}

/** Reads and discards a response body; returns its length. */
export async function consume(response: Response): Promise<number> {
  let n = 0;
  if (!response.body) return 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
    n += chunk.byteLength;
  return n;
}

/** Runs `count` tasks with `concurrency` at a time. */
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

/** `size` bytes streamed from a repeated 1 MiB random piece. */
export function repeatingBody(size: number, piece: Uint8Array): ReadableStream<Uint8Array> {
  let sent = 0;
  return Readable.toWeb(
    new Readable({
      read() {
        if (sent >= size) return void this.push(null);
        const n = Math.min(piece.byteLength, size - sent);
        sent += n;
        this.push(n === piece.byteLength ? piece : piece.subarray(0, n));
      },
    }),
  ) as ReadableStream<Uint8Array>;
}

/** Every descendant of `pid` named `name` (Linux /proc). */
export function descendantsNamed(pid: number, name: string): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  for (const [child] of parents) {
    let p: number | undefined = child;
    while (p !== undefined && p > 1 && p !== pid) p = parents.get(p);
    if (p === pid && names.get(child) === name) found.push(child);
  }
  return found;
}

/** Resident set size of a process in bytes (0 when gone). */
export function rss(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the summed RSS of `pids` every 100 ms until stopped; returns the peak. */
export function sampleRss(pids: number[]): { stop(): number } {
  let peak = pids.reduce((sum, pid) => sum + rss(pid), 0);
  const timer = setInterval(() => {
    peak = Math.max(
      peak,
      pids.reduce((sum, pid) => sum + rss(pid), 0),
    );
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(
        peak,
        pids.reduce((sum, pid) => sum + rss(pid), 0),
      );
    },
  };
}
