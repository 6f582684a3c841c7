/**
 * Where the CLI writes. Results go to stdout: in `--json` mode one JSON
 * document per line, each with `"status": "success"`; otherwise the human
 * line. Errors and warnings go to stderr, as `floe: CODE: message` or, in
 * `--json` mode, as `{"status":"error","error":{"code","message"}}`.
 * `--quiet` drops per-item progress lines (copied, removed) and bars, never
 * the answer to a query (ls, cat, stat).
 */
import type { Writable } from "node:stream";
import type { ErrorReport } from "./errors.ts";

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
}

export type JsonRecord = Record<string, unknown>;

/** The CLI's stdout and stderr, shaped by --json and --quiet. */
export class Output {
  private held = false;

  constructor(
    readonly options: OutputOptions,
    readonly stdout: Writable = process.stdout,
    readonly stderr: Writable = process.stderr,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  /** True when progress bars may be drawn (a terminal, and neither --json nor --quiet). */
  get interactive(): boolean {
    const tty = (this.stderr as Writable & { isTTY?: boolean }).isTTY === true;
    return tty && !this.options.json && !this.options.quiet;
  }

  /** The answer to a query: always printed. `human` may hold several lines. */
  result(record: JsonRecord, human: string): void {
    if (this.options.json) this.line(successJson(record));
    else this.line(human);
  }

  /** One step of long work (copied, removed): dropped in human mode with --quiet or under a bar. */
  event(record: JsonRecord, human: string): void {
    if (this.options.json) this.line(successJson(record));
    else if (!this.options.quiet && !this.held) this.line(human);
  }

  /** Holds back human event lines while a progress bar is drawn. */
  holdEvents(held: boolean): void {
    this.held = held;
  }

  /** A problem that does not stop the command. */
  warn(report: ErrorReport): void {
    this.stderr.write(this.errorText(report, "warning"));
  }

  /** The failure that ends the command. */
  error(report: ErrorReport): void {
    this.stderr.write(this.errorText(report, "error"));
  }

  private errorText(report: ErrorReport, status: "error" | "warning"): string {
    if (this.options.json) return `${JSON.stringify({ status, error: report })}\n`;
    const prefix = status === "warning" ? "floe: warning: " : "floe: ";
    return `${prefix}${report.code}: ${report.message}\n`;
  }

  private line(text: string): void {
    this.stdout.write(`${text}\n`);
  }
}

/** `{"status":"success",...}`: the envelope's status comes first and cannot be overridden. */
function successJson(record: JsonRecord): string {
  return JSON.stringify(Object.assign({ status: "success" }, record, { status: "success" }));
}
