// `npm run deploy -- --env <site>` against a stubbed wrangler: the commands it runs, in
// order, for a first deployment, a repeat one, missing secrets and --dry-run. Nothing
// here reaches Cloudflare: a recording runner stands in for wrangler, and the one test
// of the command itself puts a fake `wrangler` first on PATH.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  deploySite,
  parseDeployArgs,
  queueNamesInTable,
  secretNamesInJson,
  siteQueueNames,
  type WranglerResult,
} from "../../scripts/deploy.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = join(ROOT, "wrangler.toml");

/** What `wrangler queues list` prints (cli-table3 with box-drawing borders). */
function queueTable(names: string[]): string {
  const head = "│ id │ name │ created_on │ modified_on │ producers │ consumers │";
  const rows = names.map((name, i) => `│ q${i} │ ${name} │ 2026-01-01 │ 2026-01-01 │ 1 │ 1 │`);
  return ["┌────┬────┐", head, "├────┼────┤", ...rows, "└────┴────┘"].join("\n");
}

const ALL_SECRETS = JSON.stringify([
  { name: "FLOE_ROOT_USER", type: "secret_text" },
  { name: "FLOE_ROOT_PASSWORD", type: "secret_text" },
  { name: "FLOE_MASTER_KEY", type: "secret_text" },
]);

interface Account {
  queues: string[];
  secrets: string;
  secretListFails?: string;
}

/** A runner that answers as a Cloudflare account would and records every command. */
function stubWrangler(account: Account) {
  const calls: string[] = [];
  const run = async (args: string[]): Promise<WranglerResult> => {
    calls.push(args.join(" "));
    const ok = (stdout: string): WranglerResult => ({ code: 0, stdout, stderr: "" });
    if (args[0] === "queues" && args[1] === "list") {
      const page = Number(args[args.indexOf("--page") + 1]);
      return ok(queueTable(page === 1 ? account.queues : []));
    }
    if (args[0] === "queues" && args[1] === "create") {
      account.queues.push(args[2] ?? "");
      return ok(`Created queue ${args[2]}.`);
    }
    if (args[0] === "secret" && args[1] === "list") {
      if (account.secretListFails) return { code: 1, stdout: "", stderr: account.secretListFails };
      return ok(account.secrets);
    }
    if (args[0] === "deploy") return ok("");
    return { code: 1, stdout: "", stderr: `unexpected: ${args.join(" ")}` };
  };
  return { calls, run };
}

const env = ["--env", "site1", "--config", CONFIG].join(" ");

