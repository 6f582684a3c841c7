/**
 * Request parsing against one local site, with raw signed requests (the
 * path and query exactly as written): `+` and `%2B` in a signed query, keys
 * S3 cannot parse (`.`/`..` segments, invalid percent-encoding), control
 * characters in header-bound query values, control characters in listed
 * keys and error documents, and the reserved bucket name.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, sendRaw, signRaw, type RawRequest } from "../harness/raw.ts";
import { startSite, type Site } from "../harness/site.ts";
import { xmlProblem } from "../harness/xml.ts";

const BUCKET = "parsing";
let site: Site;
let host: string;

async function send(request: RawRequest, options: Parameters<typeof signRaw>[2] = {}) {
  const response = await sendRaw(site, signRaw(request, host, options));
  if (String(response.headers["content-type"]).includes("xml"))
    expect(xmlProblem(response.body), response.body).toBeNull();
  return response;
}

beforeAll(async () => {
  site = await startSite();
  host = `127.0.0.1:${site.port}`;
  expect((await send({ method: "PUT", path: `/${BUCKET}` })).status).toBe(200);
});

afterAll(async () => {
  await site?.remove();
});

describe("+ and %2B in a signed query", () => {
  it("reads %2B as a plus and a raw + as a space, and a signature covers only its own reading", async () => {
    for (const key of ["a+b", "a b"]) {
      const path = `/${BUCKET}/${encodeURIComponent(key)}`;
      expect((await send({ method: "PUT", path, body: key })).status).toBe(200);
    }
    const keysOf = (body: string) => [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);

    const plus = signRaw({ method: "GET", path: `/${BUCKET}`, query: "prefix=a%2B" }, host);
    const listedPlus = await sendRaw(site, plus);
    expect(listedPlus.status).toBe(200);
    expect(keysOf(listedPlus.body)).toEqual(["a+b"]);
    // The same signature with a raw '+' would list "a " instead: refused.
    const replayed = await sendRaw(site, { ...plus, query: "prefix=a+" });
    expect(replayed.status).toBe(403);
    expect(errorCode(replayed.body)).toBe("SignatureDoesNotMatch");

    const space = await send({ method: "GET", path: `/${BUCKET}`, query: "prefix=a+" });
    expect(space.status).toBe(200);
    expect(keysOf(space.body)).toEqual(["a b"]);
  });
});

describe("keys S3 cannot parse", () => {
  const paths = [
    `/${BUCKET}/a%2F..%2Fb`,
    `/${BUCKET}/%2E%2E%2Fx`,
    `/${BUCKET}/x%2F.`,
    `/${BUCKET}/%zz`,
    `/${BUCKET}/%`,
    `/${BUCKET}/ab%4`,
    `/${BUCKET}/%C3`,
    `/${BUCKET}/x%E2%82`,
    `/${BUCKET}/%FF`,
    `/bad%zz/key`,
  ];
  // The runtime resolves these before Floe sees them (documented): never stored, never 2xx.
  const resolvedByRuntime = [
    `/${BUCKET}/.`,
    `/${BUCKET}/..`,
    `/${BUCKET}/a/../b`,
    `/${BUCKET}/a/./b`,
    `/${BUCKET}/%2E%2E`,
  ];

  it("are 400 InvalidURI for every method, and nothing is stored", async () => {
    for (const path of paths) {
      for (const method of ["PUT", "GET", "HEAD", "DELETE"]) {
        const response = await send({ method, path, body: method === "PUT" ? "x" : undefined });
        expect(response.status, `${method} ${path}`).toBe(400);
        if (method !== "HEAD") expect(errorCode(response.body), path).toBe("InvalidURI");
      }
    }
    for (const path of resolvedByRuntime) {
      const response = await send({ method: "PUT", path, body: "x" });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
    const listing = await send({ method: "GET", path: `/${BUCKET}`, query: "encoding-type=url" });
    expect(listing.body).not.toMatch(/<Key>(%25|\.|%2E|a%2F\.\.|x%2F|%C3|%FF|b)/i);
  });

  it("are InvalidURI even when the signature is wrong, never SignatureDoesNotMatch", async () => {
    for (const path of paths) {
      const response = await send({ method: "PUT", path, body: "x" }, { secretKey: "wrong" });
      expect(response.status, path).toBe(400);
      expect(errorCode(response.body), path).toBe("InvalidURI");
    }
  });

  it("still accepts keys that only look like dots or escapes", async () => {
    for (const key of [".hidden", "..x", "a/.../b", "x.", "100%", "%zz"]) {
      const path = `/${BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`;
      expect((await send({ method: "PUT", path, body: key })).status, key).toBe(200);
      const got = await send({ method: "GET", path });
      expect(got.body, key).toBe(key);
    }
  });
});

describe("header-bound query values", () => {
  const bad = [
    "response-content-type=text%2Fplain%0D%0AX-Injected%3A%201",
    "response-content-disposition=attachment%0A",
    "response-cache-control=%00",
    "response-expires=%0D",
    "response-content-encoding=gzip%7F",
    "response-content-disposition=%C3",
    "response-content-language=%E2%82%AC",
    "versionId=%0D%0Ax",
    "versionId=%00",
    "versionId=%E2%82%AC",
    "partNumber=1%0A",
    "uploadId=%0Aabc",
  ];

  it("with control characters, text beyond Latin-1 (or non-ASCII ids) are 400 InvalidArgument", async () => {
    expect((await send({ method: "PUT", path: `/${BUCKET}/obj`, body: "data" })).status).toBe(200);
    for (const query of bad) {
      for (const method of ["GET", "HEAD", "DELETE", "PUT"]) {
        const response = await send({ method, path: `/${BUCKET}/obj`, query });
        expect(response.status, `${method} ?${query}`).toBe(400);
        expect(response.headers["x-injected"]).toBeUndefined();
        if (method !== "HEAD") expect(errorCode(response.body), query).toBe("InvalidArgument");
      }
    }
  });

  it("that are header-safe still apply", async () => {
    const got = await send({
      method: "GET",
      path: `/${BUCKET}/obj`,
      query: "response-content-disposition=attachment%3B%09filename%3D%22a%20b.txt%22",
    });
    expect(got.status).toBe(200);
    expect(got.headers["content-disposition"]).toBe('attachment;\tfilename="a b.txt"');
    const latin1 = await send({
      method: "GET",
      path: `/${BUCKET}/obj`,
      query: "response-content-language=caf%C3%A9",
    });
    expect(latin1.status).toBe(200);
  });
});

describe("XML with control characters in client text", () => {
  it("lists keys with C0 controls as &#x..; references", async () => {
    const key = "ctl\u0001\u001f\t\r\nend";
    const path = `/${BUCKET}/${encodeURIComponent(key)}`;
    expect((await send({ method: "PUT", path, body: "c" })).status).toBe(200);
    for (const query of ["prefix=ctl", "list-type=2&prefix=ctl", "versions&prefix=ctl"]) {
      const listing = await send({ method: "GET", path: `/${BUCKET}`, query });
      expect(listing.status, query).toBe(200);
      expect(listing.body, query).toContain("<Key>ctl&#x1;&#x1F;&#x9;&#xD;&#xA;end</Key>");
    }
    const encoded = await send({
      method: "GET",
      path: `/${BUCKET}`,
      query: "prefix=ctl&encoding-type=url",
    });
    expect(encoded.body).toContain("<Key>ctl%01%1F%09%0D%0Aend</Key>");
  });

  it("keeps error documents well-formed for any key, prefix or bucket", async () => {
    const missing = await send({ method: "GET", path: `/${BUCKET}/gone%01%00%EF%BF%BF%3C%26` });
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("<Key>gone&#x1;\ufffd\ufffd&lt;&amp;</Key>");
    const listing = await send({ method: "GET", path: `/${BUCKET}`, query: "prefix=%00%02%3C" });
    expect(listing.status).toBe(200);
    expect(listing.body).toContain("<Prefix>\ufffd&#x2;&lt;</Prefix>");
    const noBucket = await send({ method: "GET", path: "/no%01such" });
    expect(noBucket.status).toBeGreaterThanOrEqual(400);
    expect(noBucket.status).toBeLessThan(500);
  });
});

/** Writes raw bytes to the site and returns the status of the answer (0 when it just closes). */
function rawExchange(bytes: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(site.port, "127.0.0.1");
    let received = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer in 10 s")));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n")) socket.end();
    });
    socket.on("close", () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0)));
    socket.on("error", reject);
    socket.write(bytes);
  });
}

