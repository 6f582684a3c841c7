/**
 * Errors as the CLI reports them: one line, `floe: CODE: message`, and a
 * non-zero exit. S3 errors keep the service's error code (NoSuchBucket,
 * AccessDenied, ...); HEAD requests carry no error body, so a bare 404 is
 * named by what was asked for. Local file errors keep Node's code (ENOENT).
 */
import { S3ServiceException } from "@aws-sdk/client-s3";

/** What the CLI prints for a failure. */
export interface ErrorReport {
  code: string;
  message: string;
}

/** A failure raised by the CLI itself, with the code and exit status to report. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A usage mistake (bad arguments): exit status 2, like commander's own. */
export function usageError(message: string): CliError {
  return new CliError("InvalidArgument", message, 2);
}

/** True when an S3 call failed with a 404 of any code. */
export function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}

/** True when the server does not implement what was asked (simple S3 emulators). */
export function isNotImplemented(error: unknown): boolean {
  const code = s3ErrorCode(error);
  return code === "NotImplemented" || code === "MethodNotAllowed";
}

/** The S3 error code of a failed call, or undefined for anything else. */
export function s3ErrorCode(error: unknown): string | undefined {
  return error instanceof S3ServiceException ? error.name : undefined;
}

const HEAD_404: Record<string, string> = {
  NotFound: "Not found.",
};

/** Turns any thrown value into the code and message the CLI prints. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliError) return { code: error.code, message: error.message };
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    const bare = !error.message || error.message === "UnknownError";
    const message = bare ? (HEAD_404[error.name] ?? `HTTP ${status ?? "error"}.`) : error.message;
    return { code: error.name, message };
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string") {
      return { code, message: error.message.replace(`${code}: `, "") };
    }
    if (error.name === "AbortError") return { code: "Interrupted", message: "Interrupted." };
    return { code: error.name === "Error" ? "Error" : error.name, message: error.message };
  }
  return { code: "Error", message: String(error) };
}

/** The exit status for a failure. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}
