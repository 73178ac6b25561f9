/**
 * train: a training job on the trainer's work queue (submitTrainingJob) taken by a training worker on the
 * same bus, which runs the PyTorch engine as a subprocess on the assemble stage's training set. The job's
 * directory is in the stage's work directory, so a run killed mid-training resumes from the engine's last
 * checkpoint. The engine's progress (training.progress events) is kept as training.jsonl for the report's
 * curves; the trained model is copied into the stage output as model/.
 */
import { appendFile, cp, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InternalError } from "@ferret/errors";
import { TrainingProgress } from "@ferret/proto";
import {
  MANIFEST_FILE,
  TRAINING_PROGRESS_EVENT,
  openTrainingJobs,
  startTrainingWorker,
  submitTrainingJob,
  type EngineEvent,
} from "@ferret/trainer";
import type { StageDefinition } from "./stages.js";

export const TRAINED_MODEL = "model";
export const TRAINING_EVENTS = "training.jsonl";

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** A training.progress event as the engine event the report's curves read. */
function engineEventOf(p: TrainingProgress): EngineEvent | undefined {
  if (p.phase !== "train") return undefined;
  if (Object.keys(p.metrics).length > 0) return { event: "eval", step: p.step, ...p.metrics };
  return { event: "step", step: p.step, totalSteps: p.totalSteps, loss: p.loss, lr: p.learningRate };
}

/** The events of every attempt, one per (event, step), the latest attempt's last, in step order. */
async function readTrainingEvents(file: string): Promise<EngineEvent[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  const byStep = new Map<string, EngineEvent>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const e = JSON.parse(line) as EngineEvent;
    byStep.set(`${e.event}:${e.step}`, e);
  }
  return [...byStep.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
}

export const trainStage: StageDefinition = {
  name: "train",
  title: "train: fine-tune the model",
  enabled: ({ spec }) => spec.stages.train !== undefined,
  needs: () => ["assemble"],
  keyInputs: ({ job }) => ({
    config: { training: job!.training ?? {}, seed: job!.seed },
    paths: { model: job!.model! },
  }),
  async run(ctx) {
    const job = ctx.pipeline.job!;
    const jobId = `train-${ctx.key.slice(0, 16)}`;
    const jobsDir = join(ctx.workDir, "jobs");
    // The assembled set goes where the worker looks for it, so it reuses it instead of assembling again.
    const setDir = join(jobsDir, jobId, "training-set");
    if (!(await exists(join(setDir, MANIFEST_FILE)))) {
      const partial = `${setDir}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await cp(ctx.upstream("assemble").dir, partial, { recursive: true });
      await rm(setDir, { recursive: true, force: true });
      await rename(partial, setDir);
    }
    const eventsFile = join(ctx.workDir, TRAINING_EVENTS);
    let writes: Promise<unknown> = Promise.resolve();
    const subscription = await ctx.bus.events.subscribe(TRAINING_PROGRESS_EVENT, (event) => {
      const p = TrainingProgress.fromJSON(event.data);
      if (p.job?.jobId !== jobId) return;
      const e = engineEventOf(p);
      if (!e) return;
      if (e.event === "step") ctx.progress(p.step, p.totalSteps, "steps");
      writes = writes.then(() => appendFile(eventsFile, `${JSON.stringify(e)}\n`));
    });
    const dataRoot = dirname(ctx.pipeline.file);
    const worker = await startTrainingWorker({
      bus: ctx.bus,
      python: ctx.env.python,
      engineDir: ctx.env.engineDir,
      dataRoot,
      workDir: jobsDir,
      // One delivery: a failure ends the run; running it again resumes from the checkpoint.
      queueOptions: { maxDeliveries: 1 },
      logger: ctx.env.log,
      ...(ctx.env.engineEnv ? { engineEnv: ctx.env.engineEnv } : {}),
    });
    try {
      await submitTrainingJob(
        ctx.bus,
        { spec: JSON.stringify(job), specName: ctx.pipeline.file },
        { jobId, dataRoot, queueOptions: { maxDeliveries: 1 } },
      );
      const jobs = await openTrainingJobs(ctx.bus);
      let record;
      for await (const r of jobs.watch(jobId, ctx.signal ? { signal: ctx.signal } : {})) record = r;
      if (record?.state !== "succeeded" || !record.result)
        throw new InternalError(
          `training job ${jobId} ${record?.state ?? "vanished"}: ${record?.error?.message ?? "no result"}`,
        );
      const result = record.result;
      await cp(result.modelDir, join(ctx.dir, TRAINED_MODEL), { recursive: true });
      await writes;
      const events = await readTrainingEvents(eventsFile);
      await appendFile(join(ctx.dir, TRAINING_EVENTS), events.map((e) => `${JSON.stringify(e)}\n`).join(""));
      return {
        jobId,
        model: TRAINED_MODEL,
        steps: result.stages.reduce((a, s) => a + s.steps, 0),
        queries: result.records,
        positives: result.positives,
        negatives: result.negatives,
      };
    } finally {
      await worker.stop({ graceMs: 1000 });
      await subscription.stop();
      await writes.catch(() => undefined);
    }
  },
};
