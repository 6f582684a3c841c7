/**
 * The raw baseline for `npm run bench:s3`: what one Durable Object can take
 * and give back with no coding, no quorum and no auth. PUT /key reads the
 * body in 1 MiB pieces (workerd's readAtLeast, as Floe does) and stores each
 * as a SQLite row over RPC; GET /key streams the rows back in order.
 */
import { DurableObject } from "cloudflare:workers";

const PIECE = 1024 * 1024;
const BATCH = 4;

interface BaselineEnv {
  STORE: DurableObjectNamespace<Store>;
}

export class Store extends DurableObject<BaselineEnv> {
  constructor(ctx: DurableObjectState, env: BaselineEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS pieces (key TEXT NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (key, n))",
    );
  }

  async put(key: string, n: number, data: Uint8Array): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO pieces (key, n, data) VALUES (?, ?, ?)",
      key,
      n,
      data,
    );
  }

  async setSize(key: string, size: number): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO pieces (key, n, data) VALUES (?, -1, ?)",
      key,
      String(size),
    );
  }

  async size(key: string): Promise<number | null> {
    const row = this.ctx.storage.sql
      .exec<{ data: string }>("SELECT data FROM pieces WHERE key = ? AND n = -1", key)
      .toArray()[0];
    return row ? Number(row.data) : null;
  }

  async get(key: string, from: number, count: number): Promise<Uint8Array[]> {
    return this.ctx.storage.sql
      .exec<{ data: ArrayBuffer }>(
        "SELECT data FROM pieces WHERE key = ? AND n >= ? AND n < ? ORDER BY n",
        key,
        from,
        from + count,
      )
      .toArray()
      .map((row) => new Uint8Array(row.data));
  }
}

export default {
  async fetch(request: Request, env: BaselineEnv, ctx: ExecutionContext): Promise<Response> {
    const key = new URL(request.url).pathname;
    const store = env.STORE.get(env.STORE.idFromName("one"));
    if (request.method === "PUT") {
      const reader = request.body!.getReader({ mode: "byob" });
      let n = 0;
      let size = 0;
      for (;;) {
        const { done, value } = await reader.readAtLeast(PIECE, new Uint8Array(PIECE));
        if (value && value.byteLength > 0) {
          size += value.byteLength;
          await store.put(key, n++, value);
        }
        if (done || !value || value.byteLength < PIECE) break;
      }
      await store.setSize(key, size);
      return new Response(null, { status: 200 });
    }
    if (request.method === "GET") {
      const size = await store.size(key);
      if (size === null) return new Response("not found", { status: 404 });
      const pieces = Math.ceil(size / PIECE);
      let n = 0;
      // Four pieces per call and one batch read ahead, as Floe's read path does.
      const fetchBatch = () => {
        if (n >= pieces) return null;
        const batch = store.get(key, n, BATCH);
        n += BATCH;
        return batch;
      };
      let next = fetchBatch();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const batch = next ? await next : null;
          if (!batch) {
            controller.close();
            return;
          }
          next = fetchBatch();
          for (const piece of batch) controller.enqueue(piece);
        },
      });
      const fixed = new FixedLengthStream(size);
      ctx.waitUntil(body.pipeTo(fixed.writable));
      return new Response(fixed.readable, {
        // A binary type, as Floe serves by default: Cloudflare (and Miniflare) gzip text types for clients that accept it.
        headers: { "content-length": String(size), "content-type": "application/octet-stream" },
      });
    }
    return new Response("method not allowed", { status: 405 });
  },
};
