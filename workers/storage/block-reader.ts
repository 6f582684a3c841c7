/**
 * Cuts a byte stream into erasure blocks of exactly `blockSize` bytes (the
 * last one shorter), holding at most one block in memory. Where the stream
 * is a byte stream with workerd's `readAtLeast` (a request body), each block
 * is read straight into its own buffer in one call; otherwise chunks are
 * gathered and copied (a chunk of exactly one block is taken as it is).
 */
export class BlockReader {
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private byob: ReadableStreamBYOBReader | null = null;
  private pending: Uint8Array | null = null;
  private finished = false;
  /** Bytes handed out so far. */
  total = 0;

  constructor(
    body: ReadableStream<Uint8Array> | null,
    private readonly blockSize: number,
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
    if (this.finished && !this.pending) return null;
    if (!this.pending && this.reader) {
      const { done, value } = await this.reader.read();
      if (done) {
        this.finished = true;
        return null;
      }
      // A piece of exactly one block (a SHA-256-checked body) is the block: no copy.
      if (value.byteLength === this.blockSize) {
        this.total += value.byteLength;
        return value;
      }
      this.pending = value;
    }
    const block = new Uint8Array(this.blockSize);
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
      block.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take < chunk.byteLength) this.pending = chunk.subarray(take);
    }
    if (filled === 0) return null;
    this.total += filled;
    return filled === this.blockSize ? block : block.subarray(0, filled);
  }

  private async nextByob(reader: ReadableStreamBYOBReader): Promise<Uint8Array | null> {
    if (this.finished) return null;
    const { done, value } = await reader.readAtLeast(
      this.blockSize,
      new Uint8Array(this.blockSize),
    );
    if (done || !value || value.byteLength < this.blockSize) this.finished = true;
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
