/**
 * What every command works with: the output (shaped by the global --json
 * and --quiet options), the alias store, path parsing against the known
 * aliases, one S3 or admin client per alias, and the interrupt signal.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { AdminClient } from "../admin/client.ts";
import { AliasStore } from "./config.ts";
import { interruptSignal } from "./interrupt.ts";
import { parseLocation, type Location } from "./location.ts";
import { Output } from "./output.ts";
import { createS3Client } from "./s3-client.ts";

/** The state one command runs with. */
export class Context {
  private readonly clients = new Map<string, S3Client>();

  constructor(
    readonly output: Output,
    readonly aliases: AliasStore = new AliasStore(),
    readonly signal: AbortSignal = interruptSignal(),
  ) {}

  /** Parses a path argument (ALIAS/BUCKET/KEY or a local path). */
  location(raw: string): Location {
    return parseLocation(raw, (name) => this.aliases.find(name) !== undefined);
  }

  /** The S3 client of an alias (one per alias per process). */
  s3(alias: string): S3Client {
    let client = this.clients.get(alias);
    if (!client) {
      client = createS3Client(this.aliases.get(alias));
      this.clients.set(alias, client);
    }
    return client;
  }

  /** An admin API client for an alias. */
  admin(alias: string): AdminClient {
    return new AdminClient(this.aliases.get(alias), this.signal);
  }
}

/** The context for the command being run, from the global options. */
export function contextOf(command: CommandUnknownOpts): Context {
  const globals = command.optsWithGlobals();
  return new Context(new Output({ json: globals.json === true, quiet: globals.quiet === true }));
}
