/**
 * `floe replicate ...`: server-side bucket replication, as mc's
 * `mc replicate`: rules (add, ls, edit, rm), the configuration as JSON
 * (export, import), what replication did and still owes (status,
 * diff), whether both sides hold the same versions (verify), and
 * resynchronisation (resync start, status, cancel). Remote targets themselves are `floe admin bucket remote ...`.
 */
import type { Command } from "@commander-js/extra-typings";
import { withExamples } from "../../core/help.ts";
import { registerResync } from "./resync.ts";
import { registerRules } from "./rules.ts";
import { registerStatus } from "./status.ts";
import { registerTransfer } from "./transfer.ts";
import { registerVerify } from "./verify.ts";

/** Registers `replicate` and its subcommands. */
export function registerReplicate(program: Command): void {
  const replicate = withExamples(
    program.command("replicate").description("server-side bucket replication rules and status"),
    "floe replicate add local/photos --remote-bucket http://replicator:replicator-secret@127.0.0.1:8788/photos",
    "floe replicate ls local/photos",
    "floe replicate status local/photos",
    "floe replicate verify local/photos --remote-bucket ARN",
  );
  registerRules(replicate);
  registerTransfer(replicate);
  registerStatus(replicate);
  registerVerify(replicate);
  registerResync(replicate);
}
