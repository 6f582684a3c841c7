/**
 * Floe's admin API from the CLI: JSON over HTTP under /floe/admin/v1/,
 * signed with SigV4 exactly like S3 (service "s3", the alias's region),
 * with the body's SHA-256 as the payload hash. Errors come back as
 * `{ "code", "message" }` and become CLI errors with that code.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { signRequest } from "../../shared/sigv4/sign.ts";
import type { Alias } from "../core/config.ts";
import { CliError } from "../core/errors.ts";

const PREFIX = "/floe/admin/v1/";

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
  constructor(
    readonly alias: Alias,
    readonly signal?: AbortSignal,
  ) {}

  /** Calls `method path` with an optional JSON body and validates the answer with `schema`. */
  async call<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.infer<T>> {
    const value = await this.request(method, path, body);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(
        "InvalidResponse",
        `Unexpected admin API answer to ${method} ${path}: ${issue?.path.join(".")} ${issue?.message}`,
      );
    }
    return parsed.data;
  }

  /** Calls `method path` and returns the parsed JSON answer. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.alias.url}${PREFIX}${path}`;
    const payload = body === undefined ? "" : JSON.stringify(body);
    const headers = await signRequest({
      method,
      url,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      payloadHash: createHash("sha256").update(payload).digest("hex"),
      accessKeyId: this.alias.accessKey,
      secretKey: this.alias.secretKey,
      region: this.alias.region,
    });
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : payload,
      signal: this.signal,
    });
    const text = await response.text();
    let value: unknown = {};
    if (text.trim() !== "") {
      try {
        value = JSON.parse(text);
      } catch {
        throw new CliError(
          response.ok ? "InvalidResponse" : `HTTP${response.status}`,
          `${method} ${path}: the endpoint did not answer JSON (is it a Floe site?).`,
        );
      }
    }
    if (!response.ok) throw adminError(response.status, value);
    return value;
  }
}

function adminError(status: number, value: unknown): AdminApiError {
  if (typeof value === "object" && value !== null) {
    const { code, message } = value as { code?: unknown; message?: unknown };
    if (typeof code === "string") {
      return new AdminApiError(
        status,
        code,
        typeof message === "string" ? message : `HTTP ${status}.`,
      );
    }
  }
  return new AdminApiError(status, `HTTP${status}`, `The admin API answered ${status}.`);
}
