/**
 * The baseline for `npm run bench:s3`: what one Durable Object can take in
 * and give back when nothing else happens, i.e. a single drive with no
 * erasure coding, no quorum, no metadata service and no auth.
 *
 *   PUT /<key>  reads the body in 1 MiB pieces (workerd's BYOB readAtLeast)
 *               and sends each to the one Store Durable Object over RPC as a
 *               Uint8Array; the DO inserts one SQLite row per piece. A body
 *               of one piece (small objects) is stored in a single call.
 *   GET /<key>  streams the rows back in order with a Content-Length, one
 *               RPC per row and the next row already requested.
 *
 * Run by bench/baseline/run.mjs; bench-only, never deployed.
 */
import { DurableObject } from "cloudflare:workers";

const PIECE = 1024 * 1024;

interface BaselineEnv {
  STORE: DurableObjectNamespace<Store>;
}

interface Opened {
  size: number;
  pieces: number;
  first: Uint8Array | null;
}

export class Store extends DurableObject<BaselineEnv> {
  constructor(ctx: DurableObjectState, env: BaselineEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, size INTEGER NOT NULL, pieces INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS pieces (key TEXT NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (key, n));`,
    );
  }

  /** Stores piece `n` of `key` (one row). */
  async putPiece(key: string, n: number, data: Uint8Array): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO pieces (key, n, data) VALUES (?, ?, ?)",
      key,
      n,
      data,
    );
  }

  /** Records the object once all its pieces are stored; drops pieces left from an older, longer version. */
  async finish(key: string, size: number, pieces: number): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("DELETE FROM pieces WHERE key = ? AND n >= ?", key, pieces);
      this.ctx.storage.sql.exec(
        "INSERT OR REPLACE INTO objects (key, size, pieces) VALUES (?, ?, ?)",
        key,
        size,
        pieces,
      );
    });
  }

  /** A whole object of at most one piece, in one call. */
  async putSmall(key: string, data: Uint8Array): Promise<void> {
    const pieces = data.byteLength > 0 ? 1 : 0;
    this.ctx.storage.transactionSync(() => {
      if (pieces > 0) this.putRow(key, data);
      this.ctx.storage.sql.exec("DELETE FROM pieces WHERE key = ? AND n >= ?", key, pieces);
      this.ctx.storage.sql.exec(
        "INSERT OR REPLACE INTO objects (key, size, pieces) VALUES (?, ?, ?)",
        key,
        data.byteLength,
        pieces,
      );
    });
  }

  /** Size, piece count and the first piece (so a small GET is one call), or null. */
  async open(key: string): Promise<Opened | null> {
    const object = this.ctx.storage.sql
      .exec<{ size: number; pieces: number }>("SELECT size, pieces FROM objects WHERE key = ?", key)
      .toArray()[0];
    if (!object) return null;
    return {
      size: object.size,
      pieces: object.pieces,
      first: object.pieces > 0 ? await this.getPiece(key, 0) : null,
    };
  }

  /** Piece `n` of `key`. */
  async getPiece(key: string, n: number): Promise<Uint8Array> {
    const row = this.ctx.storage.sql
      .exec<{ data: ArrayBuffer }>("SELECT data FROM pieces WHERE key = ? AND n = ?", key, n)
      .toArray()[0];
    if (!row) throw new Error(`piece ${n} of ${key} is missing`);
    return new Uint8Array(row.data);
  }

  private putRow(key: string, data: Uint8Array): void {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO pieces (key, n, data) VALUES (?, 0, ?)",
      key,
      data,
    );
  }
}

async function put(request: Request, store: DurableObjectStub<Store>, key: string) {
  if (!request.body) {
    await store.putSmall(key, new Uint8Array(0));
    return new Response(null, { status: 200 });
  }
  const reader = request.body.getReader({ mode: "byob" });
  let size = 0;
  let n = 0;
  let inFlight: Promise<void> | null = null;
  for (;;) {
    const { done, value } = await reader.readAtLeast(PIECE, new Uint8Array(PIECE));
    const piece = value && value.byteLength > 0 ? value : null;
    const last = done || !value || value.byteLength < PIECE;
    if (n === 0 && last) {
      // The whole body fits in one piece: one RPC, one row.
      await store.putSmall(key, piece ?? new Uint8Array(0));
      return new Response(null, { status: 200 });
    }
    if (piece) {
      // One piece in flight while the next one is read from the body.
      if (inFlight) await inFlight;
      inFlight = store.putPiece(key, n++, piece);
      size += piece.byteLength;
    }
    if (last) break;
  }
  if (inFlight) await inFlight;
  await store.finish(key, size, n);
  return new Response(null, { status: 200 });
}

async function get(store: DurableObjectStub<Store>, key: string, ctx: ExecutionContext) {
  const opened = await store.open(key);
  if (!opened) return new Response("not found", { status: 404 });
  const headers = {
    "content-length": String(opened.size),
    // A binary type, as Floe serves by default: Miniflare gzips text types for clients that accept it.
    "content-type": "application/octet-stream",
  };
  if (opened.pieces <= 1) return new Response(opened.first ?? new Uint8Array(0), { headers });
  let n = 1;
  let next: Promise<Uint8Array> | null = store.getPiece(key, n++);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (opened.first) controller.enqueue(opened.first);
    },
    async pull(controller) {
      if (!next) {
        controller.close();
        return;
      }
      const piece = await next;
      next = n < opened.pieces ? store.getPiece(key, n++) : null;
      controller.enqueue(piece);
    },
  });
  const fixed = new FixedLengthStream(opened.size);
  ctx.waitUntil(body.pipeTo(fixed.writable));
  return new Response(fixed.readable, { headers });
}

export default {
  async fetch(request: Request, env: BaselineEnv, ctx: ExecutionContext): Promise<Response> {
    const key = decodeURIComponent(new URL(request.url).pathname.slice(1));
    if (!key) return new Response("no key", { status: 400 });
    const store = env.STORE.get(env.STORE.idFromName("one"));
    if (request.method === "PUT") return put(request, store, key);
    if (request.method === "GET") return get(store, key, ctx);
    return new Response("method not allowed", { status: 405 });
  },
};
