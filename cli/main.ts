/**
 * The `floe` command: mc's verbs for any S3 endpoint, plus Floe's admin API.
 * Global options (--json, --quiet) are accepted before or after the
 * subcommand. Exit status: 0 on success, 1 when the work failed (the error
 * is printed as `floe: CODE: message`), 2 for a usage mistake, 130 when
 * stopped by Ctrl-C or SIGTERM.
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { registerAdmin } from "./commands/admin/index.ts";
import { registerAlias } from "./commands/alias.ts";
import { registerBuckets } from "./commands/buckets.ts";
import { registerCat } from "./commands/cat.ts";
import { registerCp } from "./commands/cp.ts";
import { registerDu } from "./commands/du.ts";
import { registerFind } from "./commands/find.ts";
import { registerLs } from "./commands/ls.ts";
import { registerMirror } from "./commands/mirror.ts";
import { registerReplicate } from "./commands/replicate/index.ts";
import { registerRm } from "./commands/rm.ts";
import { registerStat } from "./commands/stat.ts";
import { registerTree } from "./commands/tree.ts";
import { registerVersion } from "./commands/version.ts";
import { describeError, exitCodeOf } from "./core/errors.ts";
import { withExamples } from "./core/help.ts";
import { interruptSignal } from "./core/interrupt.ts";
import { Output } from "./core/output.ts";

const VERSION = "0.1.0";

/** The full command tree. */
export function buildProgram(json = false): Command {
  const program = new Command("floe")
    .description(
      "Floe's command line: buckets, objects, mirroring, replication and administration (mc-style)",
    )
    .version(VERSION, "-v, --version")
    .option("--json", "print one JSON document per line")
    .option("-q, --quiet", "no progress bars or per-file lines")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => {
        const message = text.replace(/^error: /, "").trim();
        const error = { code: "InvalidArgument", message };
        write(
          json
            ? `${JSON.stringify({ status: "error", error })}\n`
            : `floe: InvalidArgument: ${message}\n`,
        );
      },
    });
  withExamples(
    program,
    "floe alias set local http://127.0.0.1:8787 floeadmin floeadmin-secret",
    "floe mb local/photos",
    "floe cp ./holiday.jpg local/photos/",
    "floe ls -r local/photos",
    "floe mirror ./site local/www --remove",
  );
  registerAlias(program);
  registerBuckets(program);
  registerLs(program);
  registerCp(program);
  registerCat(program);
  registerStat(program);
  registerRm(program);
  registerFind(program);
  registerDu(program);
  registerTree(program);
  registerVersion(program);
  registerMirror(program);
  registerReplicate(program);
  registerAdmin(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const program = buildProgram(json);
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const quiet = argv.includes("--quiet") || argv.includes("-q");
    const output = new Output({ json, quiet });
    if (interruptSignal().aborted) {
      output.error({ code: "Interrupted", message: "Stopped by a signal; run again to resume." });
      return 130;
    }
    output.error(describeError(error));
    return exitCodeOf(error);
  }
}
