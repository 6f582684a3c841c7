/**
 * Carrying out mirror passes. Each pass is planned, then its copies run
 * with bounded concurrency under one progress bar, and removals go in
 * batches. A pass is idempotent: every copy lands atomically (a multipart
 * upload is invisible until completed, a download is renamed into place),
 * so an interrupted mirror resumes by simply running again: the next pass
 * copies only what is still missing or different. With --watch, passes
 * repeat every interval until Ctrl-C.
 */
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "../core/context.ts";
import { CliError, describeError, type ErrorReport } from "../core/errors.ts";
import { humanBytes } from "../core/format.ts";
import type { Location } from "../core/location.ts";
import { runPool } from "../core/pool.ts";
import { Progress } from "../core/progress.ts";
import { deleteBatch } from "../storage/remove.ts";
import { copyObject, type RemoteEndpoint } from "../storage/transfer.ts";
import {
  planMirror,
  prepareSides,
  type CopyAction,
  type MirrorOptions,
  type RemoveAction,
} from "./plan.ts";

export interface PassTotals {
  copied: number;
  removed: number;
  conflicts: number;
  failed: number;
  bytes: number;
  firstError?: ErrorReport;
}

/** Runs one pass, or passes every `watchSeconds` until interrupted. */
export async function runMirror(
  ctx: Context,
  source: Location,
  target: Location,
  options: MirrorOptions & { concurrency: number; watchSeconds?: number },
): Promise<void> {
  await prepareSides(ctx, source, target, options);
  for (let pass = 1; ; pass++) {
    const totals = await runPass(ctx, source, target, options);
    const busy = totals.copied + totals.removed + totals.conflicts + totals.failed > 0;
    if (options.watchSeconds === undefined || pass === 1 || busy) report(ctx, totals, options);
    if (options.watchSeconds === undefined) {
      if (totals.failed > 0) {
        const first = totals.firstError!;
        throw new CliError(
          first.code,
          `${totals.failed} object(s) failed to mirror; the first: ${first.message}`,
        );
      }
      if (totals.conflicts > 0) {
        throw new CliError(
          "OverwriteNotAllowed",
          `${totals.conflicts} object(s) differ at the target; use --overwrite to replace them.`,
        );
      }
      return;
    }
    try {
      await sleep(options.watchSeconds * 1000, undefined, { signal: ctx.signal });
    } catch {
      return;
    }
  }
}

async function runPass(
  ctx: Context,
  source: Location,
  target: Location,
  options: MirrorOptions & { concurrency: number },
): Promise<PassTotals> {
  const totals: PassTotals = { copied: 0, removed: 0, conflicts: 0, failed: 0, bytes: 0 };
  const copies: CopyAction[] = [];
  const removals: RemoveAction[] = [];
  for await (const action of planMirror(ctx, source, target, options)) {
    if (action.kind === "copy") copies.push(action);
    else if (action.kind === "remove") removals.push(action);
    else {
      totals.conflicts++;
      ctx.output.warn({
        code: "OverwriteNotAllowed",
        message: `\`${action.targetPath}\` differs from \`${action.sourcePath}\` (use --overwrite).`,
      });
    }
  }
  const fail = (path: string, error: unknown) => {
    const report = describeError(error);
    totals.failed++;
    totals.firstError ??= report;
    ctx.output.warn({ code: report.code, message: `${path}: ${report.message}` });
  };

  const total = copies.reduce((sum, copy) => sum + copy.entry.size, 0);
  const progress = Progress.start(
    ctx.output,
    options.dryRun ? 0 : total,
    options.dryRun ? 0 : copies.length,
  );
  try {
    await runPool(copies, options.concurrency, async (copy) => {
      const record = {
        type: "mirror",
        action: "copy",
        reason: copy.reason,
        source: copy.sourcePath,
        target: copy.targetPath,
        size: copy.entry.size,
        ...(options.dryRun ? { dryRun: true } : {}),
      };
      const line = `\`${copy.sourcePath}\` -> \`${copy.targetPath}\` (${humanBytes(copy.entry.size)})`;
      if (options.dryRun) {
        totals.copied++;
        totals.bytes += copy.entry.size;
        ctx.output.event(record, `${line} (dry run)`);
        return;
      }
      try {
        const result = await copyObject(copy.source, copy.target, {
          signal: ctx.signal,
          onBytes: (bytes) => progress.add(bytes),
        });
        totals.copied++;
        totals.bytes += result.size;
        progress.fileDone();
        ctx.output.event({ ...record, size: result.size }, line);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        fail(copy.sourcePath, error);
      }
    });
  } finally {
    progress.stop();
  }
  await removeAll(ctx, removals, options.dryRun, totals, fail);
  return totals;
}

async function removeAll(
  ctx: Context,
  removals: RemoveAction[],
  dryRun: boolean,
  totals: PassTotals,
  fail: (path: string, error: unknown) => void,
): Promise<void> {
  const announce = (removal: RemoveAction) => {
    ctx.output.event(
      {
        type: "mirror",
        action: "remove",
        target: removal.targetPath,
        ...(dryRun ? { dryRun: true } : {}),
      },
      `Removed \`${removal.targetPath}\`${dryRun ? " (dry run)" : ""}.`,
    );
  };
  if (dryRun) {
    removals.forEach(announce);
    totals.removed += removals.length;
    return;
  }
  const remote: RemoveAction[] = [];
  for (const removal of removals) {
    if (removal.target.kind === "remote") {
      remote.push(removal);
      continue;
    }
    try {
      await rm(removal.target.path, { force: true });
      totals.removed++;
      announce(removal);
    } catch (error) {
      fail(removal.targetPath, error);
    }
  }
  for (let i = 0; i < remote.length; i += 1000) {
    const batch = remote.slice(i, i + 1000);
    const first = batch[0].target as RemoteEndpoint;
    const byKey = new Map(batch.map((r) => [(r.target as RemoteEndpoint).key, r]));
    const result = await deleteBatch(
      first.client,
      first.bucket,
      batch.map((r) => ({ Key: (r.target as RemoteEndpoint).key })),
      { signal: ctx.signal },
      {
        onRemoved: (entry) => announce(byKey.get(entry.Key ?? "")!),
        onFailed: (entry, error) => {
          totals.firstError ??= error;
          ctx.output.warn({ code: error.code, message: `${entry.Key}: ${error.message}` });
        },
      },
    );
    totals.removed += result.removed;
    totals.failed += result.failed;
  }
}

function report(ctx: Context, totals: PassTotals, options: MirrorOptions): void {
  const dry = options.dryRun ? " (dry run)" : "";
  ctx.output.event(
    {
      type: "summary",
      copied: totals.copied,
      removed: totals.removed,
      conflicts: totals.conflicts,
      failed: totals.failed,
      bytes: totals.bytes,
      ...(options.dryRun ? { dryRun: true } : {}),
    },
    `Mirrored ${totals.copied} object(s), ${humanBytes(totals.bytes)}; removed ${totals.removed}; ${totals.conflicts} conflict(s), ${totals.failed} failure(s)${dry}.`,
  );
}
