/**
 * The trainer's CI acceptance test, through the real pipeline: a job spec (SciFact train queries, human
 * positives, BM25 negatives from ranks 4-30) goes on the training queue; the job worker assembles the
 * training set and runs the PyTorch engine (services/trainer/engine, the repo's .venv from make
 * trainer-env) on @ferret/inference's tiny BERT with seeded random weights, which exports ONNX and is
 * published into the encoder's models root. The loss must fall. Then a real encoder (gRPC over loopback)
 * indexes the whole SciFact corpus (5,183 documents) with the trained model and with the untrained one
 * (the same weights through the same worker and engine, at learning rate 0, so it is exported and served
 * the same way), searches the 300 test queries exactly, and the Evaluator (gRPC) scores each run:
 * the trained model's nDCG@10 must beat the untrained one's.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createBus, type Bus, type BusEvent } from "@ferret/bus";
import { encoderConfigSchema, startEncoder, type RunningEncoder } from "@ferret/encoder";
import type { RunningEvaluator } from "@ferret/evaluator";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { EncoderService, EvaluatorService, JobState, TrainingProgress } from "@ferret/proto";
import {
  TRAINING_PROGRESS_EVENT,
  openTrainingJobs,
  startTrainingWorker,
  submitTrainingJob,
  type TrainingWorker,
} from "@ferret/trainer";
import { REAL_ENGINE_DIR, makeTrainableModel, requireVenv } from "@ferret/trainer/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DATA_ROOT,
  SCIFACT_DIR,
  indexBeirDir,
  startTestEvaluator,
  ndcgAt10,
  scifactTestSplit,
  searchTest,
  type TestSplit,
} from "./scifact-serving.js";

const STEPS = 250;
const BATCH = 32;

let dir: string;
let bus: Bus;
let worker: TrainingWorker;
let encoder: RunningEncoder;
let evaluator: RunningEvaluator;
let encoderClient: ServiceClient<typeof EncoderService>;
let evaluatorClient: ServiceClient<typeof EvaluatorService>;
const progress: TrainingProgress[] = [];

beforeAll(async () => {
  const python = requireVenv();
  dir = await mkdtemp(join(tmpdir(), "ferret-trainer-acceptance-"));
  makeTrainableModel(dir);
  bus = await createBus({ kind: "memory", dir: join(dir, "bus") });
  await bus.events.subscribe(TRAINING_PROGRESS_EVENT, (e: BusEvent<unknown>) => {
    progress.push(TrainingProgress.fromJSON(e.data));
  });
  worker = await startTrainingWorker({
    bus,
    python,
    engineDir: REAL_ENGINE_DIR,
    dataRoot: dir,
    workDir: join(dir, "jobs"),
    modelsDir: join(dir, "models"),
    heartbeatMs: 5000,
    progressIntervalMs: 0,
  });
}, 120_000);

afterAll(async () => {
  encoderClient?.close();
  evaluatorClient?.close();
  await encoder?.stop();
  await evaluator?.stop();
  await worker?.stop({ graceMs: 1000 });
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Trains `model` from the tiny BERT through the job worker; the job's steps. */
async function train(model: string, hyperparameters: Record<string, unknown>): Promise<number> {
  await submitTrainingJob(
    bus,
    {
      specName: `${model}.yaml`,
      modelName: model,
      spec: JSON.stringify({
        corpus: SCIFACT_DIR,
        seed: 13,
        queries: { split: "train" },
        positives: { human: {} },
        negatives: { bm25: { window: [4, 30], count: 1 } },
        model: "tiny-bert-trainable",
        training: {
          hyperparameters: { batchSize: BATCH, seed: 13, ...hyperparameters },
          logEvery: 10,
          checkpointEvery: 1000,
          threads: 2,
          quantize: false,
        },
      }),
    },
    { jobId: model, dataRoot: dir },
  );
  const jobs = await openTrainingJobs(bus);
  let record;
  for await (const r of jobs.watch(model)) record = r;
  expect(record!.error).toBeUndefined();
  expect(record!.state).toBe("succeeded");
  expect(record!.result!.modelDir).toBe(join(dir, "models", model));
  return record!.result!.stages[0]!.steps;
}

/** Indexes SciFact with `model`, serves it, and scores its test run with the Evaluator. */
async function score(model: string, split: TestSplit): Promise<number> {
  const last = await indexBeirDir(encoderClient, "scifact", relative(DATA_ROOT, SCIFACT_DIR), model);
  expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  expect(Number(last?.index?.documents)).toBe(5183);
  await encoderClient.loadModel({
    model: { name: model, version: "", artifact: undefined },
    quantized: false,
    indexes: ["scifact"],
  });
  const { run, model: served } = await searchTest(encoderClient, "scifact", split);
  expect(served).toBe(model);
  expect(run.rankings.length).toBe(split.queries.length);
  const { mean, queries } = await ndcgAt10(evaluatorClient, run, split);
  expect(queries).toBe(300);
  return mean;
}

describe("trainer acceptance on SciFact", () => {
  it("trains the tiny BERT with BM25 negatives; the loss falls and the served model beats the untrained one", async () => {
    const started = Date.now();
    // The untrained baseline: the same pipeline at learning rate 0 (one step that changes no weight).
    expect(await train("untrained", { maxSteps: 1, learningRate: 0 })).toBe(1);
    expect(await train("trained", { maxSteps: STEPS, learningRate: 5e-3 })).toBe(STEPS);
    const losses = progress
      .filter((p) => p.job?.jobId === "trained" && p.phase === "train")
      .map((p) => p.loss);
    expect(losses.length).toBe(STEPS / 10);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 3));
    const lastLosses = mean(losses.slice(-3));
    // InfoNCE over 64 passages starts near ln 64 = 4.16 with random weights.
    expect(first).toBeGreaterThan(3.8);
    expect(lastLosses).toBeLessThan(first - 0.5);
    const trainedAt = Date.now();

    encoder = await startEncoder(
      encoderConfigSchema.parse({
        grpc: { host: "127.0.0.1", port: 0 },
        metrics: { enabled: false },
        models: { dir: join(dir, "models"), threads: 2 },
        indexes: { dir: join(dir, "indexes"), cacheDir: join(dir, "index-cache") },
        artifacts: { dir: join(dir, "encoder-artifacts") },
        corpora: { dir: DATA_ROOT },
      }),
    );
    evaluator = await startTestEvaluator(join(dir, "evaluator-artifacts"));
    encoderClient = createClient(EncoderService, `127.0.0.1:${encoder.grpc.port}`, { deadlineMs: 600_000 });
    evaluatorClient = createClient(EvaluatorService, `127.0.0.1:${evaluator.grpc.port}`, {
      deadlineMs: 60_000,
    });
    const split = await scifactTestSplit();
    const untrained = await score("untrained", split);
    const trained = await score("trained", split);
    // Measured figures, for the trainer's README (not asserted beyond the comparison).
    process.stdout.write(
      `trainer acceptance: nDCG@10 untrained ${untrained.toFixed(4)} -> trained ${trained.toFixed(4)}; ` +
        `loss ${first.toFixed(3)} -> ${lastLosses.toFixed(3)}; training ${((trainedAt - started) / 1000).toFixed(0)} s, ` +
        `serving and scoring ${((Date.now() - trainedAt) / 1000).toFixed(0)} s\n`,
    );
    expect(trained).toBeGreaterThan(untrained);
  }, 1_800_000);
});
