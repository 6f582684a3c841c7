/**
 * Sending several small whole versions to a target in one replica batch
 * (shared/replication/batch.ts): each version's bytes are read (at most
 * MAX_ENTRY_BYTES each, so the batch stays small in memory), framed with
 * the headers its own PUT would carry, and POSTed with the payload hash
 * signed. Every entry gets its own outcome from the target's answer. A
 * target that refuses the batch as a whole (an older site that does not
 * know it, a malformed answer) gets its versions one by one instead
 * (`null`); a target that cannot be reached fails every entry alike.
 */
import { peerText } from "../../../shared/peer/answer.ts";
import {
  batchAnswerSchema,
  encodeReplicaBatch,
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  MAX_ENTRY_BYTES,
  REPLICA_BATCH_QUERY,
  type ReplicaBatchEntry,
} from "../../../shared/replication/batch.ts";
import {
  DEPLOYMENT_ID_HEADER,
  REPLICATION_REQUEST_HEADER,
} from "../../../shared/replication/headers.ts";
import { sha256Hex } from "../../../shared/sigv4/sign.ts";
import type { StoredVersion } from "../../../shared/types/bucket-rpc.ts";
import { originOf } from "../../../shared/types/version-record.ts";
import { getDeploymentId } from "../../objects/stubs.ts";
import { openVersion } from "../../objects/versions.ts";
import { describeDialError } from "../../../shared/peer/dial.ts";
import { peerClient, type PeerTarget } from "../targets/peer-fetch.ts";
import { versionHeaders, type SendOutcome } from "./send.ts";

const BATCH_TIMEOUT_MS = 2 * 60_000;

export interface BatchItem {
  stored: StoredVersion;
  storageClass: string | null;
}

/** True when the version may travel in a batch. */
export function fitsBatch(item: BatchItem): boolean {
  const { record } = item.stored;
  return !record.deleteMarker && record.parts.length <= 1 && record.size <= MAX_ENTRY_BYTES;
}

/** Splits items into batches within the entry and byte limits. */
export function batchesOf(items: readonly BatchItem[]): BatchItem[][] {
  const batches: BatchItem[][] = [];
  let current: BatchItem[] = [];
  let bytes = 0;
  for (const item of items) {
    // A head is at most a few KiB: keep a margin for them.
    const size = item.stored.record.size + 16 * 1024;
    if (current.length >= MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Sends a batch; one outcome per item, or null when the target would not take it as a batch. */
export async function sendBatch(
  env: Env,
  target: PeerTarget,
  items: readonly BatchItem[],
): Promise<SendOutcome[] | null> {
  const here = await getDeploymentId(env);
  const entries: ReplicaBatchEntry[] = [];
  for (const { stored, storageClass } of items) {
    const headers = versionHeaders(stored, storageClass, originOf(stored.record, here));
    delete headers[REPLICATION_REQUEST_HEADER];
    delete headers["content-length"];
    // A version that cannot be read here fails on its own when sent alone.
    const data = await versionBytes(env, stored).catch(() => null);
    if (data === null) return null;
    entries.push({ key: stored.record.key, headers, data });
  }
  const sizes = entries.map((entry) => entry.data.length);
  const body = encodeReplicaBatch(entries);
  const client = peerClient(target, target.allowlist);
  const url = client.objectUrl(target.targetBucket, null, `?${REPLICA_BATCH_QUERY}`);
  let response: Response;
  try {
    response = await client.send("POST", url, {
      headers: {
        [REPLICATION_REQUEST_HEADER]: "true",
        "content-type": "application/octet-stream",
      },
      body,
      payloadHash: await sha256Hex(body),
      signal: AbortSignal.timeout(BATCH_TIMEOUT_MS),
    });
  } catch (error) {
    const failure = { ok: false, status: 0, error: describeDialError(error), bytes: 0 };
    return items.map(() => ({ ...failure }));
  }
  const remote = response.headers.get(DEPLOYMENT_ID_HEADER);
  const text = await peerText(response).catch(() => null);
  if (!response.ok || text === null) return null;
  let answer;
  try {
    answer = batchAnswerSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
  if (answer.results.length !== items.length) return null;
  return answer.results.map((result, i) =>
    result.status === 200
      ? { ok: true, status: 200, error: null, bytes: sizes[i] ?? 0, remote }
      : {
          ok: false,
          status: result.status,
          error: result.code ?? `HTTP ${result.status}`,
          bytes: 0,
          remote,
        },
  );
}

/** A small version's bytes (its size is within MAX_ENTRY_BYTES). */
async function versionBytes(env: Env, stored: StoredVersion): Promise<Uint8Array> {
  const source = await openVersion(env, null, stored, null);
  if (source instanceof Uint8Array) return source;
  return new Uint8Array(await new Response(source).arrayBuffer());
}
