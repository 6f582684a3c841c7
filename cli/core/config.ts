/**
 * Aliases: a name for an S3 endpoint and its credentials. They live in
 * `~/.floe/config.json` (the directory can be moved with FLOE_CONFIG_DIR),
 * written with mode 0600 since it holds secrets. An environment variable
 * `FLOE_HOST_<alias>=http://ACCESSKEY:SECRETKEY@host:port` defines or
 * overrides an alias for one process and wins over the file.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { CliError, usageError } from "./errors.ts";

export const DEFAULT_REGION = "us-east-1";
const ENV_PREFIX = "FLOE_HOST_";

const aliasSchema = z.object({
  url: z.string(),
  accessKey: z.string(),
  secretKey: z.string(),
  region: z.string().default(DEFAULT_REGION),
});

const configSchema = z.object({
  version: z.literal("1"),
  aliases: z.record(z.string(), aliasSchema),
});

export type AliasConfig = z.infer<typeof aliasSchema>;
export type ConfigFile = z.infer<typeof configSchema>;

/** An alias ready to use, and where it was defined. */
export interface Alias extends AliasConfig {
  name: string;
  source: "config" | "env";
}

/** Environment variables (process.env, or a test's own). */
export type Environment = Record<string, string | undefined>;

/** The directory holding config.json. */
export function configDir(env: Environment = process.env): string {
  return env.FLOE_CONFIG_DIR || join(homedir(), ".floe");
}

/** Checks an alias name: letters, digits, `-` and `_`, starting with a letter. */
export function validateAliasName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw usageError(
      `Invalid alias name "${name}": use letters, digits, '-' and '_', starting with a letter.`,
    );
  }
}

/** Checks and normalises an endpoint URL (http or https, no path). */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`Invalid URL "${url}".`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw usageError(`Invalid URL "${url}": use http:// or https://.`);
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}

/** Reads and writes the alias file, and merges in the environment's aliases. */
export class AliasStore {
  constructor(
    readonly dir: string = configDir(),
    readonly env: Environment = process.env,
  ) {}

  get file(): string {
    return join(this.dir, "config.json");
  }

  /** The file's contents (an empty config when there is no file yet). */
  read(): ConfigFile {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: "1", aliases: {} };
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CliError("InvalidConfig", `${this.file} is not valid JSON.`);
    }
    const parsed = configSchema.safeParse(value);
    if (!parsed.success) {
      throw new CliError("InvalidConfig", `${this.file}: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  }

  /** Writes the file atomically, readable only by its owner. */
  write(config: ConfigFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  /** Adds or replaces an alias in the file. */
  set(name: string, alias: AliasConfig): void {
    validateAliasName(name);
    const config = this.read();
    config.aliases[name] = { ...alias, url: normaliseUrl(alias.url) };
    this.write(config);
  }

  /** Removes an alias from the file; false when it was not there. */
  remove(name: string): boolean {
    const config = this.read();
    if (!(name in config.aliases)) return false;
    delete config.aliases[name];
    this.write(config);
    return true;
  }

  /** Aliases defined by FLOE_HOST_<alias> variables. */
  fromEnv(): Alias[] {
    const aliases: Alias[] = [];
    for (const [variable, value] of Object.entries(this.env)) {
      if (!variable.startsWith(ENV_PREFIX) || !value) continue;
      aliases.push(parseHostVariable(variable.slice(ENV_PREFIX.length), value));
    }
    return aliases;
  }

  /** Every alias, environment first, sorted by name. */
  list(): Alias[] {
    const byName = new Map<string, Alias>();
    for (const [name, alias] of Object.entries(this.read().aliases)) {
      byName.set(name, { name, source: "config", ...alias });
    }
    for (const alias of this.fromEnv()) byName.set(alias.name, alias);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One alias, or undefined. */
  find(name: string): Alias | undefined {
    const value = this.env[`${ENV_PREFIX}${name}`];
    if (value) return parseHostVariable(name, value);
    const alias = this.read().aliases[name];
    return alias ? { name, source: "config", ...alias } : undefined;
  }

  /** One alias, or a NoSuchAlias error. */
  get(name: string): Alias {
    const alias = this.find(name);
    if (!alias) {
      throw new CliError(
        "NoSuchAlias",
        `No alias "${name}" (add one with: floe alias set ${name} URL ACCESSKEY SECRETKEY).`,
      );
    }
    return alias;
  }
}

/**
 * Parses `http://KEY:SECRET@host:port` from FLOE_HOST_<name>. Keys may be
 * percent-encoded, but need not be: the secret runs to the last `@`, so
 * generated secrets with `/` or `+` work as they are.
 */
export function parseHostVariable(name: string, value: string): Alias {
  const match = /^(https?):\/\/([^:@/]+):(.*)@([^@/?]+)(\/[^?]*)?(?:\?(.*))?$/.exec(value);
  if (!match) {
    throw usageError(`FLOE_HOST_${name} must be http(s)://ACCESSKEY:SECRETKEY@host:port.`);
  }
  const [, scheme, key, secret, host, path, query] = match;
  const region = new URLSearchParams(query ?? "").get("region") ?? DEFAULT_REGION;
  return {
    name,
    source: "env",
    url: normaliseUrl(`${scheme}://${host}${path ?? ""}`),
    accessKey: decodeLenient(key),
    secretKey: decodeLenient(secret),
    region,
  };
}

function decodeLenient(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
