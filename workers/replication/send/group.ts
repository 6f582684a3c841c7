/**
 * Replicating a group of versions (a resync step's Queue message): each
 * version is leased and checked (GROUP_CONCURRENCY at a time); a whole
 * small version then waits to travel with the others in a replica batch
 * (send-batch.ts), anything else is sent alone at once. Leases count from
 * the check, so nothing waits long holding one: the versions waiting for a
 * batch go out before any transfer sent alone starts, and the rest at the
 * end of the group. A target that refuses a batch gets its versions one by
 * one. Every version's outcome is recorded on its own.
 */
import type { ReplicationMessage } from "../../../shared/replication/queue.ts";
import { MAX_BATCH_ENTRIES } from "../../../shared/replication/batch.ts";
import type { PeerTarget } from "../targets/peer-fetch.ts";
import type { RemoteStates } from "./remote-states.ts";
import { prepareOne, type PendingSend } from "./replicate.ts";
import { batchesOf, fitsBatch, sendBatch, type BatchItem } from "./send-batch.ts";

export const GROUP_CONCURRENCY = 4;

type Batchable = PendingSend & { version: BatchItem };

/** True when every version of the group is done. */
export async function replicateGroup(
  env: Env,
  messages: ReplicationMessage[],
  options: {
    final: boolean;
    remote: () => Promise<RemoteStates | null>;
    target: () => Promise<PeerTarget | null>;
  },
): Promise<boolean> {
  let done = true;
  const settle = (outcome: { done: boolean }) => {
    if (!outcome.done) done = false;
  };
  const failed = (error: unknown) => {
    console.error("replication of a grouped version failed:", error);
    done = false;
  };
  const sendAlone = async (send: PendingSend) => {
    try {
      settle(await send.finish(await send.send()));
    } catch (error) {
      await send.abandon(error);
      failed(error);
    }
  };
  const sendTogether = async (members: Batchable[]) => {
    const target = await options.target();
    if (!target) return eachLimited(members, GROUP_CONCURRENCY, sendAlone);
    let offset = 0;
    for (const items of batchesOf(members.map((send) => send.version))) {
      const part = members.slice(offset, offset + items.length);
      offset += items.length;
      const outcomes = await sendBatch(env, target, items).catch(() => null);
      // A target that does not take batches gets these versions one by one.
      if (!outcomes) {
        await eachLimited(part, GROUP_CONCURRENCY, sendAlone);
        continue;
      }
      await Promise.all(
        part.map((send, i) =>
          send.finish(outcomes[i]).then(settle, async (error: unknown) => {
            await send.abandon(error);
            failed(error);
          }),
        ),
      );
    }
  };
  const waiting: Batchable[] = [];
  const flushes: Promise<void>[] = [];
  const flush = () => {
    if (waiting.length > 0) flushes.push(sendTogether(waiting.splice(0)));
  };
  await eachLimited(messages, GROUP_CONCURRENCY, async (message) => {
    const prepared = await prepareOne(env, message, options).catch(failed);
    if (!prepared) return;
    if (!("send" in prepared)) return settle(prepared);
    if (prepared.version && fitsBatch(prepared.version)) {
      waiting.push(prepared as Batchable);
      if (waiting.length >= MAX_BATCH_ENTRIES) flush();
      return;
    }
    // What waits for a batch goes before this transfer: its lease is counting.
    flush();
    await sendAlone(prepared);
  });
  flush();
  await Promise.all(flushes);
  return done;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
