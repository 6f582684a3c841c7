/**
 * Security fuzz run against one local site: FUZZ_REQUESTS (10,000 by
 * default) seeded random requests (see fuzz-requests.ts), 8 at a time on
 * keep-alive connections. Every answer must be a status below 500 (or 501
 * NotImplemented / 503 SlowDown), every XML body well-formed, nothing may
 * hang, and the site must stay up and serve an ordinary PUT, GET and LIST
 * afterwards. FUZZ_SEED replays a run (FUZZ_ONLY=n,m just those cases); the
 * seed is printed, and a failure prints the shortest failing requests.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { errorCode, keepAlive, sendRaw, signRaw, type RawRequest } from "../harness/raw.ts";
import { startSite, type Site } from "../harness/site.ts";
import { xmlProblem } from "../harness/xml.ts";
import { Random } from "./fuzz-inputs.ts";
import { generate, type FuzzCase, type FuzzTarget } from "./fuzz-requests.ts";

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
/** CI replays one fixed seed so a run's verdict is reproducible; elsewhere each run explores a new one. */
const SEED = Number(
  process.env.FUZZ_SEED ?? (process.env.CI ? 166457380 : Math.floor(Math.random() * 2 ** 32)),
);
const CONCURRENCY = 8;
/** Replays only these case numbers of the seed's run (comma-separated), to study a failure. */
const ONLY = new Set((process.env.FUZZ_ONLY ?? "").split(",").filter(Boolean).map(Number));
const BUCKET = "fuzz";

let site: Site;
let target: FuzzTarget;

async function signed(request: RawRequest) {
  return sendRaw(site, signRaw(request, target.host));
}

beforeAll(async () => {
  site = await startSite();
  target = {
    host: `127.0.0.1:${site.port}`,
    bucket: BUCKET,
    keys: [],
    versionIds: [],
    uploadIds: [],
  };
  expect((await signed({ method: "PUT", path: `/${BUCKET}` })).status).toBe(200);
  const versioning =
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';
  await signed({ method: "PUT", path: `/${BUCKET}`, query: "versioning", body: versioning });
  for (const key of ["obj", "dir/a", "ctl\u0001key", "caf\u00e9"]) {
    const path = `/${BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`;
    const put = await signed({ method: "PUT", path, body: `content of ${key}` });
    expect(put.status).toBe(200);
    target.keys.push(key);
    const versionId = put.headers["x-amz-version-id"];
    if (typeof versionId === "string") target.versionIds.push(versionId);
  }
  const upload = await signed({ method: "POST", path: `/${BUCKET}/obj`, query: "uploads" });
  const uploadId = /<UploadId>([^<]*)<\/UploadId>/.exec(upload.body)?.[1];
  if (uploadId) target.uploadIds.push(uploadId);
}, 120_000);

afterAll(async () => {
  keepAlive.destroy();
  await site?.remove();
});

/** Answers seen, by status and error code, for the run's summary. */
const answers = new Map<string, number>();

interface Failure {
  fuzz: FuzzCase;
  problem: string;
}

async function check(fuzz: FuzzCase): Promise<Failure | null> {
  let response;
  try {
    response = await sendRaw(site, fuzz.request, { timeoutMs: 20_000 });
  } catch {
    // A kept-alive connection the server closed as this request went out: once more, on a new one.
    try {
      response = await sendRaw(site, fuzz.request, { timeoutMs: 20_000, fresh: true });
    } catch (error) {
      return { fuzz, problem: `no response: ${(error as Error).message}` };
    }
  }
  const { status, body } = response;
  const code = errorCode(body);
  const answer = `${status}${code ? ` ${code}` : ""}`;
  answers.set(answer, (answers.get(answer) ?? 0) + 1);
  if (status >= 500 && !(status === 501 && code === "NotImplemented") && status !== 503) {
    return { fuzz, problem: `status ${status} ${code ?? ""}: ${body.slice(0, 300)}` };
  }
  const type = String(response.headers["content-type"] ?? "");
  // An object's own bytes (a GET or range of it, which carries its ETag) are whatever the fuzz
  // stored, under whatever Content-Type response-content-type asked for: not Floe's XML.
  const objectData =
    fuzz.request.method === "GET" &&
    (status === 200 || status === 206) &&
    "etag" in response.headers;
  if (body !== "" && type.includes("xml") && !objectData) {
    const problem = xmlProblem(body);
    if (problem) return { fuzz, problem: `ill-formed XML (${problem}): ${body.slice(0, 300)}` };
  }
  return null;
}

it(`answers ${REQUESTS} random requests without a 5xx or ill-formed XML, and keeps serving`, async () => {
  console.log(`fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it), ${REQUESTS} requests`);
  const rng = new Random(SEED);
  const failures: Failure[] = [];
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const fuzz = generate(rng, next++, target);
      if (ONLY.size > 0 && !ONLY.has(fuzz.index)) continue;
      const failure = await check(fuzz);
      if (failure) failures.push(failure);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  console.log(
    `fuzz: ${REQUESTS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} failed`,
  );
  const summary = [...answers].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
  console.log(`fuzz: answers ${summary.join(", ")}`);
  expect(site.process.exitCode, site.output().slice(-2000)).toBeNull();
  const internal = site.output().match(/internal error[^\n]*\n[^\n]*/g) ?? [];
  expect(internal, "errors the site logged as internal").toEqual([]);
  if (failures.length > 0) {
    failures.sort((a, b) => a.fuzz.description.length - b.fuzz.description.length);
    const shown = failures
      .slice(0, 10)
      .map((f) => `#${f.fuzz.index} ${f.fuzz.description}\n  → ${f.problem}`)
      .join("\n");
    expect.fail(
      `${failures.length} of ${REQUESTS} requests failed (seed ${SEED}); shortest first:\n${shown}`,
    );
  }

  const path = `/${BUCKET}/after-fuzz`;
  expect((await signed({ method: "PUT", path, body: "still here" })).status).toBe(200);
  const got = await signed({ method: "GET", path });
  expect(got.status).toBe(200);
  expect(got.body).toBe("still here");
  const listed = await signed({
    method: "GET",
    path: `/${BUCKET}`,
    query: "list-type=2&prefix=after",
  });
  expect(listed.status).toBe(200);
  expect(listed.body).toContain("<Key>after-fuzz</Key>");
}, 600_000);
