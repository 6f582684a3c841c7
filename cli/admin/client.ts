/**
 * Floe's admin API from the CLI: JSON over HTTP under /floe/admin/v1/,
 * sent and read by the shared peer client (shared/peer/client.ts: SigV4
 * like S3, service "s3", the alias's region, the body's SHA-256 as the
 * payload hash). Every answer is parsed with its zod schema (shared/admin-api/);
 * errors come back as `{ "code", "message" }` and become CLI errors with
 * that code, and an answer that is not JSON or not in its schema is an
 * InvalidResponse error naming the call.
 */
import type { z } from "zod";
import { PeerClient } from "../../shared/peer/client.ts";
import type { Alias } from "../core/config.ts";
import { CliError } from "../core/errors.ts";

/** An error answer of the admin API, with its HTTP status. */
export class AdminApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Signed calls to one alias's admin API. */
export class AdminClient {
  private readonly peer: PeerClient;

  constructor(
    readonly alias: Alias,
    readonly signal?: AbortSignal,
  ) {
    this.peer = new PeerClient({ ...alias, endpoint: alias.url });
  }

  /** Calls `method path` with an optional JSON body and validates the answer with `schema`. */
  async call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const answer = await this.peer.admin(method, path, schema, {
      body,
      signal: this.signal,
    });
    if (answer.ok) return answer.value;
    const notJson = `${method} ${path}: the endpoint did not answer JSON (is it a Floe site?).`;
    switch (answer.problem) {
      case "error":
        if (!answer.json) throw new CliError(`HTTP${answer.status}`, notJson);
        if (answer.code === null)
          throw new AdminApiError(
            answer.status,
            `HTTP${answer.status}`,
            `The admin API answered ${answer.status}.`,
          );
        throw new AdminApiError(
          answer.status,
          answer.code,
          answer.message ?? `HTTP ${answer.status}.`,
        );
      case "not-json":
      case "too-large":
        throw new CliError("InvalidResponse", notJson);
      case "invalid":
        throw new CliError(
          "InvalidResponse",
          `Unexpected admin API answer to ${method} ${path}: ${answer.issue}`,
        );
    }
  }
}
