import { cp, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { InternalError, InvalidArgumentError } from "@ferret/errors";
import { grpcTlsOf, withGrpcTlsOptions, type GrpcTlsFlags } from "../grpc-tls.js";

/**
 * `ferret train <job.yaml> [--out model-dir]`: a training job in this process (embedded: the in-process
 * bus, the trainer's job worker, the PyTorch engine as a subprocess). Relative paths in the spec are
 * relative to the spec file. A progress bar on stderr shows steps, loss, samples/s and the ETA. The work
 * directory keeps the assembled training set and the engine's checkpoints, so running the same command
 * again after a crash resumes. @ferret/trainer is imported when the command runs.
 */

interface TrainFlags extends GrpcTlsFlags {
  out?: string;
  python: string;
  engineDir?: string;
  workDir: string;
  jobId?: string;
  progress: boolean;
}

function jobIdOf(specFile: string): string {
  const id = basename(specFile, extname(specFile)).replace(/[^A-Za-z0-9_-]/g, "-");
  return id === "" ? "train" : id;
}

async function runTrain(specFile: string, flags: TrainFlags): Promise<void> {
  const { ENGINE_DIR, TRAINING_PROGRESS_EVENT, openTrainingJobs, startTrainingWorker, submitTrainingJob } =
    await import("@ferret/trainer");
  const { createBus } = await import("@ferret/bus");
  const { TrainingProgress } = await import("@ferret/proto");
  let spec: string;
  try {
    spec = await readFile(specFile, "utf8");
  } catch (cause) {
    throw new InvalidArgumentError(`cannot read the job spec ${specFile}: ${(cause as Error).message}`);
  }
  const workDir = resolve(flags.workDir);
  const jobId = flags.jobId ?? jobIdOf(specFile);
  const bus = await createBus({ kind: "memory", dir: join(workDir, "bus") });
  const bar =
    flags.progress && process.stderr.isTTY === true
      ? new SingleBar({
          stream: process.stderr,
          format:
            "training [{bar}] {value}/{total} steps | loss {loss} | {sps} samples/s | ETA {eta_formatted}",
          etaBuffer: 20,
        })
      : undefined;
  let lastLine = 0;
  const subscription = await bus.events.subscribe(TRAINING_PROGRESS_EVENT, (event) => {
    const p = TrainingProgress.fromJSON(event.data);
    if (p.phase !== "train" || p.totalSteps === 0) return;
    const payload = { loss: p.loss.toFixed(4), sps: p.samplesPerSecond.toFixed(1) };
    if (bar) {
      if (bar.getTotal() !== p.totalSteps) bar.start(p.totalSteps, p.step, payload);
      else bar.update(p.step, payload);
    } else if (flags.progress && Date.now() - lastLine >= 5000) {
      // Not a terminal: a line every few seconds.
      lastLine = Date.now();
      process.stderr.write(
        `training: step ${p.step}/${p.totalSteps}, loss ${payload.loss}, ${payload.sps} samples/s\n`,
      );
    }
  });
  const worker = await startTrainingWorker({
    bus,
    python: flags.python,
    engineDir: resolve(flags.engineDir ?? ENGINE_DIR),
    dataRoot: dirname(resolve(specFile)),
    workDir: join(workDir, "jobs"),
    // The live encoder a spec's negatives.dense.encoder names.
    encoderTls: grpcTlsOf(flags),
    // One delivery: a failure is reported here; running the command again resumes from the checkpoint.
    queueOptions: { maxDeliveries: 1 },
  });
  try {
    await submitTrainingJob(
      bus,
      { spec, specName: specFile },
      { jobId, dataRoot: dirname(resolve(specFile)), queueOptions: { maxDeliveries: 1 } },
    );
    const jobs = await openTrainingJobs(bus);
    let record;
    for await (const r of jobs.watch(jobId)) record = r;
    bar?.stop();
    if (record?.state !== "succeeded" || !record.result)
      throw new InternalError(`training failed: ${record?.error?.message ?? record?.state ?? "no record"}`);
    const result = record.result;
    let model = result.modelDir;
    if (flags.out !== undefined) {
      // Copied beside the target first, then renamed into place: never a half-copied model dir.
      const out = resolve(flags.out);
      const partial = `${out}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await cp(result.modelDir, partial, { recursive: true });
      await rm(out, { recursive: true, force: true });
      await rename(partial, out);
      model = out;
    }
    const steps = result.stages.reduce((a, s) => a + s.steps, 0);
    process.stdout.write(
      `trained ${steps} steps on ${result.records} queries (${result.positives} positives, ${result.negatives} negatives, ${result.falseNegativesFiltered} false negatives filtered) -> ${model}\n`,
    );
  } finally {
    bar?.stop();
    await worker.stop({ graceMs: 1000 });
    await subscription.stop();
    await bus.close();
  }
}

export function register(program: Command): void {
  const train = program.command("train");
  withGrpcTlsOptions(train)
    .description(
      "assemble a training set from a job spec and train a model with the PyTorch engine (in this process)",
    )
    .argument("<job.yaml>", "job spec (YAML or JSON; see services/trainer/README.md)")
    .option("--out <model-dir>", "copy the trained model dir here")
    .option("--python <path>", "the engine's Python (make trainer-env creates .venv)", ".venv/bin/python")
    .option(
      "--engine-dir <dir>",
      "directory holding the ferret_engine package (default: services/trainer/engine)",
    )
    .option("--work-dir <dir>", "training sets, engine checkpoints and job state", ".ferret/train")
    .option("--job-id <id>", "job id (default: the spec file's name); the same id resumes")
    .option("--no-progress", "never show a progress bar")
    .action(runTrain);
}
