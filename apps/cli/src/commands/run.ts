import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "@ferret/errors";

/**
 * `ferret run <pipeline.yaml>`: the whole pipeline (ingest → annotate → assemble → train → evaluate →
 * report) in embedded mode, in this process. Finished stages are skipped (their output is keyed by a hash
 * of their inputs and config); an interrupted run resumes. stderr shows one progress view of the stages;
 * stdout says which stages ran or were skipped and ends with the path of report.html. The pipeline module
 * is imported when the command runs (it loads the services).
 *
 * With --cluster <nats-url> the run goes to a cluster (`ferret up`) instead: the services' stage hosts do
 * the stages by choreography, this process follows the run and Ctrl-C detaches (cluster/run-cluster.ts).
 */

interface RunFlags {
  cluster?: string;
  attach?: string;
  runId?: string;
  python: string;
  engineDir?: string;
  progress: boolean;
}

async function runPipeline(specFile: string | undefined, flags: RunFlags): Promise<void> {
  if (flags.cluster !== undefined || flags.attach !== undefined) return runOnCluster(specFile, flags);
  if (specFile === undefined)
    throw new InvalidArgumentError("give the pipeline spec (or --cluster with --attach)");
  // The spec first: a bad one fails before the services' modules are loaded.
  const { loadPipelineSpec } = await import("../pipeline/load-pipeline-spec.js");
  const pipeline = await loadPipelineSpec(specFile);
  const { runEmbedded } = await import("../pipeline/index.js");
  const { ENGINE_DIR } = await import("@ferret/trainer");
  const { createLogger } = await import("@ferret/logging");
  const { VERSION } = await import("../program.js");
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

/** Cluster mode (cluster/run-cluster.ts): submit, or attach to, a run the services' stage hosts carry out. */
async function runOnCluster(specFile: string | undefined, flags: RunFlags): Promise<void> {
  if (flags.cluster === undefined) throw new InvalidArgumentError("--attach needs --cluster <nats-url>");
  if ((specFile === undefined) === (flags.attach === undefined))
    throw new InvalidArgumentError("give the pipeline spec to submit a run, or --attach <run-id>, not both");
  const { runCluster } = await import("../cluster/run-cluster.js");
  const detach = new AbortController();
  const onSigint = (): void => detach.abort();
  process.once("SIGINT", onSigint);
  try {
    const id = flags.attach ?? flags.runId;
    const outcome = await runCluster({
      natsUrl: flags.cluster,
      ...(specFile === undefined ? {} : { specFile }),
      ...(id === undefined ? {} : { runId: id }),
      attach: flags.attach !== undefined,
      progress: flags.progress,
      signal: detach.signal,
      out: (line) => process.stdout.write(`${line}\n`),
    });
    if (outcome.state === "detached")
      process.stdout.write(
        `detached from run ${outcome.runId} (it goes on); ferret run --cluster ${flags.cluster} --attach ${outcome.runId}\n`,
      );
    else process.stdout.write(`${outcome.reportHtml}\n`);
  } finally {
    process.off("SIGINT", onSigint);
  }
}

export function register(program: Command): void {
  program
    .command("run")
    .description(
      "run a pipeline spec end to end in this process (embedded mode), or on a cluster (--cluster); reruns skip finished stages",
    )
    .argument("[pipeline.yaml]", "pipeline spec (YAML or JSON)")
    .option("--cluster <nats-url>", "submit the run to a cluster (ferret up) and follow it; Ctrl-C detaches")
    .option("--attach <run-id>", "with --cluster: follow a run submitted earlier")
    .option("--run-id <id>", "with --cluster: the new run's id (default: the spec's name and the time)")
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
