/**
 * A progress bar for long transfers (cp, mirror), drawn on stderr with the
 * bytes done, rate and ETA. It exists only when stderr is a terminal and
 * neither --json nor --quiet is set; otherwise every call is a no-op, so
 * commands call it unconditionally. While a bar is drawn, per-file lines
 * are held back (they would tear the bar) and a summary follows instead.
 */
import { SingleBar } from "cli-progress";
import { humanBytes, humanDuration } from "./format.ts";
import type { Output } from "./output.ts";

/** Progress of a transfer of known total size. */
export class Progress {
  private bar?: SingleBar;
  private done = 0;
  private files = 0;
  private started = Date.now();

  private constructor(
    private readonly output: Output,
    private total: number,
    private totalFiles: number,
  ) {}

  /** Starts a bar for `total` bytes in `totalFiles` files (no bar when not interactive). */
  static start(output: Output, total: number, totalFiles: number): Progress {
    const progress = new Progress(output, total, totalFiles);
    if (output.interactive && totalFiles > 0) {
      progress.bar = new SingleBar({
        format:
          "{bar} {percentage}% | {doneBytes}/{totalBytes} | {rate}/s | ETA {eta_formatted} | {files}",
        barsize: 30,
        hideCursor: true,
        stream: output.stderr,
        etaBuffer: 50,
        fps: 5,
      });
      progress.bar.start(Math.max(total, 1), 0, progress.payload());
      output.holdEvents(true);
    }
    return progress;
  }

  /** Adds to the totals (mirror --watch finds more work as it goes). */
  grow(bytes: number, files: number): void {
    this.total += bytes;
    this.totalFiles += files;
    this.bar?.setTotal(Math.max(this.total, 1));
  }

  /** Counts bytes read. */
  add(bytes: number): void {
    this.done += bytes;
    this.bar?.update(this.done, this.payload());
  }

  /** Counts one finished file. */
  fileDone(): void {
    this.files++;
    this.bar?.update(this.done, this.payload());
  }

  /** Removes the bar. */
  stop(): void {
    if (!this.bar) return;
    this.bar.update(this.done, this.payload());
    this.bar.stop();
    this.bar = undefined;
    this.output.holdEvents(false);
  }

  /** Seconds since the start. */
  get elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Bytes per second since the start. */
  get rate(): number {
    return this.elapsed > 0 ? this.done / this.elapsed : 0;
  }

  /** `Copied 3 file(s), 12MiB in 4s (3.0MiB/s).` */
  summary(verb: string, files: number, bytes: number): string {
    return `${verb} ${files} file(s), ${humanBytes(bytes)} in ${humanDuration(this.elapsed)} (${humanBytes(Math.round(this.rate))}/s).`;
  }

  private payload() {
    return {
      doneBytes: humanBytes(this.done),
      totalBytes: humanBytes(this.total),
      rate: humanBytes(Math.round(this.rate)),
      files: `${this.files}/${this.totalFiles} files`,
    };
  }
}
