/**
 * Draining a bucket's due changes for one target: a consumer woken by any
 * message for (bucket, target) keeps taking that target's changes that
 * await their first attempt, or whose retry backoff has passed, from the
 * coordinator's log, oldest first, and works them DRAIN_CONCURRENCY at a
 * time, instead of waiting for each change's own Queue message. A
 * write's first transfer then waits for a free slot of a consumer already
 * running, not for the Queue to hand out its message (locally Miniflare's broker hands out one batch at a time,
 * seconds apart on a busy site; in production a Queue hop costs at least a
 * batch timeout).
 *
 * Rules:
 * - The coordinator leases each row to the drain as it hands it out
 *   (durable-objects/bucket/replication/lease.ts), so concurrent drains
 *   (Cloudflare runs several consumer invocations) and the rows' own
 *   messages never send one change twice at once; a message that finds
 *   its row leased skips.
 * - Only changes made by writes are drained (resync jobs keep their
 *   grouped steps), each at most once per drain, and a retry only once its
 *   backoff has passed; an attempt that would be a change's
 *   `maxAttempts`-th is final (FAILED on failure), as on the Queue.
 * - A transfer with no HTTP answer (target unreachable) stops the drain;
 *   the failed rows go on through their messages and the scanner.
 * - The drain stops taking rows after DRAIN_BUDGET_MS or DRAIN_MAX_ROWS
 *   (well inside an invocation's wall-clock and subrequest limits, and
 *   short enough that other buckets' messages behind it wait little), or
 *   once it has been idle (nothing running, nothing new) for
 *   DRAIN_IDLE_MS; what is left is found by the next wake-up. A drain
 *   that finds nothing due on its first look ends at once (the wake-ups
 *   of a backlog another drain already took must not each hold the
 *   Queue for the idle wait).
 * - The log stays the truth: a drain that dies leaves its rows PENDING,
 *   their leases lapse, and their messages or the scanner deliver them.
 */
import type { DrainCursor, DrainRow } from "../../../shared/types/replication-rpc.ts";
import { leaseDrainable } from "../../objects/replication-state.ts";
import { replicateOne } from "./replicate.ts";

/** Transfers in flight per drain (in production at most 6 connections open at once; the rest wait). */
export const DRAIN_CONCURRENCY = 64;
export const DRAIN_BUDGET_MS = 30_000;
/** At most ~10 subrequests per version: well inside a Worker invocation's 10,000. */
export const DRAIN_MAX_ROWS = 1_000;
const DRAIN_IDLE_MS = 500;
const DRAIN_POLL_MS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Drains `target`'s due changes in `bucket`; returns how many it attempted. */
export async function drainTarget(
  env: Env,
  bucket: string,
  target: string,
  limits: { maxAttempts: number; budgetMs?: number; idleMs?: number },
): Promise<number> {
  const budgetMs = limits.budgetMs ?? DRAIN_BUDGET_MS;
  const idleMs = limits.idleMs ?? DRAIN_IDLE_MS;
  const owner = crypto.randomUUID();
  const started = Date.now();
  const running = new Set<Promise<void>>();
  let after: DrainCursor | null = null;
  let lastFound = started;
  let attempted = 0;
  let unreachable = false;
  while (!unreachable && attempted < DRAIN_MAX_ROWS && Date.now() - started < budgetMs) {
    const free = Math.min(DRAIN_CONCURRENCY - running.size, DRAIN_MAX_ROWS - attempted);
    const rows: DrainRow[] =
      free > 0 ? await leaseDrainable(env, bucket, target, owner, after, free) : [];
    for (const row of rows) {
      after = row;
      attempted++;
      const message = { bucket, key: row.key, versionId: row.versionId, target };
      const final = row.attempts + 1 >= limits.maxAttempts;
      const work: Promise<void> = replicateOne(env, message, { final, owner })
        .then((outcome) => {
          if (outcome.transport) unreachable = true;
        })
        .catch((error: unknown) => console.error("drained replication failed:", error))
        .finally(() => running.delete(work));
      running.add(work);
    }
    if (rows.length > 0 || running.size > 0) lastFound = Date.now();
    if (rows.length > 0 && rows.length === free) continue;
    // Nothing due at all: another drain has it in hand (or it is done), so this wake-up ends
    // at once instead of holding its Queue batch (and the batches behind it) for the idle wait.
    if (attempted === 0 && running.size === 0) break;
    if (running.size === 0 && Date.now() - lastFound >= idleMs) break;
    // Wait for a free slot, or look again for new changes after a short pause.
    await Promise.race(running.size >= DRAIN_CONCURRENCY ? running : [sleep(DRAIN_POLL_MS)]);
  }
  await Promise.all(running);
  return attempted;
}
