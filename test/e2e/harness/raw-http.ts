/**
 * A raw HTTP/1.1 client over node:net for tests that need what real clients
 * hide: a body shorter than its Content-Length, a body that keeps coming
 * when the server answers, whether the response arrived before a reset.
 * Loopback only. Also samples the memory of a site's process tree.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { signRequest } from "../../../shared/sigv4/sign.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, type Site } from "./site.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A socket error seen before the whole response arrived (e.g. ECONNRESET); null when none. */
  errorBeforeResponse: string | null;
  /** Body bytes the client managed to write. */
  sent: number;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /**
   * Body pieces, written in order with back-pressure; writing stops as soon
   * as response bytes arrive (as careful clients do: writing on would only
   * race the server's close against reading its answer).
   */
  body?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Half-close the connection after the body (a client that sent all it will send). */
  endAfterBody?: boolean;
  /** Give up after this long. */
  timeoutMs?: number;
}

/** Parses a complete response from `buffer`; null while incomplete. */
function parseResponse(buffer: Buffer): Omit<RawResponse, "errorBeforeResponse" | "sent"> | null {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? "0");
  const body = buffer.subarray(end + 4);
  if (body.byteLength < length) return null;
  return { status, headers, body: body.subarray(0, length).toString("utf8") };
}

/** Sends one request on a fresh connection to the site and reads the response. */
export function rawRequest(site: Site, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(site.port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let done = false;
    let answered = false;
    let sent = 0;
    let socketError: string | null = null;
    const timer = setTimeout(() => {
      finish(null);
      reject(new Error(`no response in ${request.timeoutMs ?? 60_000} ms`));
    }, request.timeoutMs ?? 60_000);
    const finish = (response: Omit<RawResponse, "errorBeforeResponse" | "sent"> | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (response) resolve({ ...response, errorBeforeResponse: null, sent });
      else if (socketError)
        resolve({ status: 0, headers: {}, body: "", errorBeforeResponse: socketError, sent });
    };
    socket.on("data", (data: Buffer) => {
      answered = true;
      received = Buffer.concat([received, data]);
      const parsed = parseResponse(received);
      if (parsed) finish(parsed);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      socketError ??= error.code ?? error.message;
    });
    socket.on("close", () => {
      socketError ??= "closed";
      finish(null);
    });
    const head =
      `${request.method} ${request.path} HTTP/1.1\r\n` +
      Object.entries({ host: `127.0.0.1:${site.port}`, ...request.headers })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("") +
      "\r\n";
    const write = (chunk: Uint8Array | string) =>
      new Promise<void>((resolveWrite) => {
        if (done || answered || socket.destroyed) return resolveWrite();
        if (socket.write(chunk)) resolveWrite();
        else {
          const go = () => {
            socket.off("close", go);
            socket.off("drain", go);
            socket.off("data", go);
            resolveWrite();
          };
          socket.once("drain", go);
          socket.once("close", go);
          socket.once("data", go);
        }
      });
    void (async () => {
      await write(head);
      for await (const piece of request.body ?? []) {
        if (done || answered || socket.destroyed) break;
        await write(piece);
        sent += piece.byteLength;
      }
      if (request.endAfterBody && !done && !socket.destroyed) socket.end();
    })();
  });
}

/** `total` bytes of body in `piece`-sized chunks, made as they are written. */
export function* generatedBody(total: number, piece = 256 * 1024): Generator<Uint8Array> {
  const chunk = new Uint8Array(piece).fill(0x7b);
  for (let sent = 0; sent < total; sent += piece)
    yield total - sent >= piece ? chunk : chunk.subarray(0, total - sent);
}

/** Signed headers for a request to the site as root (UNSIGNED-PAYLOAD unless a hash is given). */
export async function signedHeaders(
  site: Site,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  options: { payloadHash?: string; accessKeyId?: string; secretKey?: string } = {},
): Promise<Record<string, string>> {
  return signRequest({
    method,
    url: `${site.url}${path}`,
    headers,
    payloadHash: options.payloadHash,
    accessKeyId: options.accessKeyId ?? ROOT_USER,
    secretKey: options.secretKey ?? ROOT_PASSWORD,
    region: REGION,
  });
}

/** Resident memory (bytes) of a process and all its descendants (Linux /proc). */
export function treeRss(pid: number): number {
  let total = 0;
  const visit = (id: number) => {
    try {
      const status = readFileSync(`/proc/${id}/status`, "utf8");
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      total += Number(kb ?? 0) * 1024;
      for (const task of readFileSync(`/proc/${id}/task/${id}/children`, "utf8").split(" "))
        if (task.trim() !== "") visit(Number(task));
    } catch {
      // The process ended while being read.
    }
  };
  visit(pid);
  return total;
}
