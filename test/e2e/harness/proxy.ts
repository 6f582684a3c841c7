/**
 * A recording HTTP proxy on 127.0.0.1 in front of a local site, for tests
 * that count what a site receives (e.g. the parts of a replicated upload).
 * Requests are forwarded unchanged (the Host header included, so SigV4
 * signatures made for the proxy's address still verify at the site); each
 * is recorded with the status the site answered, or 0 when the site never
 * answered (it was down or went away mid-request). It can also play a site
 * that does not know some request, answering it with an S3 error itself.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  url: string;
  status: number;
}

export interface RecordingProxy {
  port: number;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function recordingProxy(
  targetPort: number,
  options: {
    /** Answers a request itself with this S3 error code and status, instead of forwarding it. */
    refuse?: (method: string, url: string) => { status: number; code: string } | null;
  } = {},
): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const entry: ProxiedRequest = {
      method: incoming.method ?? "",
      url: incoming.url ?? "",
      status: 0,
    };
    requests.push(entry);
    const refusal = options.refuse?.(entry.method, entry.url);
    if (refusal) {
      entry.status = refusal.status;
      incoming.resume();
      incoming.on("end", () =>
        outgoing
          .writeHead(refusal.status, { "content-type": "application/xml" })
          .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code></Error>`),
      );
      return;
    }
    const upstream = request(
      {
        host: "127.0.0.1",
        port: targetPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on("error", () => outgoing.destroy());
      },
    );
    upstream.on("error", () => {
      entry.status = 0;
      if (!outgoing.headersSent) outgoing.writeHead(502).end();
      else outgoing.destroy();
    });
    incoming.on("error", () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
