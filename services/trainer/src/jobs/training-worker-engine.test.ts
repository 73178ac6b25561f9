/**
 * The training worker with the real PyTorch engine (services/trainer/engine, in the repo's .venv from
 * make trainer-env): SciFact train queries with BM25 negatives train a tiny BERT. The kill test SIGKILLs
 * the engine mid-run: the attempt fails, the next delivery resumes from the last checkpoint, the job
 * ends with exactly the planned optimiser steps and one published model that @ferret/inference loads.
 * A model dir without weights fails the job at once, and nothing is published.
 */
import { execFileSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createBus, type Bus, type BusEvent, type Subscription } from "@ferret/bus";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { ModelPublished, TrainingProgress } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallScifact, tempDir } from "../test-support/scifact.js";
import { REAL_ENGINE_DIR, makeTrainableModel, requireVenv } from "../test-support/trainable-model.js";
import { MODEL_PUBLISHED_EVENT } from "./publish-model.js";
import { submitTrainingJob } from "./submit-training-job.js";
import { TRAINING_PROGRESS_EVENT, openTrainingJobs } from "./training-job.js";
import { startTrainingWorker, type TrainingWorker } from "./training-worker.js";

/** The engine processes this test process started (its children running ferret_engine). */
function enginePids(): number[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes("ferret_engine"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe("training with the real engine", () => {
  let bus: Bus;
  let worker: TrainingWorker;
  let work: string;
  let corpus: string;
  let subscription: Subscription;
  const progress: TrainingProgress[] = [];
  let killed = 0;
  let publishedSubscription: Subscription;
  const published: ModelPublished[] = [];

  beforeAll(async () => {
    const python = requireVenv();
    work = await tempDir();
    corpus = (await smallScifact(16)).dir;
    makeTrainableModel(work);
    bus = await createBus({ kind: "memory", dir: join(work, "bus") });
    subscription = await bus.events.subscribe(TRAINING_PROGRESS_EVENT, (e: BusEvent<unknown>) => {
      const p = TrainingProgress.fromJSON(e.data);
      progress.push(p);
      // SIGKILL the engine once, mid-run, after its checkpoint at step 3.
      if (killed === 0 && p.step === 5) {
        for (const pid of enginePids()) process.kill(pid, "SIGKILL");
        killed++;
      }
    });
    worker = await startTrainingWorker({
      bus,
      python,
      engineDir: REAL_ENGINE_DIR,
      dataRoot: work,
      workDir: join(work, "jobs"),
      queueOptions: { maxDeliveries: 3, backoff: { initialMs: 50, maxMs: 100 } },
      heartbeatMs: 1000,
      progressIntervalMs: 0,
      engineEnv: { OMP_NUM_THREADS: "1" },
      modelsDir: join(work, "models"),
    });
    publishedSubscription = await bus.events.subscribe(MODEL_PUBLISHED_EVENT, (e) => {
      published.push(ModelPublished.fromJSON(e.data));
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop({ graceMs: 1000 });
    await subscription?.stop();
    await publishedSubscription?.stop();
    await bus?.close();
  });

  it("resumes a SIGKILLed engine from its checkpoint and ends with the planned steps and one model", async () => {
    await submitTrainingJob(
      bus,
      {
        specName: "job.yaml",
        spec: JSON.stringify({
          corpus,
          queries: { split: "small" },
          positives: { human: {} },
          negatives: { bm25: { window: [4, 30], count: 1 } },
          model: "tiny-bert-trainable",
          training: {
            hyperparameters: { batchSize: 4, epochs: 3, learningRate: 1e-3 },
            checkpointEvery: 3,
            logEvery: 1,
            threads: 1,
            quantize: false,
          },
        }),
      },
      { jobId: "real-kill", dataRoot: work },
    );
    const jobs = await openTrainingJobs(bus);
    let record;
    for await (const r of jobs.watch("real-kill")) record = r;
    expect(record!.error).toBeUndefined();
    expect(record!.state).toBe("succeeded");
    expect(killed).toBe(1);
    // 16 queries, batches of 4, 3 epochs: 12 optimiser steps planned and done.
    expect(record!.result!.stages).toEqual([expect.objectContaining({ stage: 1, steps: 12 })]);
    const second = progress.filter(
      (p) => p.job?.jobId === "real-kill" && p.attempt === 2 && p.phase === "train",
    );
    // The kill lands at step 5 or, on a fast machine, a step or two later (the progress event that triggers
    // it is republished while the engine goes on): the second attempt resumes right after the last
    // checkpoint (every 3 steps) that the first attempt reached, at least the one at step 3, and runs each
    // remaining step once.
    const first = progress
      .filter((p) => p.job?.jobId === "real-kill" && p.attempt === 1 && p.phase === "train")
      .map((p) => p.step);
    const resumedAfter = second[0]!.step - 1;
    expect(resumedAfter % 3).toBe(0);
    expect(resumedAfter).toBeGreaterThanOrEqual(3);
    expect(Math.max(...first)).toBeGreaterThanOrEqual(resumedAfter);
    expect(Math.max(...first)).toBeLessThan(12);
    const remaining = Array.from({ length: 12 - resumedAfter }, (_, i) => resumedAfter + 1 + i);
    expect(second.map((p) => p.step)).toEqual(remaining);
    expect(second.every((p) => p.totalSteps === 12 && Number.isFinite(p.loss))).toBe(true);
    // One model, published once, loadable by the encoder's model loader.
    const stageDir = join(work, "jobs", "real-kill", "stage-1");
    expect((await readdir(stageDir)).filter((f) => f.startsWith("model"))).toEqual(["model"]);
    expect(record!.result!.modelDir).toBe(join(work, "models", "real-kill"));
    expect(published.filter((p) => p.trainedBy?.jobId === "real-kill").map((p) => p.model?.name)).toEqual([
      "real-kill",
    ]);
    const encoder = await BiEncoder.load(record!.result!.modelDir);
    const [v] = await encoder.embed(["a claim about tumour cells"], "query");
    await encoder.close();
    expect(v!.length).toBe(32);
  }, 300_000);

  it("fails a job whose model dir has no weights at once, naming the problem, and publishes nothing", async () => {
    await submitTrainingJob(
      bus,
      {
        specName: "job.yaml",
        spec: JSON.stringify({
          corpus,
          queries: { split: "small" },
          positives: { human: {} },
          negatives: { bm25: { window: [4, 30], count: 1 } },
          // The inference fixture: ONNX only, no model.safetensors.
          model: FIXTURE_MODELS.biEncoder,
          training: { hyperparameters: { batchSize: 4 }, threads: 1 },
        }),
      },
      { jobId: "no-weights", dataRoot: work },
    );
    const jobs = await openTrainingJobs(bus);
    let record;
    for await (const r of jobs.watch("no-weights")) record = r;
    expect(record!.state).toBe("failed");
    expect(record!.error).toMatchObject({ code: "INVALID_ARGUMENT", deliveries: 1 });
    expect(record!.error!.message).toContain("MODEL_DIR_INVALID");
    expect(published.filter((p) => p.trainedBy?.jobId === "no-weights")).toEqual([]);
    expect(await readdir(join(work, "models"))).toEqual(["real-kill"]);
  }, 300_000);
});
