/**
 * Cuts a byte stream into erasure blocks of exactly `blockSize` bytes (the
 * last one shorter), holding at most one block in memory.
 */
export class BlockReader {
  private reader: ReadableStreamDefaultReader<Uint8Array> | null;
  private pending: Uint8Array | null = null;
  private finished = false;
  /** Bytes handed out so far. */
  total = 0;

  constructor(
    body: ReadableStream<Uint8Array> | null,
    private readonly blockSize: number,
  ) {
    this.reader = body ? body.getReader() : null;
    if (!body) this.finished = true;
  }

  /** The next block, or null at the end of the stream. */
  async next(): Promise<Uint8Array | null> {
    if (this.finished && !this.pending) return null;
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

  /** True once the stream has ended and every byte was handed out. */
  get done(): boolean {
    return this.finished && !this.pending;
  }

  /**
   * Stops reading (the writer failed) and releases the source, which the
   * request pipeline then drains so the client still receives the error.
   */
  async cancel(_reason: unknown): Promise<void> {
    this.finished = true;
    this.pending = null;
    this.reader?.releaseLock();
    this.reader = null;
  }
}
