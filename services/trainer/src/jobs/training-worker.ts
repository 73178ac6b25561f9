/**
 * The training job worker: one job at a time per replica, from the "trainer" work queue on the
 * @ferret/jobs runtime. A delivery assembles the training set (or reuses the one a previous delivery
 * completed), then runs the engine once per curriculum stage as a subprocess with a job file; the
 * engine's JSON-line progress is republished as `training.progress` events and as the record's
 * progress (optimiser steps), and every engine event (plus a timer) tells the bus the delivery is alive
 * (working()). A crashed engine fails the attempt with its log tail; the next delivery resumes: the
 * engine continues from its last checkpoint in the same output directory, and finished stages are
 * skipped (their done marker). A cancelled job stops its engine. With TAS-Balanced batches the job file
 * names the artifact's batches.jsonl as the engine's batch plan.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Bus, Job, QueueOptions } from "@ferret/bus";
import type { ClientTls } from "@ferret/grpc";
import { writeDataAtomically } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import { consumeJobs, watchCancellation, type JobRecord, type JobStore } from "@ferret/jobs";
import type { ArtifactRef } from "@ferret/proto";
import { silentLogger, type Logger } from "@ferret/logging";
import { assembleTrainingSet } from "../data/assemble.js";
import { CorpusCache } from "../data/corpus-cache.js";
import { parseJobSpec, type LoadedJobSpec } from "../data/load-spec.js";
import { MANIFEST_FILE, STATS_FILE, type TrainingSetManifest } from "../data/training-set-format.js";
import type { TrainingSetStats } from "../data/training-set-stats.js";
import { engineJob, exportedModelDir, writeEngineJobFile } from "../engine/engine-job-file.js";
import { runEngine } from "../engine/engine-process.js";
import { publishModel } from "./publish-model.js";
import { publishTrainingProgress } from "./training-progress.js";
import {
  TRAINING_JOBS_BUCKET,
  TRAINING_QUEUE,
  openTrainingJobs,
  type TrainingJobResult,
  type TrainingJobSpec,
  type TrainingQueueMessage,
  type TrainingStageResult,
} from "./training-job.js";

export interface TrainingWorkerOptions {
  bus: Bus;
  /** Python interpreter of the engine's virtualenv. */
  python: string;
  /** Directory holding the ferret_engine package. */
  engineDir: string;
  /** Relative spec paths resolve here. */
  dataRoot: string;
  /** Per-job working directories (training set, job files, engine output and checkpoints). */
  workDir: string;
  queue?: string;
  jobsBucket?: string;
  queueOptions?: QueueOptions;
  /** How often the delivery is marked alive while the engine runs. Default 10 s. */
  heartbeatMs?: number;
  /** Minimum time between progress writes to the job record. Default 1 s. */
  progressIntervalMs?: number;
  logger?: Logger;
  /** Extra environment for the engine (e.g. thread counts). */
  engineEnv?: NodeJS.ProcessEnv;
  /**
   * Where trained models are published (the encoder's or ranker's models root); each job's model goes to
   * <modelsDir>/<model name> and `model.published` fires. Without it models stay in the work dir.
   */
  modelsDir?: string;
  /** TLS to the live encoders job specs name (negatives.dense.encoder); default plaintext. */
  encoderTls?: ClientTls | undefined;
  /**
   * The object bucket trained models are uploaded to (a directory artifact per job) before
   * `model.published` names it; encoder replicas fetch it from there.
   */
  modelsBucket?: string;
}

export interface TrainingWorker {
  stop(options?: { graceMs?: number }): Promise<void>;
}

interface StageDone {
  stage: number;
  modelDir: string;
  steps: number;
}

export async function startTrainingWorker(options: TrainingWorkerOptions): Promise<TrainingWorker> {
  const { bus } = options;
  const logger = options.logger ?? silentLogger();
  const jobs = await openTrainingJobs(bus, options.jobsBucket ?? TRAINING_JOBS_BUCKET);
  const queue = await bus.queue<TrainingQueueMessage>(
    options.queue ?? TRAINING_QUEUE,
    options.queueOptions ?? {},
  );
  const cache = new CorpusCache();

  const consumer = consumeJobs(queue, {
    jobs,
    jobIdOf: (m) => m.data.jobId,
    concurrency: 1,
    logger,
    heartbeatMs: options.heartbeatMs ?? 10_000,
    handle: (message, record) => trainJob(message, record, jobs, cache, options, logger),
  });
  return {
    async stop(stopOptions) {
      await consumer.stop(stopOptions);
      await cache.close();
    },
  };
}

