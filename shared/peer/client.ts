/**
 * The one client for another Floe site (or any S3 endpoint): what a site's
 * replication, verify and target checks send to a remote target, and what
 * the CLI sends to a site's admin API. Runtime-neutral (fetch and
 * WebCrypto, no Node API, no Worker binding), so both sides sign and read
 * answers the same way:
 * - every request is SigV4 header-signed with the site's credentials
 *   (service "s3", its region); S3 requests carry UNSIGNED-PAYLOAD unless
 *   the caller gives the payload's hash, admin calls sign the SHA-256 of
 *   their JSON body (of "" when there is none);
 * - how a URL is dialed is the caller's: a site passes its guarded dial
 *   (target rules, no redirects, dial errors by kind), the CLI plain fetch;
 * - an admin answer is JSON read up to a cap, `{ "code", "message" }` on
 *   an error, and is parsed with the caller's zod schema: every outcome
 *   (value, error answer, not JSON, too large, not in the schema) is a
 *   value of AdminAnswer, never an exception, so each caller words it.
 */
import { z } from "zod";
import { peerBytes, peerErrorCode, plausibleCode } from "./answer.ts";
import { sha256Hex, signRequest } from "../sigv4/sign.ts";

/** The admin API's path prefix on a site. */
export const ADMIN_PREFIX = "/floe/admin/v1/";

/** A site to call: its endpoint (scheme://host[:port]) and the credentials it knows. */
export interface PeerSite {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
}

/** How a request is put on the wire. */
export type PeerDial = (url: string, init: RequestInit) => Promise<Response>;

/** A request to a site, before signing. */
export interface PeerRequest {
  headers?: Record<string, string>;
  body?: RequestInit["body"];
  /** Hex SHA-256 of the body; UNSIGNED-PAYLOAD when absent. */
  payloadHash?: string;
  signal?: AbortSignal;
}

/** What an admin call came back with. */
export type AdminAnswer<T> =
  | { ok: true; status: number; value: T }
  /** An error status; `code` only when plausible, `json` false when the body was not JSON. */
  | {
      ok: false;
      problem: "error";
      status: number;
      json: boolean;
      code: string | null;
      message: string | null;
    }
  | { ok: false; problem: "not-json" | "too-large"; status: number }
  /** JSON, but not in the schema: the first issue, as "path message". */
  | { ok: false; problem: "invalid"; status: number; issue: string };

/** Options of an admin call. */
export interface AdminCallOptions {
  /** The JSON body, if any. */
  body?: unknown;
  signal?: AbortSignal;
  /** Most bytes of the answer read; a longer one is "too-large". No cap when absent. */
  maxBytes?: number;
}

/** The admin API's error answer (its fields are checked one by one below). */
const adminErrorSchema = z.looseObject({ code: z.unknown(), message: z.unknown() });

const defaultDial: PeerDial = (url, init) => fetch(url, init);

/** Signed calls to one site. */
export class PeerClient {
  constructor(
    readonly site: PeerSite,
    private readonly dial: PeerDial = defaultDial,
  ) {}

  /** The URL of a bucket, or of an object (each key segment encoded), with an optional `?query`. */
  objectUrl(bucket: string, key: string | null = null, query = ""): string {
    const path = key === null ? "" : `/${key.split("/").map(encodeURIComponent).join("/")}`;
    return `${this.site.endpoint}/${bucket}${path}${query}`;
  }

  /** The URL of an admin API path (relative to /floe/admin/v1/). */
  adminUrl(path: string): string {
    return `${this.site.endpoint}${ADMIN_PREFIX}${path}`;
  }

  /** Signs and sends a request; the answer is the caller's to read. */
  async send(method: string, url: string, request: PeerRequest = {}): Promise<Response> {
    const headers = await signRequest({
      method,
      url,
      headers: request.headers,
      payloadHash: request.payloadHash,
      accessKeyId: this.site.accessKey,
      secretKey: this.site.secretKey,
      region: this.site.region,
    });
    return this.dial(url, {
      method,
      headers,
      body: request.body ?? null,
      signal: request.signal,
    });
  }

  /** Calls the admin API and parses its JSON answer with `schema`. */
  async admin<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    options: AdminCallOptions = {},
  ): Promise<AdminAnswer<T>> {
    const payload = options.body === undefined ? "" : JSON.stringify(options.body);
    const response = await this.send(method, this.adminUrl(path), {
      headers: options.body === undefined ? {} : { "content-type": "application/json" },
      body: options.body === undefined ? null : payload,
      payloadHash: await sha256Hex(payload),
      signal: options.signal,
    });
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const bytes = await peerBytes(response, limit + 1);
    const status = response.status;
    if (bytes.byteLength > limit) return { ok: false, problem: "too-large", status };
    const text = new TextDecoder().decode(bytes);
    let value: unknown = {};
    let json = true;
    if (text.trim() !== "") {
      try {
        value = JSON.parse(text);
      } catch {
        json = false;
      }
    }
    if (!response.ok) {
      const error = json ? adminErrorSchema.safeParse(value) : null;
      return {
        ok: false,
        problem: "error",
        status,
        json,
        code: error?.success ? plausibleCode(error.data.code) : peerErrorCode(text),
        message:
          error?.success && typeof error.data.message === "string" ? error.data.message : null,
      };
    }
    if (!json) return { ok: false, problem: "not-json", status };
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        problem: "invalid",
        status,
        issue: `${issue?.path.join(".")} ${issue?.message}`,
      };
    }
    return { ok: true, status, value: parsed.data };
  }
}
