/** Every `floe` command documents itself: --help ends with examples that name the command. */
import type { Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main.ts";

function allCommands(command: Command, path: string[] = []): [string, Command][] {
  return command.commands.flatMap((child) => {
    const c = child as Command;
    const name = [...path, c.name()];
    return [[name.join(" "), c] as [string, Command], ...allCommands(c, name)];
  });
}

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe("floe --help", () => {
  const commands = allCommands(buildProgram());

  it("covers the mc verbs", () => {
    const names = commands.map(([name]) => name);
    for (const verb of [
      "alias set",
      "alias ls",
      "alias rm",
      "mb",
      "rb",
      "ls",
      "cp",
      "cat",
      "head",
      "stat",
      "rm",
      "find",
      "du",
      "tree",
      "mirror",
      "version enable",
      "version suspend",
      "version info",
      "admin info",
      "admin heal",
      "admin drive fault",
      "admin user add",
      "admin user ls",
      "admin user info",
      "admin user enable",
      "admin user disable",
      "admin user rm",
      "admin user svcacct add",
      "admin user svcacct ls",
      "admin user svcacct info",
      "admin user svcacct edit",
      "admin user svcacct rm",
      "admin group add",
      "admin group ls",
      "admin group info",
      "admin group rm",
      "admin group enable",
      "admin group disable",
      "admin policy create",
      "admin policy ls",
      "admin policy info",
      "admin policy rm",
      "admin policy attach",
      "admin policy detach",
      "admin bucket remote add",
      "admin bucket remote ls",
      "admin bucket remote edit",
      "admin bucket remote rm",
      "replicate add",
      "replicate ls",
      "replicate edit",
      "replicate rm",
      "replicate export",
      "replicate import",
      "replicate status",
      "replicate diff",
      "replicate resync start",
      "replicate resync status",
      "replicate resync cancel",
    ]) {
      expect(names).toContain(verb);
    }
  });

  it.each(commands.map(([name, command]) => [name, command] as const))(
    "floe %s --help has a description and an example",
    (name, command) => {
      const help = helpOf(command);
      expect(command.description()).not.toBe("");
      expect(help).toMatch(new RegExp(`Examples:\\n {2}\\$ floe ${name}( |\\n)`));
    },
  );
});