async function trainJob(
  message: Job<TrainingQueueMessage>,
  record: JobRecord<TrainingJobSpec, TrainingJobResult>,
  jobs: JobStore<TrainingJobSpec, TrainingJobResult>,
  cache: CorpusCache,
  options: TrainingWorkerOptions,
  logger: Logger,
): Promise<void> {
  const jobId = record.jobId;
  const log = logger.child({ job: jobId, attempt: message.deliveryCount });
  // The engine stops when the delivery is lost or the job is cancelled meanwhile.
  const work = watchCancellation(jobs, jobId, message.signal);
  try {
    await jobs.start(jobId, `attempt ${message.deliveryCount}`);
    const loaded = parseJobSpec(record.spec.spec, { file: record.spec.specName, baseDir: options.dataRoot });
    const model = loaded.spec.model;
    if (model === undefined)
      throw new InputError(
        { file: record.spec.specName, field: "model" },
        "a training job needs the model to train",
      );
    const jobDir = join(options.workDir, jobId);
    const setDir = join(jobDir, "training-set");
    const { manifest, stats } = await trainingSet(loaded, setDir, cache, log, options.encoderTls);
    message.working();

    const stages: TrainingStageResult[] = [];
    let modelDir = model;
    for (const { stage, file } of manifest.files.stages) {
      const done = await runStage({
        stage,
        jobDir,
        modelDir,
        trainingSet: join(setDir, file),
        // TAS-Balanced: the engine trains on the planned batches of this stage, in order.
        training:
          manifest.files.batches === undefined
            ? loaded.spec.training
            : {
                batchPlan: join(setDir, manifest.files.batches),
                batchPlanStage: stage,
                ...loaded.spec.training,
              },
        message,
        jobs,
        jobId,
        options,
        signal: work.signal,
        log,
      });
      stages.push({ stage, trainingSet: join(setDir, file), modelDir: done.modelDir, steps: done.steps });
      modelDir = done.modelDir;
    }
    const last = stages[stages.length - 1]!;
    let trained = last.modelDir;
    let artifact: ArtifactRef | undefined;
    if (options.modelsDir !== undefined || options.modelsBucket !== undefined) {
      const name = record.spec.modelName || loaded.spec.name || jobId;
      const published = await publishModel({
        bus: options.bus,
        ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
        ...(options.modelsBucket === undefined ? {} : { bucket: options.modelsBucket }),
        name,
        jobId,
        modelDir: last.modelDir,
        working: () => message.working(),
      });
      log.info({ model: published.name, artifact: published.artifact?.name }, "model published");
      if (options.modelsDir !== undefined) trained = join(options.modelsDir, name);
      if (published.artifact?.bucket) artifact = published.artifact;
    }
    await jobs.succeed(
      jobId,
      {
        modelDir: trained,
        ...(artifact === undefined ? {} : { artifact }),
        trainingSetDir: setDir,
        stages,
        records: stats.queries.records,
        positives: stats.positives.total,
        negatives: stats.negatives.total,
        falseNegativesFiltered: stats.falseNegatives.filtered,
        batches: stats.batches?.count ?? 0,
      },
      { done: last.steps, total: last.steps, message: "trained" },
    );
    log.info({ model: trained }, "training job succeeded");
  } finally {
    await work.close();
  }
}

/** The assembled training set: reused when a previous delivery completed it (its manifest exists). */
async function trainingSet(
  loaded: LoadedJobSpec,
  dir: string,
  cache: CorpusCache,
  log: Logger,
  encoderTls: ClientTls | undefined,
): Promise<{ manifest: TrainingSetManifest; stats: TrainingSetStats }> {
  const read = async () => ({
    manifest: JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")) as TrainingSetManifest,
    stats: JSON.parse(await readFile(join(dir, STATS_FILE), "utf8")) as TrainingSetStats,
  });
  if (await exists(join(dir, MANIFEST_FILE))) {
    log.info({ dir }, "training set already assembled; reusing it");
    return read();
  }
  await assembleTrainingSet(loaded, { outputDir: dir, cache, log, encoderTls });
  return read();
}

interface StageRun {
  stage: number;
  jobDir: string;
  modelDir: string;
  trainingSet: string;
  training: Record<string, unknown> | undefined;
  message: Job<TrainingQueueMessage>;
  jobs: JobStore<TrainingJobSpec, TrainingJobResult>;
  jobId: string;
  options: TrainingWorkerOptions;
  signal: AbortSignal;
  log: Logger;
}

async function runStage(run: StageRun): Promise<StageDone> {
  const { stage, jobDir, jobs, jobId, message, options, log } = run;
  const marker = join(jobDir, `stage-${stage}.done.json`);
  if (await exists(marker)) {
    log.info({ stage }, "stage already trained; skipping it");
    return JSON.parse(await readFile(marker, "utf8")) as StageDone;
  }
  const outputDir = join(jobDir, `stage-${stage}`);
  const jobFile = await writeEngineJobFile(
    jobDir,
    `engine-job.stage-${stage}.json`,
    engineJob(run.training, { modelDir: run.modelDir, trainingSet: run.trainingSet, outputDir }),
  );
  let lastWrite = 0;
  let steps = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const context = { jobId, attempt: message.deliveryCount, stage };
  const result = await runEngine({
    python: options.python,
    engineDir: options.engineDir,
    jobFile,
    signal: run.signal,
    ...(options.engineEnv ? { env: options.engineEnv } : {}),
    onEvent: (event) => {
      message.working();
      if (typeof event.step === "number") steps = Math.max(steps, event.step);
      // Events are published in order, one after the other; a failed publish is logged, not fatal.
      pending = pending
        .then(async () => {
          const progress = await publishTrainingProgress(options.bus, event, context);
          const now = Date.now();
          if (progress && now - lastWrite >= (options.progressIntervalMs ?? 1000)) {
            lastWrite = now;
            await jobs.setProgress(jobId, {
              done: progress.step,
              total: progress.totalSteps,
              message: `stage ${stage}: step ${progress.step}/${progress.totalSteps}, loss ${progress.loss.toFixed(4)}`,
            });
          }
        })
        .catch((err: unknown) => log.warn({ err, event: event.event }, "progress not published"));
      if (event.event !== "step") log.info({ stage, event }, "engine event");
    },
  });
  await pending;
  const modelDir = result.done?.model ?? exportedModelDir(outputDir);
  const done: StageDone = {
    stage,
    modelDir,
    steps: typeof result.done?.step === "number" ? result.done.step : steps,
  };
  await writeDataAtomically(marker, JSON.stringify(done) + "\n");
  return done;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
