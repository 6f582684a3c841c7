/**
 * Bench plumbing for leaving nothing behind: temporary directories and the
 * local sites (or other processes) a bench starts are recorded here and
 * removed once, at the end, on error, or on SIGINT / SIGTERM (exit 130),
 * including processes still starting when the signal arrives.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Removable {
  remove(): Promise<void>;
}

/** What a bench must remove before it exits. */
export class Cleanup {
  private readonly dirs: string[] = [];
  private readonly starting: Promise<unknown>[] = [];
  private readonly running: Removable[] = [];
  private done: Promise<void> | null = null;

  /** Removes everything on SIGINT / SIGTERM, then exits with 130. */
  onSignals(what: string): this {
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      process.on(signal, () => {
        console.error(`\n${signal}: stopping ${what} and removing their state…`);
        void this.run().finally(() => process.exit(130));
      });
    return this;
  }

  /** A fresh temporary directory, removed at the end. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Records a process being started; it is removed at the end once it has started. */
  async track<T extends Removable>(start: Promise<T>): Promise<T> {
    this.starting.push(start);
    const started = await start;
    this.running.push(started);
    return started;
  }

  /** Removes everything recorded (once; later calls wait for the first). */
  run(): Promise<void> {
    this.done ??= (async () => {
      await Promise.allSettled(this.starting);
      await Promise.allSettled(this.running.map((process) => process.remove()));
      for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    })();
    return this.done;
  }
}
