/** Help text shared by the commands: every command's --help ends with examples. */
import { InvalidArgumentError, type CommandUnknownOpts } from "@commander-js/extra-typings";

/** Appends an "Examples:" section to a command's help. */
export function withExamples<C extends CommandUnknownOpts>(command: C, ...examples: string[]): C {
  const lines = examples.map((example) => `  $ ${example}`).join("\n");
  command.addHelpText("after", `\nExamples:\n${lines}\n`);
  return command;
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses a positive integer option. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return n;
}