describe("npm run deploy", () => {
  it("reads each site's own queue from its [env.<site>] section", () => {
    expect(siteQueueNames(CONFIG, "site1")).toEqual(["floe-site1-replication"]);
    expect(siteQueueNames(CONFIG, "site2")).toEqual(["floe-site2-replication"]);
    expect(() => siteQueueNames(CONFIG, "nosuch")).toThrow(/No environment found/);
  });

  it("requires --env and passes --dry-run and --outdir through", () => {
    expect(() => parseDeployArgs([])).toThrow(/--env <site> is required/);
    expect(() => parseDeployArgs(["--env", "site1", "--bogus"])).toThrow(/Unknown option/);
    expect(parseDeployArgs(["--env", "site1", "--dry-run", "--outdir", "o"])).toEqual({
      env: "site1",
      dryRun: true,
      outdir: "o",
      config: "wrangler.toml",
    });
  });

  it("creates a missing queue, checks the secrets, then deploys", async () => {
    const account = { queues: ["other-site-replication"], secrets: ALL_SECRETS };
    const { calls, run } = stubWrangler(account);
    const lines: string[] = [];
    const options = { env: "site1", dryRun: false, config: CONFIG };
    expect(await deploySite(options, { run, log: (l) => lines.push(l) })).toBe(0);
    expect(calls).toEqual([
      `queues list --page 1 ${env}`,
      `queues list --page 2 ${env}`,
      `queues create floe-site1-replication ${env}`,
      `secret list --format json ${env}`,
      `deploy ${env}`,
    ]);
    expect(lines).toContain("queue floe-site1-replication: creating");
  });

  it("leaves an existing queue alone", async () => {
    const account = { queues: ["floe-site1-replication"], secrets: ALL_SECRETS };
    const { calls, run } = stubWrangler(account);
    const options = { env: "site1", dryRun: false, config: CONFIG };
    expect(await deploySite(options, { run, log: () => {} })).toBe(0);
    expect(calls).toEqual([
      `queues list --page 1 ${env}`,
      `secret list --format json ${env}`,
      `deploy ${env}`,
    ]);
  });

  it("names the `wrangler secret put` for each missing secret and does not deploy", async () => {
    const secrets = JSON.stringify([{ name: "FLOE_ROOT_USER", type: "secret_text" }]);
    const { calls, run } = stubWrangler({ queues: ["floe-site1-replication"], secrets });
    const options = { env: "site1", dryRun: false, config: CONFIG };
    const failure = deploySite(options, { run, log: () => {} });
    await expect(failure).rejects.toThrow(
      "site site1 is missing required secrets; set each, then deploy again:\n" +
        "  npx wrangler secret put FLOE_ROOT_PASSWORD --env site1\n" +
        "  npx wrangler secret put FLOE_MASTER_KEY --env site1",
    );
    expect(calls.some((c) => c.startsWith("deploy"))).toBe(false);
  });

  it("treats a Worker that does not exist yet as having no secrets", async () => {
    const { run } = stubWrangler({
      queues: ["floe-site1-replication"],
      secrets: "",
      secretListFails: "✘ [ERROR] This Worker does not exist on your account. [code: 10007]",
    });
    const options = { env: "site1", dryRun: false, config: CONFIG };
    await expect(deploySite(options, { run, log: () => {} })).rejects.toThrow(
      /secret put FLOE_ROOT_USER --env site1\n.*FLOE_ROOT_PASSWORD.*\n.*FLOE_MASTER_KEY/,
    );
  });

  it("with --dry-run touches no account: it only bundles", async () => {
    const { calls, run } = stubWrangler({ queues: [], secrets: "[]" });
    const options = { env: "site2", dryRun: true, outdir: "out", config: CONFIG };
    expect(await deploySite(options, { run, log: () => {} })).toBe(0);
    expect(calls).toEqual([`deploy --env site2 --config ${CONFIG} --dry-run --outdir out`]);
  });

  it("parses wrangler's queue table and secret JSON", () => {
    expect(queueNamesInTable(queueTable(["a", "floe-site1-replication"]))).toEqual([
      "a",
      "floe-site1-replication",
    ]);
    expect(queueNamesInTable("")).toEqual([]);
    expect(secretNamesInJson(`Fetching secrets…\n${ALL_SECRETS}\n`)).toHaveLength(3);
  });
});

describe("scripts/deploy.mjs with a fake wrangler on PATH", () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-deploy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the same commands and exits 1 naming the missing secrets", () => {
    const log = join(dir, "calls.log");
    const fake = join(dir, "wrangler");
    writeFileSync(
      fake,
      [
        "#!/bin/sh",
        `echo "$*" >> "${log}"`,
        'case "$1 $2" in',
        "  'queues list') echo '│ id │ name │'; echo '│ q1 │ floe-site2-replication │' ;;",
        '  \'secret list\') echo \'[{"name":"FLOE_ROOT_USER","type":"secret_text"}]\' ;;',
        "esac",
      ].join("\n"),
    );
    chmodSync(fake, 0o755);
    const result = spawnSync(
      process.execPath,
      [join(ROOT, "scripts/deploy.mjs"), "--env", "site2"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${dir}${delimiter}${process.env.PATH ?? ""}`,
          WRANGLER_SEND_METRICS: "false",
        },
        encoding: "utf8",
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("npx wrangler secret put FLOE_MASTER_KEY --env site2");
    const site2 = "--env site2 --config wrangler.toml";
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      `queues list --page 1 ${site2}`,
      `secret list --format json ${site2}`,
    ]);
  });
});
