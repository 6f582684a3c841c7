// The local runner's HTTP front: a node:http server that every client talks
// to, relaying each request to workerd (run by Miniflare on a private
// loopback port) and streaming both bodies through, never buffering them.
// It does for local sites what Cloudflare's edge does in production:
//
// - `Expect: 100-continue` is answered with `HTTP/1.1 100 Continue` on every
//   request of a kept-alive connection (workerd never answers it, so the AWS
//   SDKs and the aws CLI would stall 1 to 6 s before each body).
// - Headers reach workerd as the client sent them (names, case, order,
//   duplicates), with three exceptions:
//   * hop-by-hop headers (Connection, Keep-Alive, Proxy-Connection, TE,
//     Upgrade) belong to one connection and are not relayed;
//   * Accept-Encoding is not relayed: Miniflare's entry would overwrite it
//     with `br, gzip` before the Worker sees it (breaking signatures that
//     cover it) and compress text responses the client never asked to be
//     encoded (S3 bodies are bytes). The client's value travels instead in
//     x-floe-front-accept-encoding, next to x-floe-front-secret, a random
//     secret shared with the Worker through the FLOE_LOCAL_FRONT_SECRET
//     binding; the Worker restores Accept-Encoding only when the secret
//     matches (see workers/client-headers.ts);
//   * headers a client could use to impersonate the front or Miniflare
//     (x-floe-front-*, MF-*) are dropped, and CF-Connecting-IP is set to the
//     peer address, as Cloudflare sets it.
// - Responses come back with their status, reason and headers verbatim,
//   minus hop-by-hop headers; node:http frames them for the client.
// - Requests without a body share kept-alive connections to workerd (one
//   whose connection workerd had just closed is sent once more); a request
//   with a body gets a connection of its own, since workerd may close one
//   right after a response and a body cannot be sent twice.
// - A client that goes away mid-request aborts the relayed request; one that
//   half-closes before its Content-Length was sent has the relayed body end
//   the same way, so the Worker answers 400 IncompleteBody. An early answer
//   (a refused body) stops the upload upstream, and the error workerd's
//   close then raises is ignored; any other workerd failure before the
//   response becomes a 503 S3 error.
import http from "node:http";
import net from "node:net";
import { Worker } from "node:worker_threads";

/**
 * The connection a request with a body is relayed on. workerd may answer
 * before it has read the whole body (a refused or oversize one) and then
 * close on the rest; a write failing then must not tear down the
 * connection before its answer is read, so write failures only stop
 * further writes and the answer is still read.
 */
class BodySocket extends net.Socket {
  #writeBroken = false;

  _write(chunk, encoding, callback) {
    if (this.#writeBroken) return callback();
    super._write(chunk, encoding, (error) => {
      if (error) this.#writeBroken = true;
      callback();
    });
  }

  _writev(chunks, callback) {
    if (this.#writeBroken) return callback();
    super._writev(chunks, (error) => {
      if (error) this.#writeBroken = true;
      callback();
    });
  }
}

/** Request headers that belong to one connection (RFC 9110 7.6.1) and are never relayed. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "upgrade"]);
const FRONT_PREFIX = "x-floe-front-";
const MINIFLARE_PREFIX = "mf-";
/** Workers accept up to 128 KB of request headers; node:http's default is 16 KiB. */
const MAX_HEADER_SIZE = 128 * 1024;

/** The headers relayed to workerd for a client's raw header list. */
function upstreamHeaders(rawHeaders, { secret, clientAddress }) {
  const out = [];
  const acceptEncoding = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower.startsWith(FRONT_PREFIX) || lower.startsWith(MINIFLARE_PREFIX)) continue;
    if (lower === "cf-connecting-ip") continue;
    if (lower === "accept-encoding") {
      acceptEncoding.push(rawHeaders[i + 1]);
      continue;
    }
    out.push(name, rawHeaders[i + 1]);
  }
  out.push(`${FRONT_PREFIX}secret`, secret);
  // Several Accept-Encoding lines mean one list (RFC 9110 5.3), as a runtime joins them.
  if (acceptEncoding.length > 0)
    out.push(`${FRONT_PREFIX}accept-encoding`, acceptEncoding.join(", "));
  // A dual-stack listener shows IPv4 peers as ::ffff:a.b.c.d; Cloudflare gives the IPv4 form.
  if (clientAddress) out.push("CF-Connecting-IP", clientAddress.replace(/^::ffff:(?=\d+\.)/i, ""));
  return out;
}

