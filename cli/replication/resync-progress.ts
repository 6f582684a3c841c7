/**
 * The progress bar of `replicate resync status --watch` on a terminal: the
 * versions a job has dealt with (replicated + skipped + failed) out of the
 * total it counted when it started, with a percentage, the ETA and the
 * counts, for every running job together. Not drawn under --json, --quiet
 * or when stderr is not a terminal (the caller prints tables instead).
 */
import { SingleBar } from "cli-progress";
import type { Output } from "../core/output.ts";

export interface JobCounts {
  total: number;
  replicatedCount: number;
  skippedCount: number;
  failedCount: number;
}

export class ResyncProgress {
  private bar?: SingleBar;

  constructor(private readonly output: Output) {}

  /** True when a bar is drawn (otherwise the caller reports progress its own way). */
  get drawn(): boolean {
    return this.output.interactive && !this.output.json && !this.output.options.quiet;
  }

  update(jobs: readonly JobCounts[]): void {
    if (!this.drawn) return;
    const total = jobs.reduce((sum, job) => sum + job.total, 0);
    const done = jobs.reduce(
      (sum, job) => sum + job.replicatedCount + job.skippedCount + job.failedCount,
      0,
    );
    const payload = {
      replicated: jobs.reduce((sum, job) => sum + job.replicatedCount, 0),
      skipped: jobs.reduce((sum, job) => sum + job.skippedCount, 0),
      failed: jobs.reduce((sum, job) => sum + job.failedCount, 0),
    };
    if (!this.bar) {
      this.bar = new SingleBar({
        format:
          "{bar} {percentage}% | {value}/{total} versions | ETA {eta_formatted} | replicated {replicated}, skipped {skipped}, failed {failed}",
        barsize: 30,
        hideCursor: true,
        stream: this.output.stderr,
        etaBuffer: 20,
        fps: 2,
      });
      this.bar.start(Math.max(total, 1), Math.min(done, Math.max(total, 1)), payload);
      return;
    }
    this.bar.setTotal(Math.max(total, 1));
    this.bar.update(Math.min(done, Math.max(total, 1)), payload);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
