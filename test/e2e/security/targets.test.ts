/**
 * Remote targets are not an SSRF gun: a site whose FLOE_TARGET_ALLOWLIST is
 * empty (a deployed site's default) refuses loopback targets in every
 * spelling, before dialing them; the local default (loopback allowed)
 * accepts one; redirects from a peer are not followed; a target stored
 * while allowed is not dialed once the allowlist no longer allows it.
 * Every URL here is a loopback address.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin } from "../harness/clients.ts";
import { REMOTE_USER, remoteUser, versionedBucket } from "../harness/replication.ts";
import { startSite, type Site } from "../harness/site.ts";

let open: Site;
let closed: Site;
let redirector: Server;
let redirectorPort = 0;

const credentials = `${REMOTE_USER.accessKeyId}:${REMOTE_USER.secretAccessKey}`;

async function prepare(site: Site): Promise<void> {
  (await versionedBucket(site, "src")).destroy();
  (await versionedBucket(site, "dst")).destroy();
  await remoteUser(site);
}

function addTarget(site: Site, body: Record<string, unknown>) {
  return admin<{ arn?: string; code?: string; message?: string }>(
    site,
    "POST",
    "buckets/src/remote-targets",
    body,
  );
}

beforeAll(async () => {
  open = await startSite();
  closed = await startSite({ vars: { FLOE_TARGET_ALLOWLIST: "" } });
  await Promise.all([prepare(open), prepare(closed)]);
  // A loopback peer that only ever redirects (to the open site's own bucket).
  redirector = createServer((_request, response) => {
    response.writeHead(302, { location: `http://127.0.0.1:${open.port}/dst?versioning` });
    response.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
  const address = redirector.address();
  redirectorPort = typeof address === "object" && address ? address.port : 0;
});

afterAll(async () => {
  redirector?.close();
  await open?.remove();
  await closed?.remove();
});

describe("a site with no target allowlist", () => {
  it.each([
    ["url", `http://${credentials}@127.0.0.1:PORT/dst`, /loopback/],
    ["endpoint", "http://127.0.0.1:PORT", /loopback/],
    ["endpoint", "http://2130706433:PORT", /loopback/],
    ["endpoint", "http://0x7f.1:PORT", /loopback/],
    ["endpoint", "http://0177.0.0.1:PORT", /loopback/],
    ["endpoint", "http://[::1]:PORT", /loopback/],
    ["endpoint", "http://[::ffff:127.0.0.1]:PORT", /IPv4-mapped/],
    ["endpoint", "http://localhost:PORT", /single-label/],
    ["endpoint", "http://site.localhost:PORT", /local or internal/],
    ["endpoint", "ftp://127.0.0.1:PORT", /only http and https/],
  ])("refuses the %s %s", async (form, template, reason) => {
    const url = template.replace("PORT", String(closed.port));
    const body =
      form === "url"
        ? { url }
        : {
            endpoint: url,
            targetBucket: "dst",
            accessKey: REMOTE_USER.accessKeyId,
            secretKey: REMOTE_USER.secretAccessKey,
          };
    const result = await addTarget(closed, body);
    expect(result.status).toBe(400);
    expect(result.body.code).toBe("InvalidTargetEndpoint");
    expect(result.body.message).toMatch(reason);
    expect(result.body.message).toMatch(/FLOE_TARGET_ALLOWLIST|only http/);
  });

  it("stored no target", async () => {
    const listed = await admin<{ targets: unknown[] }>(closed, "GET", "buckets/src/remote-targets");
    expect(listed.body.targets).toEqual([]);
  });
});

describe("a local site (loopback allowed)", () => {
  let arn = "";

  it("accepts a loopback target", async () => {
    const result = await addTarget(open, {
      url: `http://${credentials}@127.0.0.1:${open.port}/dst`,
    });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    arn = result.body.arn ?? "";
    expect(arn).not.toBe("");
  });

  it("still refuses what the allowlist does not list", async () => {
    const result = await addTarget(open, {
      url: `http://${credentials}@[::ffff:127.0.0.1]:${open.port}/dst`,
    });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe("InvalidTargetEndpoint");
  });

  it("does not follow a peer's redirect", async () => {
    const result = await addTarget(open, {
      url: `http://${credentials}@127.0.0.1:${redirectorPort}/dst`,
    });
    expect(result.status).toBe(502);
    expect(result.body.code).toBe("RemoteTargetError");
    expect(result.body.message).toMatch(/redirect \(HTTP 302\)/);
  });

  it("describes a failed connection by kind, not by the runtime's message", async () => {
    // A loopback port with nothing listening.
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const address = dead.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const result = await addTarget(open, { url: `http://${credentials}@127.0.0.1:${port}/dst` });
    expect(result.status).toBe(503);
    expect(result.body.code).toBe("RemoteTargetConnectionError");
    expect(result.body.message).toMatch(
      /did not answer: (the connection was refused|the connection failed|timed out)\.$/,
    );
  });

  it("does not dial a stored target once the allowlist stops allowing it", async () => {
    expect(arn).not.toBe("");
    await open.stop();
    const reopened = await startSite({ state: open.state, vars: { FLOE_TARGET_ALLOWLIST: "" } });
    try {
      const result = await admin<{ code?: string; message?: string }>(
        reopened,
        "POST",
        "buckets/src/replication/verify",
        { arn },
      );
      expect(result.status).toBe(502);
      expect(result.body.message).toMatch(/remote target refused: the host is a loopback address/);
    } finally {
      await reopened.stop();
    }
  });
});
