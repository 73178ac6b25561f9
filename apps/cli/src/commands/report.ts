import type { Command } from "commander";

/**
 * `ferret report <run-dir>`: re-renders report.html from the run's report.json (after an upgrade, or a
 * hand fix of the config text), with no evaluation rerun. The report module is imported when the command
 * runs (it pulls in the evaluator, slow to import).
 */
async function runReport(runDir: string): Promise<void> {
  const { rerenderReport } = await import("../report/index.js");
  const html = await rerenderReport(runDir);
  process.stdout.write(`${html}\n`);
}

export function register(program: Command): void {
  program
    .command("report")
    .description("re-render a run's report.html from its report.json")
    .argument("<run-dir>", "run directory holding report.json")
    .action(runReport);
}
