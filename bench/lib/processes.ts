/**
 * Bench plumbing for local sites as processes: finding a site's workerd
 * process through /proc (Linux), sampling its resident set size, the CPU
 * time a site's process tree has used, and
 * starting the bench baseline (bench/baseline/run.mjs) in a child process
 * the way test/e2e/harness/site.ts starts a Floe site.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "../../test/e2e/harness/site.ts";

const repoRoot = resolve(import.meta.dirname, "../..");

interface ProcessInfo {
  name: string;
  parent: number;
  /** User + system CPU time of all its threads, in clock ticks. */
  cpuTicks: number;
}

/** Every process now running, from /proc/<pid>/stat. */
function processes(): Map<number, ProcessInfo> {
  const found = new Map<number, ProcessInfo>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid … utime stime …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" "); // fields[0] is field 3, state
      found.set(Number(entry), {
        name: stat.slice(stat.indexOf("(") + 1, close),
        parent: Number(fields[1]),
        cpuTicks: Number(fields[11]) + Number(fields[12]), // fields 14 and 15: utime, stime
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function isDescendant(all: Map<number, ProcessInfo>, pid: number, ancestor: number): boolean {
  let p = all.get(pid)?.parent;
  while (p !== undefined && p > 1 && p !== ancestor) p = all.get(p)?.parent;
  return p === ancestor;
}

/** Every descendant of `pid` (children, their children, …) whose command name is `name`. */
export function descendantsNamed(pid: number, name: string): number[] {
  const all = processes();
  return [...all]
    .filter(([candidate, info]) => info.name === name && isDescendant(all, candidate, pid))
    .map(([candidate]) => candidate);
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds used so far by `pid` and all its descendants (those still running). */
export function treeCpuSeconds(pid: number): number {
  const all = processes();
  let ticks = 0;
  for (const [candidate, info] of all)
    if (candidate === pid || isDescendant(all, candidate, pid)) ticks += info.cpuTicks;
  return ticks / ticksPerSecond;
}

/** VmRSS of a process in MiB (0 once it is gone). */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed VmRSS of `pids` in MiB. */
export function totalRssMiB(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
}

export interface RssSampler {
  /** Stops sampling; returns the peak summed RSS in MiB and the sample count. */
  stop(): { peak: number; samples: number };
}

/** Samples the summed RSS of `pids` every `everyMs` until stopped. */
export function sampleRss(pids: number[], everyMs = 100): RssSampler {
  let peak = totalRssMiB(pids);
  let samples = 1;
  const timer = setInterval(() => {
    peak = Math.max(peak, totalRssMiB(pids));
    samples++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peak: Math.max(peak, totalRssMiB(pids)), samples: samples + 1 };
    },
  };
}

export interface Baseline {
  url: string;
  state: string;
  readonly process: ChildProcess;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Stops and deletes the state directory. */
  remove(): Promise<void>;
  /** Everything the process printed. */
  output(): string;
}

/** Starts bench/baseline/run.mjs on a free port with `state` as its persist directory. */
export async function startBaseline(state: string): Promise<Baseline> {
  const port = await freePort();
  let log = "";
  const child = spawn(
    process.execPath,
    ["bench/baseline/run.mjs", "--port", String(port), "--state", state],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGTERM");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timeout);
  };
  try {
    await new Promise<void>((ready, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`baseline did not start in 60 s:\n${log}`)),
        60_000,
      );
      child.stdout?.on("data", (data: Buffer) => {
        log += data.toString();
        if (log.includes("Baseline listening on")) {
          clearTimeout(timer);
          ready();
        }
      });
      child.stderr?.on("data", (data: Buffer) => (log += data.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`baseline exited with ${code}:\n${log}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    process: child,
    stop,
    remove: async () => {
      await stop();
      rmSync(state, { recursive: true, force: true });
    },
    output: () => log,
  };
}
