/**
 * `floe replicate export|import ALIAS/BUCKET`: the whole replication
 * configuration as one JSON document (replication/document.ts describes
 * its shape). `export` prints it indented, or with --json on one line
 * with the envelope's `"status": "success"` (which `import` ignores).
 * `import` reads it from stdin (or a file) and replaces the bucket's
 * configuration; as in mc, the ARNs it names must be remote targets of
 * that bucket already. JSON of `import`: type "replication", bucket,
 * path, rules (how many).
 */
import { readFile } from "node:fs/promises";
import type { Command } from "@commander-js/extra-typings";
import { contextOf } from "../../core/context.ts";
import { withExamples } from "../../core/help.ts";
import { remotePath } from "../../core/location.ts";
import { configDocument, parseConfigDocument } from "../../replication/document.ts";
import { replicationScope } from "./common.ts";

/** Registers `replicate export|import`. */
export function registerTransfer(replicate: Command): void {
  withExamples(
    replicate
      .command("export")
      .description("print the replication configuration as JSON")
      .argument("<source>", "ALIAS/BUCKET")
      .action(async (source, _options, command) => {
        const ctx = contextOf(command);
        const { location, replication } = replicationScope(ctx, source, "export");
        const document = configDocument(await replication.require(location.bucket));
        ctx.output.result(document, JSON.stringify(document, null, 2));
      }),
    "floe replicate export local/photos > photos-replication.json",
  );

  withExamples(
    replicate
      .command("import")
      .description("replace the replication configuration with JSON from stdin (or a file)")
      .argument("<source>", "ALIAS/BUCKET")
      .argument("[file]", "a JSON file (default: stdin)")
      .action(async (source, file, _options, command) => {
        const ctx = contextOf(command);
        const { location, replication } = replicationScope(ctx, source, "import");
        const text = file && file !== "-" ? await readFile(file, "utf8") : await readStdin();
        const config = parseConfigDocument(text);
        await replication.put(location.bucket, config);
        const path = remotePath(location.alias, location.bucket);
        ctx.output.result(
          { type: "replication", bucket: location.bucket, path, rules: config.rules.length },
          `Imported ${config.rules.length} replication rule(s) into ${path}.`,
        );
      }),
    "floe replicate import local/photos < photos-replication.json",
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
