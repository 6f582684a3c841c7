/**
 * Accept-Encoding restored to the client's value before SigV4 runs: from the
 * local front's headers only when its secret matches, else from
 * `request.cf.clientAcceptEncoding` (Cloudflare's edge, Miniflare); the
 * front's headers never survive.
 */
import { describe, expect, it } from "vitest";
import { withClientHeaders } from "../../workers/client-headers.ts";
import { signRequest } from "../../shared/sigv4/sign.ts";
import { authenticateRequest, type Credential } from "../../workers/auth/sigv4.ts";

const SECRET = "4f1c0a9e7d2b";
const ENV = { FLOE_LOCAL_FRONT_SECRET: SECRET } as Partial<Env> as Env;
const NO_FRONT = {} as Partial<Env> as Env;
const URL_ = "http://127.0.0.1:8787/bucket/notes.txt";
const KEY: Credential = { accessKeyId: "floeadmin", secretKey: "floeadmin-secret" };
const NOW = new Date("2026-03-01T12:00:00Z");

/** A request as the runtime hands it over, with `cf` as workerd would attach it. */
function received(headers: Record<string, string>, cf?: { clientAcceptEncoding?: string }) {
  const request = new Request(URL_, { headers });
  if (cf) Object.defineProperty(request, "cf", { value: cf });
  return request;
}

describe("withClientHeaders", () => {
  it("takes the front's value when its secret matches, and strips the front's headers", () => {
    const request = withClientHeaders(
      received({
        "accept-encoding": "br, gzip",
        "x-floe-front-secret": SECRET,
        "x-floe-front-accept-encoding": "gzip",
      }),
      ENV,
    );
    expect(request.headers.get("accept-encoding")).toBe("gzip");
    expect(request.headers.has("x-floe-front-secret")).toBe(false);
    expect(request.headers.has("x-floe-front-accept-encoding")).toBe(false);
  });

  it("removes Accept-Encoding when the front says the client sent none", () => {
    const request = withClientHeaders(
      received({ "accept-encoding": "br, gzip", "x-floe-front-secret": SECRET }),
      ENV,
    );
    expect(request.headers.has("accept-encoding")).toBe(false);
  });

  it.each([
    ["a wrong secret", ENV, "guess"],
    ["no binding", NO_FRONT, SECRET],
  ])("ignores the front's value with %s, keeping what arrived", (_, env, secret) => {
    const request = withClientHeaders(
      received({
        "accept-encoding": "br",
        "x-floe-front-secret": secret,
        "x-floe-front-accept-encoding": "gzip",
      }),
      env,
    );
    expect(request.headers.get("accept-encoding")).toBe("br");
    expect(request.headers.has("x-floe-front-secret")).toBe(false);
    expect(request.headers.has("x-floe-front-accept-encoding")).toBe(false);
  });

  it("falls back to cf.clientAcceptEncoding, as Cloudflare's edge sets it", () => {
    const replaced = { "accept-encoding": "br, gzip" };
    expect(
      withClientHeaders(received(replaced, { clientAcceptEncoding: "identity" }), ENV).headers.get(
        "accept-encoding",
      ),
    ).toBe("identity");
    expect(
      withClientHeaders(received(replaced, { clientAcceptEncoding: "" }), ENV).headers.has(
        "accept-encoding",
      ),
    ).toBe(false);
  });

  it("returns the request itself when nothing needs restoring", () => {
    const request = received({ "accept-encoding": "gzip" }, { clientAcceptEncoding: "gzip" });
    expect(withClientHeaders(request, ENV)).toBe(request);
    const plain = received({});
    expect(withClientHeaders(plain, ENV)).toBe(plain);
  });

  it("lets a signature over the client's Accept-Encoding verify, and only that one", async () => {
    const signed = await signRequest({
      method: "GET",
      url: URL_,
      headers: { "accept-encoding": "gzip" },
      accessKeyId: KEY.accessKeyId,
      secretKey: KEY.secretKey,
      region: "us-east-1",
      now: NOW,
    });
    const lookup = async () => KEY;
    const options = { region: "us-east-1", now: NOW };
    const viaFront = (clientValue: string, secret: string) =>
      withClientHeaders(
        received({
          ...signed,
          "accept-encoding": "br, gzip",
          "x-floe-front-secret": secret,
          "x-floe-front-accept-encoding": clientValue,
        }),
        ENV,
      );
    await expect(authenticateRequest(viaFront("gzip", SECRET), lookup, options)).resolves.toEqual(
      expect.objectContaining({ anonymous: false }),
    );
    await expect(authenticateRequest(viaFront("gzip", "guess"), lookup, options)).rejects.toThrow(
      /signature/i,
    );
    await expect(authenticateRequest(viaFront("br", SECRET), lookup, options)).rejects.toThrow(
      /signature/i,
    );
  });
});
