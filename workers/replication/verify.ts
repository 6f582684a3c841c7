/**
 * `replicate verify`: compares this site's versions of a bucket with a
 * remote target's, by digests (durable-objects/bucket/digest.ts) fetched
 * from both sides, descending only into folders whose digests differ; for
 * a key that differs, the two version lists are compared line by line.
 * Every version id, ETag, size and delete marker counts, so equal counts
 * cannot hide a difference. The remote answers the digest route to the
 * target's own credentials (s3:ListBucket on its bucket).
 */
import type { DigestEntry, VersionLine } from "../../durable-objects/bucket/digest.ts";
import { signRequest } from "../auth/sign.ts";
import { bucketStub } from "../storage/stubs.ts";
import { peerErrorCode, peerFetch, peerText, type PeerTarget } from "./peer-fetch.ts";

/** Largest digest answer read from the remote (a folder's digests or a key's versions). */
const MAX_DIGEST_ANSWER = 16 * 1024 * 1024;

/** Most differences reported (the comparison stops there). */
const MAX_DIFFERENCES = 1000;

export interface Difference {
  key: string;
  versionId: string;
  problem: "missing-on-remote" | "missing-here" | "different";
  here: VersionLine | null;
  remote: VersionLine | null;
}

export interface VerifyReport {
  equal: boolean;
  prefix: string;
  prefixesCompared: number;
  keysCompared: number;
  differences: Difference[];
  truncated: boolean;
}

/** The remote answered with an error, or with no usable digest (the message is safe to pass on). */
export class RemoteDigestError extends Error {}

async function remoteGet<T>(target: PeerTarget, query: string): Promise<T> {
  const url = `${target.endpoint}/floe/admin/v1/buckets/${target.targetBucket}/replication/digest?${query}`;
  const headers = await signRequest({
    method: "GET",
    url,
    accessKeyId: target.accessKey,
    secretKey: target.secretKey,
    region: target.region,
  });
  const response = await peerFetch(target.allowlist, url, {
    headers,
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) {
    const text = await peerText(response);
    const code =
      /"code"\s*:\s*"([A-Za-z][A-Za-z0-9.]{0,63})"/.exec(text)?.[1] ?? peerErrorCode(text);
    throw new RemoteDigestError(`remote digest: HTTP ${response.status} ${code ?? ""}`.trim());
  }
  const text = await peerText(response, MAX_DIGEST_ANSWER + 1);
  if (text.length > MAX_DIGEST_ANSWER)
    throw new RemoteDigestError("remote digest: the answer is too large");
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new RemoteDigestError("remote digest: the answer is not JSON");
  }
}

export async function verifyAgainst(
  env: Env,
  bucket: string,
  target: PeerTarget,
  prefix: string,
): Promise<VerifyReport> {
  const coordinator = bucketStub(env, bucket);
  const report: VerifyReport = {
    equal: true,
    prefix,
    prefixesCompared: 0,
    keysCompared: 0,
    differences: [],
    truncated: false,
  };
  const queue = [prefix];
  while (queue.length > 0 && !report.truncated) {
    const current = queue.shift() as string;
    report.prefixesCompared++;
    const [here, remote] = await Promise.all([
      coordinator.versionDigest(current),
      remoteGet<{ entries: DigestEntry[] }>(target, `prefix=${encodeURIComponent(current)}`).then(
        (body) => body.entries,
      ),
    ]);
    const remoteByName = new Map(remote.map((entry) => [entry.name, entry]));
    const names = [...new Set([...here.map((e) => e.name), ...remote.map((e) => e.name)])].sort();
    const hereByName = new Map(here.map((entry) => [entry.name, entry]));
    for (const name of names) {
      const mine = hereByName.get(name);
      const theirs = remoteByName.get(name);
      if (mine && theirs && mine.digest === theirs.digest) {
        if (mine.kind === "key") report.keysCompared++;
        continue;
      }
      report.equal = false;
      if ((mine ?? theirs)?.kind === "prefix") {
        queue.push(name);
        continue;
      }
      report.keysCompared++;
      await compareKey(coordinator, target, name, report);
      if (report.differences.length >= MAX_DIFFERENCES) {
        report.truncated = true;
        break;
      }
    }
  }
  return report;
}

async function compareKey(
  coordinator: ReturnType<typeof bucketStub>,
  target: PeerTarget,
  key: string,
  report: VerifyReport,
): Promise<void> {
  const [here, remote] = await Promise.all([
    coordinator.versionLines(key),
    remoteGet<{ versions: VersionLine[] }>(target, `key=${encodeURIComponent(key)}`).then(
      (body) => body.versions,
    ),
  ]);
  const remoteById = new Map(remote.map((line) => [line.versionId, line]));
  const hereById = new Map(here.map((line) => [line.versionId, line]));
  for (const line of here) {
    const other = remoteById.get(line.versionId);
    if (!other)
      report.differences.push({
        key,
        versionId: line.versionId,
        problem: "missing-on-remote",
        here: line,
        remote: null,
      });
    else if (
      other.etag !== line.etag ||
      other.size !== line.size ||
      other.deleteMarker !== line.deleteMarker
    )
      report.differences.push({
        key,
        versionId: line.versionId,
        problem: "different",
        here: line,
        remote: other,
      });
  }
  for (const line of remote) {
    if (!hereById.has(line.versionId))
      report.differences.push({
        key,
        versionId: line.versionId,
        problem: "missing-here",
        here: null,
        remote: line,
      });
  }
}
