/**
 * The Trainer over real gRPC on loopback: startTrainer in embedded mode (in-process bus, gRPC on a free
 * port, no /metrics), data from 8 SciFact train queries, and the engine test double
 * (test-support/engine-double) in place of the PyTorch engine.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { JobState, TrainerService, type TrainingJobStatus } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainerConfigSchema } from "../config.js";
import { ENGINE_DOUBLE_DIR, PYTHON } from "../test-support/engine-double.js";
import { smallScifact, tempDir } from "../test-support/scifact.js";
import { startTrainer, type RunningTrainer } from "./start-trainer.js";

describe("the Trainer over gRPC", () => {
  let trainer: RunningTrainer;
  let client: ServiceClient<typeof TrainerService>;
  let corpus: string;

  beforeAll(async () => {
    corpus = (await smallScifact(8)).dir;
    const work = await tempDir();
    const config = trainerConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0 },
      metrics: { enabled: false },
      artifacts: { dir: join(work, "artifacts") },
      data: { root: work },
      engine: { python: PYTHON, dir: ENGINE_DOUBLE_DIR },
      jobs: { workDir: join(work, "jobs"), heartbeatMs: 1000 },
    });
    trainer = await startTrainer(config);
    client = createClient(TrainerService, `127.0.0.1:${trainer.grpc.port}`);
    await client.waitForReady(10_000);
  });
  afterAll(async () => {
    client?.close();
    await trainer?.stop();
  });

  const spec = (training: Record<string, unknown>) =>
    JSON.stringify({
      corpus,
      queries: { split: "small" },
      positives: { human: {} },
      negatives: { bm25: { window: [1, 10], count: 1 } },
      model: "base-model",
      training,
    });

  it("submits a job and streams its status and the engine's progress until it succeeds", async () => {
    const submitted = await client.submitJob({
      jobId: "grpc-ok",
      spec: spec({ hyperparameters: { batchSize: 2 } }),
      specName: "job.yaml",
      modelName: "scifact-minilm",
    });
    expect(submitted.status?.job).toEqual({ jobId: "grpc-ok", kind: "train" });
    const seen: TrainingJobStatus[] = [];
    for await (const status of client.watchJob({ jobId: "grpc-ok", kind: "" })) seen.push(status);
    const last = seen[seen.length - 1]!;
    expect(last.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(last.status?.progress).toMatchObject({ done: 4, total: 4, unit: "steps" });
    expect(last.trainingSet).toMatchObject({ records: 8, positives: 8 });
    expect(last.model?.name).toBe("scifact-minilm");
    const model = JSON.parse(await readFile(join(last.model!.artifact!.name, "ferret.json"), "utf8"));
    expect(model.steps).toBe(4);
    // Statuses carried the engine's step reports as they came.
    const steps = seen.map((s) => s.latest?.step ?? 0).filter((s) => s > 0);
    expect(steps.length).toBeGreaterThan(0);
    expect(Math.max(...steps)).toBe(4);
    const got = await client.getJob({ jobId: "grpc-ok", kind: "" });
    expect(got.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  });

  it("refuses an invalid spec with INVALID_INPUT naming the field", async () => {
    const err = await client
      .submitJob({
        jobId: "grpc-bad",
        spec: "corpus: c\nqueries: { split: 3 }\n",
        specName: "bad.yaml",
        modelName: "",
      })
      .catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain("queries.split");
    expect((err as { code?: string }).code).toBe("INVALID_INPUT");
  });

  it("cancels a job, and reports an unknown job as NOT_FOUND", async () => {
    await client.submitJob({
      jobId: "grpc-cancel",
      spec: spec({ hyperparameters: { batchSize: 2, maxSteps: 100000 } }),
      specName: "job.yaml",
      modelName: "",
    });
    const cancelled = await client.cancelJob({ jobId: "grpc-cancel", kind: "" });
    expect(cancelled.status?.state).toBe(JobState.JOB_STATE_CANCELLED);
    const err = await client.getJob({ jobId: "no-such-job", kind: "" }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("NOT_FOUND");
  });
});
