/**
 * Cuts a byte stream into erasure blocks of exactly `blockSize` bytes (the
 * last one shorter), holding at most one block in memory. Where the stream
 * is a byte stream with workerd's `readAtLeast` (a request body), each block
 * is read straight into its own buffer in one call; otherwise chunks are
 * gathered, and copied only when a block spans several of them. A body
 * declared smaller than a block is read into a buffer of its own size (one
 * byte more, so a longer body still shows), not a whole block's.
 */
export class BlockReader {
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private byob: ReadableStreamBYOBReader | null = null;
  private pending: Uint8Array | null = null;
  private finished = false;
  /** Bytes handed out so far. */
  total = 0;

  /** `sizeHint`: the body's declared length, when known (a wrong one only costs reads). */
  constructor(
    body: ReadableStream<Uint8Array> | null,
    private readonly blockSize: number,
    private readonly sizeHint: number | null = null,
  ) {
    if (!body) {
      this.finished = true;
      return;
    }
    try {
      const byob = body.getReader({ mode: "byob" });
      if (typeof byob.readAtLeast === "function") this.byob = byob;
      else {
        byob.releaseLock();
        this.reader = body.getReader();
      }
    } catch {
      this.reader = body.getReader();
    }
  }

  /** The next block, or null at the end of the stream. */
  async next(): Promise<Uint8Array | null> {
    if (this.byob) return this.nextByob(this.byob);
    const pieces: Uint8Array[] = [];
    let filled = 0;
    while (filled < this.blockSize) {
      let chunk = this.pending;
      this.pending = null;
      if (!chunk) {
        if (this.finished || !this.reader) break;
        const { done, value } = await this.reader.read();
        if (done) {
          this.finished = true;
          break;
        }
        chunk = value;
      }
      const take = Math.min(chunk.byteLength, this.blockSize - filled);
      if (take > 0) pieces.push(take === chunk.byteLength ? chunk : chunk.subarray(0, take));
      filled += take;
      if (take < chunk.byteLength) this.pending = chunk.subarray(take);
    }
    if (filled === 0) return null;
    this.total += filled;
    return pieces.length === 1 ? pieces[0] : joined(pieces, filled);
  }

  private async nextByob(reader: ReadableStreamBYOBReader): Promise<Uint8Array | null> {
    if (this.finished) return null;
    const size =
      this.total === 0 && this.sizeHint !== null && this.sizeHint < this.blockSize
        ? this.sizeHint + 1
        : this.blockSize;
    const { done, value } = await reader.readAtLeast(size, new Uint8Array(size));
    if (done || !value || value.byteLength < size) this.finished = true;
    if (!value || value.byteLength === 0) return null;
    this.total += value.byteLength;
    return value;
  }

  /**
   * Stops reading (the writer failed) and releases the source, which the
   * request pipeline then drains so the client still receives the error.
   */
  async cancel(_reason: unknown): Promise<void> {
    this.finished = true;
    this.pending = null;
    this.reader?.releaseLock();
    this.byob?.releaseLock();
    this.reader = null;
    this.byob = null;
  }
}

/** The pieces copied into one buffer of `size` bytes. */
function joined(pieces: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}