describe("request lines HTTP clients would not send", () => {
  it("never answer 5xx and leave the site serving", async () => {
    const lines = [
      `GET /${BUCKET}/a\u0001b HTTP/1.1`,
      `GET /${BUCKET}/a b HTTP/1.1`,
      `GET /${BUCKET}/a\u0000b HTTP/1.1`,
      `GET /${BUCKET}/caf\u00e9 HTTP/1.1`,
      `GET /${BUCKET}/x?versionId=\u0001 HTTP/1.1`,
      `GET /${BUCKET}/x?response-content-type=a\rb HTTP/1.1`,
      `GET /${BUCKET}/${"k".repeat(20_000)} HTTP/1.1`,
    ];
    const exchange = (line: string) =>
      rawExchange(Buffer.from(`${line}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, "latin1"));
    for (const line of lines) {
      const status = await exchange(line);
      expect(status < 500, `${JSON.stringify(line.slice(0, 60))} → ${status}`).toBe(true);
    }
    // Targets not in origin form never reach the Worker: the local runtime (workerd) answers
    // them itself, with a plain-text 500. They must not take the site down.
    for (const line of [`GET ${BUCKET}/x HTTP/1.1`, "GET * HTTP/1.1", "GET http://a/x HTTP/1.1"])
      await exchange(line);
    expect(site.process.exitCode).toBeNull();
    expect((await send({ method: "GET", path: `/${BUCKET}`, query: "max-keys=1" })).status).toBe(
      200,
    );
  });
});

describe("reserved bucket names", () => {
  it("refuses to create a bucket named floe", async () => {
    const response = await send({ method: "PUT", path: "/floe" });
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe("InvalidBucketName");
  });
});
