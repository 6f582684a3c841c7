/**
 * The health probes a load balancer uses, against one real local site (one
 * set of 8 drives, parity 4: writes need 5 drives online, reads 4): no
 * credentials needed, 200 while the quorum holds, 503 naming the set once
 * it does not, 405 for other methods.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fault } from "./harness/clients.ts";
import { startSite, type Site } from "./harness/site.ts";

let site: Site;
const drive = (n: number) => `pool-0/set-0/drive-${n}`;

async function probe(path: string, method = "GET") {
  const res = await fetch(`${site.url}/floe/health/${path}`, { method });
  await res.body?.cancel();
  return {
    status: res.status,
    write: res.headers.get("x-floe-write-quorum"),
    read: res.headers.get("x-floe-read-quorum"),
    unhealthy: res.headers.get("x-floe-unhealthy-set"),
  };
}

async function setDrives(drives: number[], state: "offline" | "online") {
  for (const d of drives) await fault(site, drive(d), state);
}

beforeAll(async () => {
  site = await startSite();
});

afterAll(async () => {
  await site?.remove();
});

describe("health probes", () => {
  it("answer without credentials while every set has its quorum", async () => {
    expect(await probe("live")).toMatchObject({ status: 200 });
    expect(await probe("live", "HEAD")).toMatchObject({ status: 200 });
    expect(await probe("cluster")).toMatchObject({ status: 200, write: "5", unhealthy: null });
    expect(await probe("cluster/read")).toMatchObject({ status: 200, read: "4" });
    expect(await probe("cluster", "POST")).toMatchObject({ status: 405 });
  });

  it("answer 503 naming the set once it lacks the quorum asked about", async () => {
    await setDrives([0, 1, 2, 3], "offline");
    try {
      expect(await probe("cluster")).toMatchObject({
        status: 503,
        write: "5",
        unhealthy: "pool-0/set-0",
      });
      expect(await probe("cluster/read")).toMatchObject({ status: 200 });
      await setDrives([4], "offline");
      expect(await probe("cluster/read")).toMatchObject({ status: 503, unhealthy: "pool-0/set-0" });
      expect(await probe("live")).toMatchObject({ status: 200 });
    } finally {
      await setDrives([0, 1, 2, 3, 4], "online");
    }
    expect(await probe("cluster")).toMatchObject({ status: 200 });
  });
});