/** The response headers relayed to the client: all but hop-by-hop ones. */
function downstreamHeaders(rawHeaders) {
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

/** True when the request carries a body (RFC 9112 6.3): chunked, or a non-zero Content-Length. */
function hasBody(req) {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}

function s3Error(res, status, code, message) {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, {
    "Content-Type": "application/xml",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Listens on host:port and relays to the workerd entry at `target` (a URL).
 * Resolves to the server; `close()` on it also drops kept-alive connections.
 */
export function startHttpFront({ host, port, target, secret }) {
  const upstream = new URL(target);
  // workerd may close a kept-alive connection just after a response (after a
  // long upload, say), and a request sent on it in that moment is lost. One
  // without a body can simply go again; a body cannot be replayed, so a
  // request with one always gets a new connection.
  const pooled = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const single = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  single.createConnection = (options) => new BodySocket().connect(options);

  // The relay in progress on each client connection, for a body cut short (see clientError).
  const relays = new WeakMap();

  const relay = (req, res) => {
    const headers = upstreamHeaders(req.rawHeaders, {
      secret,
      clientAddress: req.socket.remoteAddress,
    });
    let current = null;
    let responded = false;
    let truncated = false;
    // The client left before the whole response went out: stop the relayed request too.
    res.on("close", () => {
      if (!res.writableFinished) current?.destroy();
    });
    req.on("error", () => {
      if (!truncated) current?.destroy();
    });
    relays.set(req.socket, {
      // The client half-closed before its Content-Length was sent: end the relayed body the same
      // way, so the Worker sees the body cut short and answers (400 IncompleteBody) itself.
      truncate() {
        if (!current || responded) return false;
        truncated = true;
        req.unpipe(current);
        current.socket?.end();
        return true;
      },
    });

    const send = (attempt) => {
      let outgoing;
      try {
        outgoing = http.request({
          host: upstream.hostname,
          port: Number(upstream.port),
          method: req.method,
          path: req.url,
          headers,
          setHost: false,
          agent: hasBody(req) ? single : pooled,
          maxHeaderSize: MAX_HEADER_SIZE,
        });
      } catch {
        // node:http refuses to send what its parser accepted only in rare corners (a path byte).
        s3Error(res, 400, "InvalidArgument", "The request could not be relayed.");
        return;
      }
      current = outgoing;
      outgoing.setNoDelay(true);
      outgoing.on("response", (incoming) => {
        responded = true;
        // An early answer (a refused or oversize body): send no more of the body upstream.
        if (hasBody(req) && !req.complete) req.unpipe(outgoing);
        try {
          res.writeHead(
            incoming.statusCode,
            incoming.statusMessage,
            downstreamHeaders(incoming.rawHeaders),
          );
        } catch (error) {
          // A header node will not write must cost this response, never the site.
          console.error(`front: ${req.method} ${req.url}: ${error.code ?? error.message}`);
          incoming.destroy();
          s3Error(res, 502, "InternalError", "The response could not be relayed.");
          return;
        }
        // Sends the head now, as Latin-1: the bytes workerd sent (flushHeaders() would write it as UTF-8).
        res.write(Buffer.alloc(0));
        incoming.pipe(res);
        incoming.on("close", () => {
          if (!incoming.complete) res.destroy();
        });
      });
      outgoing.on("error", (error) => {
        // After an early answer workerd closes on the rest of the body; the answer is what counts.
        // (a cut-short response still ends the client's: see incoming's close above).
        if (res.destroyed || responded) return;
        console.error(`front: ${req.method} ${req.url}: ${error.code ?? error.message}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (truncated) {
          s3Error(
            res,
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
          );
          return;
        }
        if (attempt === 0 && outgoing.reusedSocket && !hasBody(req)) {
          send(1);
          return;
        }
        s3Error(res, 503, "ServiceUnavailable", "Please reduce your request rate.");
      });
      if (hasBody(req)) req.pipe(outgoing);
      else outgoing.end();
    };
    send(0);
  };

  const server = http.createServer(
    {
      maxHeaderSize: MAX_HEADER_SIZE,
      // Uploads of many GiB take minutes; only idle connections time out.
      requestTimeout: 0,
      keepAliveTimeout: 65_000,
      noDelay: true,
    },
    relay,
  );
  server.on("checkContinue", (req, res) => {
    res.writeContinue();
    relay(req, res);
  });
  server.on("clientError", (error, socket) => {
    if (error.code === "HPE_INVALID_EOF_STATE" && relays.get(socket)?.truncate()) return;
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const code = tooLarge ? "RequestHeaderSectionTooLarge" : "BadRequest";
    const message = tooLarge
      ? "Your request header section exceeds the maximum allowed size."
      : "An error occurred when parsing the HTTP request.";
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const close = server.close.bind(server);
  server.close = (callback) => {
    close(callback);
    server.closeAllConnections();
    pooled.destroy();
    single.destroy();
    return server;
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Starts the front in a worker thread (see http-front-thread.mjs). Resolves
 * to `{ address, close }` once it listens; rejects when it cannot listen.
 */
export function startHttpFrontThread(options) {
  const thread = new Worker(new URL("./http-front-thread.mjs", import.meta.url), {
    workerData: options,
  });
  return new Promise((resolve, reject) => {
    thread.once("error", reject);
    thread.once("message", ({ address }) => {
      thread.off("error", reject);
      // Without its front a site serves nobody: stop the runner rather than linger.
      thread.on("error", (error) => {
        console.error("front failed:", error);
        process.exit(1);
      });
      const close = () =>
        new Promise((done) => {
          thread.once("exit", () => done());
          thread.postMessage("close");
          setTimeout(() => thread.terminate(), 2_000).unref();
        });
      resolve({ address, close });
    });
  });
}
