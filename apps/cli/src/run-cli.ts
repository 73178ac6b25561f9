import { CommanderError, type Command } from "commander";
import { isFerretError } from "@ferret/errors";

/**
 * Runs the program and turns failures into exit codes: 0 success (and --help/--version),
 * 1 a failure Ferret reports on purpose (FerretError: one line `ferret: <message>`, no stack),
 * 2 a usage error (unknown command or option, missing argument). Anything else is a bug and
 * keeps its stack trace.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function applyExitOverride(command: Command): void {
  command.exitOverride();
  command.configureOutput({
    outputError: (text, write) => write(`ferret: ${text.replace(/^error: /, "")}`),
  });
  for (const sub of command.commands) applyExitOverride(sub);
}

export async function runCli(program: Command, argv: string[]): Promise<number> {
  applyExitOverride(program);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed the message or the help text.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT_OK;
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isFerretError(err)) {
      process.stderr.write(`ferret: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(
      `ferret: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT_FAILURE;
  }
}
