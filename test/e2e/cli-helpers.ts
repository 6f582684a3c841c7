/**
 * Driving the real `floe` executable (cli/bin/floe.mjs) as a child process
 * for the CLI's end-to-end tests, each with its own config directory, and
 * reading its output the way a script would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const FLOE_BIN = resolve(import.meta.dirname, "../../cli/bin/floe.mjs");
/** Names `floe` bundled once for the e2e run (harness/bundles.ts), run instead of FLOE_BIN. */
export const CLI_BUNDLE_ENV = "FLOE_E2E_CLI_BUNDLE";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
  /** The executable to run (default: the e2e run's bundle, else FLOE_BIN). */
  bin?: string;
}

/** A CLI with its own config directory (FLOE_CONFIG_DIR). */
export class Floe {
  readonly configDir = mkdtempSync(join(tmpdir(), "floe-cli-config-"));

  constructor(readonly env: Record<string, string> = {}) {}

  private environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("FLOE_HOST_")) delete env[name];
    return Object.assign(env, { FLOE_CONFIG_DIR: this.configDir }, this.env, extra);
  }

  /** Starts `floe ARGS` and returns the child (for interrupting it). */
  spawn(args: string[], options: CliOptions = {}): ChildProcess {
    return spawn(
      process.execPath,
      [options.bin ?? process.env[CLI_BUNDLE_ENV] ?? FLOE_BIN, ...args],
      {
        cwd: options.cwd,
        env: this.environment(options.env),
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
  }

  /** Runs `floe ARGS` to completion. */
  run(args: string[], options: CliOptions = {}): Promise<CliResult> {
    const child = this.spawn(args, options);
    child.stdin?.end(options.input ?? "");
    return collect(child);
  }

  /** Runs `floe ARGS` and fails the test unless it exits 0. */
  async ok(args: string[], options: CliOptions = {}): Promise<CliResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(
        `floe ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
      );
    }
    return result;
  }

  /** Runs `floe --json ARGS` (exit 0 expected) and parses each line. */
  async json(args: string[], options: CliOptions = {}): Promise<Record<string, unknown>[]> {
    const result = await this.ok(["--json", ...args], options);
    return jsonLines(result.stdout);
  }
}

/** Waits for a child to exit, with everything it printed. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolveResult, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) =>
      resolveResult({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
  });
}

/** Parses JSON lines, failing on any line that is not JSON. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Writes a file of `size` deterministic bytes (seeded) and returns its path. */
export function writeBytes(path: string, size: number, seed = 1): string {
  const buffer = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    buffer[i] = state >>> 24;
  }
  writeFileSync(path, buffer);
  return path;
}

/** A fresh temporary directory. */
export function tempDir(prefix = "floe-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
