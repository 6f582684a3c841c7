/** The resync progress bar: drawn only on a terminal, counting replicated + skipped + failed of the total. */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Output } from "../../cli/core/output.ts";
import { ResyncProgress } from "../../cli/replication/resync-progress.ts";

function terminal(): {
  stream: PassThrough & { isTTY: boolean; columns: number };
  text: () => string;
} {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const job = { total: 200, replicatedCount: 30, skippedCount: 60, failedCount: 10 };

describe("resync progress", () => {
  it("draws versions done of the total with the counts on a terminal", async () => {
    const tty = terminal();
    const progress = new ResyncProgress(
      new Output({ json: false, quiet: false }, new PassThrough(), tty.stream),
    );
    expect(progress.drawn).toBe(true);
    progress.update([job]);
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(tty.text()).toContain("100/200 versions");
    expect(tty.text()).toContain("50%");
    expect(tty.text()).toContain("replicated 30, skipped 60, failed 10");
  });

  it("draws nothing under --json, --quiet or without a terminal", () => {
    const plain = Object.assign(new PassThrough(), { isTTY: false });
    for (const [options, stderr] of [
      [{ json: true, quiet: false }, terminal().stream],
      [{ json: false, quiet: true }, terminal().stream],
      [{ json: false, quiet: false }, plain],
    ] as const) {
      const progress = new ResyncProgress(new Output(options, new PassThrough(), stderr));
      expect(progress.drawn).toBe(false);
      progress.update([job]);
      progress.stop();
    }
  });
});
