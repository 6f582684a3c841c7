/**
 * Bench plumbing for saying where figures were measured: the date, the
 * core count (nproc), the CPU model, Node's version, and the 1-minute load
 * average at the start and the end of the run (other work on a shared
 * machine moves every figure).
 */
import { availableParallelism, cpus, loadavg } from "node:os";

/** Captures the load average now; `describe()` later prints both ends of the run. */
export class MachineFacts {
  private readonly loadBefore = loadavg()[0];

  /** One sentence: "Measured 2026-11-22 on 2 cores (nproc; AMD EPYC), Node v20…; load …". */
  describe(): string {
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    return (
      `Measured ${new Date().toISOString().slice(0, 10)} on ${availableParallelism()} cores ` +
      `(nproc; ${cpu}), Node ${process.version}; 1-minute load average ` +
      `${this.loadBefore.toFixed(2)} at the start and ${loadavg()[0].toFixed(2)} at the end.`
    );
  }
}
