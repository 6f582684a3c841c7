/**
 * Request bodies according to their SigV4 payload mode:
 * - UNSIGNED-PAYLOAD (and presigned URLs): the body as it is;
 * - a SHA-256 in x-amz-content-sha256: the body, hashed as it passes; a
 *   different hash at the end is XAmzContentSHA256Mismatch;
 * - aws-chunked (STREAMING-…): the framing removed and every chunk (and the
 *   trailer) checked as it passes (chunk-decoder.ts); the trailer lines are
 *   handed over once the body has been read.
 * Checks run while the body is read and fail the stream with an S3Error, so
 * a write that reads a bad body fails before it commits. Raw bytes are read
 * in large pieces where the runtime can (workerd's readAtLeast), and decoded
 * output is handed on in pieces of at least the read target (64 KiB for
 * aws-chunked bodies, 1 MiB for a body checked against its SHA-256) except
 * at the end, however finely the network slices the body (unsigned bodies
 * too, in pieces like SHA-256-checked ones). A source that errors (the
 * client sent less than its Content-Length, or went away) errors the decoded
 * stream with IncompleteBody: this is the one place where the runtime's
 * "Network connection lost" on a request body becomes an S3 error.
 */
import { createHash, type Hash } from "node:crypto";
import { S3Error, isS3Error } from "../../shared/s3-errors.ts";
import { ChunkDecoder } from "./chunk-decoder.ts";
import type { Anonymous, Authenticated } from "./authentication.ts";

export interface DecodedBody {
  /** The payload bytes only. */
  stream: ReadableStream<Uint8Array>;
  /**
   * Resolves after the stream is fully read: the trailing headers
   * (lower-case names), e.g. { "x-amz-checksum-crc32": "…" }; empty when
   * none. Rejects with the stream's error.
   */
  trailers: Promise<Record<string, string>>;
  /**
   * Reads and discards whatever the client is still sending (after a
   * failure), so it receives the error response, not a reset connection;
   * with a bound, stops (and cancels the body) once that many bytes were
   * discarded.
   */
  drain(maxBytes?: number): Promise<void>;
}

/** aws-chunked output is gathered up to this size before it is handed on. */
const CHUNKED_READ_TARGET = 64 * 1024;
/**
 * A SHA-256-checked or unsigned body passes through unchanged, so it is read in pieces
 * of one default erasure block: each piece becomes a block without copying,
 * and the per-piece cost of the stream is paid 16 times less often.
 */
const PASS_THROUGH_READ_TARGET = 1024 * 1024;

/** The raw body, read in large pieces where the runtime allows. */
class RawSource {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  private ended = false;
  /** The read in progress (settled), which the next read waits for. */
  private previous: Promise<unknown> = Promise.resolve();

  /**
   * `remaining`: the raw body's Content-Length, when declared, so a small
   * body's read buffer is its own size rather than the whole target.
   */
  constructor(
    stream: ReadableStream<Uint8Array>,
    readonly target: number,
    private remaining: number | null,
  ) {
    let reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
    try {
      reader = stream.getReader({ mode: "byob" });
      // Only workerd's readAtLeast makes BYOB worth it; plain BYOB reads are no bigger.
      if (typeof reader.readAtLeast !== "function") {
        reader.releaseLock();
        reader = stream.getReader();
      }
    } catch {
      reader = stream.getReader();
    }
    this.reader = reader;
  }

  /**
   * The next non-empty piece; null at the end. Reads are taken one at a
   * time: a drain may start while the decoded stream's pull is still
   * reading, and overlapping reads of one reader must not interleave.
   */
  read(): Promise<Uint8Array | null> {
    const next = this.previous.then(() => this.readNext());
    this.previous = next.catch(() => undefined);
    return next;
  }

  private async readNext(): Promise<Uint8Array | null> {
    while (!this.ended) {
      const size =
        this.remaining === null ? this.target : Math.max(1, Math.min(this.target, this.remaining));
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result =
          "readAtLeast" in this.reader
            ? await this.reader.readAtLeast(size, new Uint8Array(size))
            : await this.reader.read();
      } catch (error) {
        this.ended = true;
        throw isS3Error(error) ? error : new S3Error("IncompleteBody");
      }
      const { done, value } = result;
      if (done) this.ended = true;
      if (value && value.byteLength > 0) {
        if (this.remaining !== null)
          this.remaining = Math.max(0, this.remaining - value.byteLength);
        return value;
      }
    }
    return null;
  }

  async cancel(reason: unknown): Promise<void> {
    this.ended = true;
    await this.reader.cancel(reason).catch(() => undefined);
  }

  /** Reads and discards the rest, or up to `maxBytes` and then cancels. */
  async drain(maxBytes = Infinity): Promise<void> {
    let discarded = 0;
    try {
      for (;;) {
        const piece = await this.read();
        if (piece === null) return;
        discarded += piece.byteLength;
        if (discarded >= maxBytes) break;
      }
    } catch {
      // The client went away: nothing left to drain.
      return;
    }
    await this.cancel(new S3Error("IncompleteBody"));
  }
}

