/**
 * Helpers for driving real client programs in end-to-end tests: temporary
 * directories, running a command with a time limit and capturing what it
 * printed, random payloads, and the rule for a client that is not
 * installed: under CI (`CI` set) its tests run and fail; elsewhere they are
 * skipped with the reason printed.
 */
import { spawn } from "node:child_process";
import { randomBytes as nodeRandomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CommandResult {
  code: number | null;
  stdout: string;
  /** Standard output as bytes, for binary output. */
  stdoutBytes: Buffer;
  stderr: string;
}

export interface CommandOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Milliseconds before the command is killed (default 60 s). */
  timeout?: number;
  /** Written to the command's standard input. */
  input?: string | Buffer;
  /** Variables removed from the inherited environment. */
  unset?: string[];
}

/** Runs `command` without a shell; resolves with its exit code and output (never rejects on failure). */
export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: "pipe" });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => out.push(data));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeout ?? 60_000} ms]`;
      child.kill("SIGKILL");
    }, options.timeout ?? 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({
        code: null,
        stdout: bytes.toString(),
        stdoutBytes: bytes,
        stderr: `${stderr}${error.message}`,
      });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString(), stdoutBytes: bytes, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `command` and returns its standard output; throws with everything it printed when it fails. */
export async function runOk(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<string> {
  return (await runOkBytes(command, args, options)).toString();
}

/** As runOk, with the output as bytes. */
export async function runOkBytes(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<Buffer> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited with ${result.code}\n--- stdout\n${result.stdout.slice(0, 4000)}\n--- stderr\n${result.stderr.slice(0, 8000)}`,
    );
  return result.stdoutBytes;
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `floe-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** `size` random bytes. */
export function randomBytes(size: number): Buffer {
  return nodeRandomBytes(size);
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a client's tests should be skipped (true) or run (false). A missing
 * program is a failure under CI (the tests run and fail), a printed skip
 * elsewhere.
 */
export function skipWithout(client: string, paths: string[], check?: () => boolean): boolean {
  const missing = paths.filter((path) => !executable(path));
  const ok = missing.length === 0 && (check?.() ?? true);
  if (ok || process.env.CI) return false;
  console.warn(
    `skipping the ${client} tests: ${missing.length ? `${missing.join(", ")} not installed` : "a required module is missing"} (set CI to make this a failure)`,
  );
  return true;
}

/** Fetches a URL with node's fetch; returns the status and body bytes. */
export async function fetchBytes(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    body: Buffer.from(await response.arrayBuffer()),
    headers: response.headers,
  };
}
