// A thin TCP front for local sites. workerd, which Miniflare runs, never
// answers `Expect: 100-continue`, so clients that send it (the AWS SDKs for
// large bodies, the aws CLI) stall for their timeout, 1 to 6 s, before each
// body. Cloudflare's edge answers it in production; locally this front does.
// It relays bytes both ways untouched (no HTTP parsing, so it costs next to
// nothing) and watches the client's side: when a read ends exactly at the
// end of a header block that carries `Expect: 100-continue`, the client is
// now waiting, so the front answers `HTTP/1.1 100 Continue` itself.
import net from "node:net";

const END = Buffer.from("\r\n\r\n");
const EXPECT = /\r\nexpect:[ \t]*100-continue[ \t]*\r\n/i;
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;
const TAIL = 16 * 1024;

/** True when `tail` ends with a complete request header block asking for 100 Continue. */
function waitingForContinue(tail) {
  if (tail.length < 4 || !tail.subarray(tail.length - 4).equals(END)) return false;
  const text = tail.toString("latin1", 0, tail.length - 2);
  const start = text.lastIndexOf("\r\n\r\n");
  const block = start >= 0 ? text.slice(start + 4) : text;
  return REQUEST_LINE.test(block) && EXPECT.test(block.slice(block.indexOf("\r\n")));
}

/** Listens on host:port and relays to the workerd entry at `target` (a URL). */
export function startContinueProxy({ host, port, target }) {
  const upstream = new URL(target);
  const server = net.createServer((client) => {
    const worker = net.connect(Number(upstream.port), upstream.hostname);
    client.setNoDelay(true);
    worker.setNoDelay(true);
    let tail = Buffer.alloc(0);
    client.on("data", (chunk) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > TAIL) tail = tail.subarray(tail.length - TAIL);
      if (!worker.write(chunk)) client.pause();
      if (chunk.length > 0 && chunk[chunk.length - 1] === 0x0a && waitingForContinue(tail)) {
        client.write("HTTP/1.1 100 Continue\r\n\r\n");
      }
    });
    worker.on("drain", () => client.resume());
    worker.pipe(client);
    const close = () => {
      client.destroy();
      worker.destroy();
    };
    client.on("error", close);
    worker.on("error", close);
    client.on("end", () => worker.end());
    worker.on("close", () => client.end());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