/** Steps of a decoding stream: bytes in, payload pieces out; `end` returns the trailers. */
interface Decoding {
  write(input: Uint8Array, out: Uint8Array[]): void;
  end(): Record<string, string>;
}

/** One piece for `pieces` (copied together when there are several). */
function joined(pieces: Uint8Array[], size: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** A pull-driven stream that decodes the source with `decoding`. */
function decodingStream(source: RawSource, decoding: Decoding): DecodedBody {
  let settle: { resolve(value: Record<string, string>): void; reject(reason: unknown): void };
  const trailers = new Promise<Record<string, string>>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may never ask for the trailers; their failure is the stream's.
  trailers.catch(() => undefined);
  let draining = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const pieces: Uint8Array[] = [];
      let size = 0;
      try {
        while (size < source.target && !draining) {
          const raw = await source.read();
          if (raw === null) {
            const result = decoding.end();
            if (size > 0) controller.enqueue(joined(pieces, size));
            controller.close();
            settle.resolve(result);
            return;
          }
          const before = pieces.length;
          decoding.write(raw, pieces);
          for (let i = before; i < pieces.length; i++) size += pieces[i].byteLength;
        }
        if (size > 0) controller.enqueue(joined(pieces, size));
      } catch (error) {
        controller.error(error);
        settle.reject(error);
      }
    },
    async cancel(reason) {
      settle.reject(reason ?? new Error("The body was cancelled."));
      await source.cancel(reason);
    },
  });
  const drain = async (maxBytes?: number) => {
    draining = true;
    await source.drain(maxBytes);
  };
  return { stream, trailers, drain };
}

/** Hashes what passes; XAmzContentSHA256Mismatch at the end when it differs from `expectedHex`. */
function sha256Check(expectedHex: string): Decoding {
  const hash: Hash = createHash("sha256");
  return {
    write(input, out) {
      hash.update(input);
      out.push(input);
    },
    end() {
      if (hash.digest("hex") !== expectedHex) throw new S3Error("XAmzContentSHA256Mismatch");
      return {};
    },
  };
}

/** The names listed in x-amz-trailer, lower-cased. */
function declaredTrailers(headers: Headers): string[] {
  const value = headers.get("x-amz-trailer") ?? "";
  return value
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
}

/** x-amz-decoded-content-length from the verified auth, or from the header for anonymous requests. */
function decodedLength(auth: Authenticated | Anonymous, headers: Headers): number | null {
  if (!auth.anonymous) return auth.decodedContentLength;
  const value = headers.get("x-amz-decoded-content-length");
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

/** The body's Content-Length; null when absent or not a length. */
function rawLength(headers: Headers): number | null {
  const value = headers.get("content-length");
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

/** Unsigned bodies pass through unchanged. */
const passThrough: Decoding = {
  write(input, out) {
    out.push(input);
  },
  end: () => ({}),
};

/**
 * Wraps the raw request body according to the payload mode; errors (S3Error)
 * surface as stream errors when the body is read.
 */
export function decodeRequestBody(
  body: ReadableStream<Uint8Array> | null,
  auth: Authenticated | Anonymous,
  headers: Headers,
): DecodedBody {
  const raw = body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const payload = auth.payload;
  const length = rawLength(headers);
  if (payload.kind === "unsigned")
    return decodingStream(new RawSource(raw, PASS_THROUGH_READ_TARGET, length), passThrough);
  if (payload.kind === "sha256")
    return decodingStream(
      new RawSource(raw, PASS_THROUGH_READ_TARGET, length),
      sha256Check(payload.expectedHex),
    );
  const source = new RawSource(raw, CHUNKED_READ_TARGET, length);
  const signed = payload.kind === "streaming-signed";
  return decodingStream(
    source,
    new ChunkDecoder({
      signing: signed
        ? {
            signingKey: payload.signingKey,
            scope: payload.scope,
            amzDate: payload.amzDate,
            seedSignature: payload.seedSignature,
          }
        : null,
      trailer: signed ? payload.trailer : true,
      decodedLength: decodedLength(auth, headers),
      declaredTrailers: declaredTrailers(headers),
    }),
  );
}
