import { resolve } from "node:path";
import type { Command } from "commander";

/**
 * `ferret run <pipeline.yaml>`: the whole pipeline (ingest → annotate → assemble → train → evaluate →
 * report) in embedded mode, in this process. Finished stages are skipped (their output is keyed by a hash
 * of their inputs and config); an interrupted run resumes. stderr shows one progress view of the stages;
 * stdout says which stages ran or were skipped and ends with the path of report.html. The pipeline module
 * is imported when the command runs (it loads the services).
 */

interface RunFlags {
  python: string;
  engineDir?: string;
  progress: boolean;
}

async function runPipeline(specFile: string, flags: RunFlags): Promise<void> {
  const { loadPipelineSpec, runEmbedded } = await import("../pipeline/index.js");
  const { ENGINE_DIR } = await import("@ferret/trainer");
  const { createLogger } = await import("@ferret/logging");
  const { VERSION } = await import("../program.js");
  const pipeline = await loadPipelineSpec(specFile);
  const result = await runEmbedded(pipeline, {
    env: {
      python: resolve(flags.python),
      engineDir: resolve(flags.engineDir ?? ENGINE_DIR),
      versions: { ferret: VERSION, node: process.version },
      log: createLogger({ name: "ferret-run", level: process.env.FERRET_LOG_LEVEL ?? "warn" }),
    },
    progress: flags.progress,
  });
  for (const s of result.stages)
    process.stdout.write(
      `${s.stage.padEnd(8)} ${s.skipped ? "skipped (finished earlier)" : `done in ${s.record.seconds.toFixed(1)} s`}  key ${s.key.slice(0, 12)}\n`,
    );
  process.stdout.write(`${result.reportHtml}\n`);
}

export function register(program: Command): void {
  program
    .command("run")
    .description(
      "run a pipeline spec end to end in this process (embedded mode); reruns skip finished stages",
    )
    .argument("<pipeline.yaml>", "pipeline spec (YAML or JSON)")
    .option(
      "--python <path>",
      "the trainer engine's Python (make trainer-env creates .venv)",
      ".venv/bin/python",
    )
    .option(
      "--engine-dir <dir>",
      "directory holding the ferret_engine package (default: services/trainer/engine)",
    )
    .option("--no-progress", "never show the progress view")
    .action(runPipeline);
}
