/**
 * The training worker on NATS JetStream at $NATS_URL (default nats://127.0.0.1:4222; it must be
 * reachable: the suite fails, never skips, without it), with data assembled from 12 SciFact train
 * queries and the engine test double (test-support/engine-double) in place of the PyTorch engine. Every
 * queue, bucket and event stream has this run's id in its name and is deleted afterwards.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createBus, type Bus, type BusEvent, type Subscription } from "@ferret/bus";
import { eventually } from "@ferret/bus/testing";
import { MODEL_DIR_CONTENTS, MODEL_DIR_MEDIA_TYPE } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { ModelPublished, TrainingProgress } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_DOUBLE_DIR, PYTHON } from "../test-support/engine-double.js";
import { smallScifact, tempDir } from "../test-support/scifact.js";
import { MODEL_PUBLISHED_EVENT, PUBLISHED_BY_FILE, publishModel } from "./publish-model.js";
import { submitTrainingJob } from "./submit-training-job.js";
import { TRAINING_PROGRESS_EVENT, openTrainingJobs } from "./training-job.js";
import { startTrainingWorker, type TrainingWorker } from "./training-worker.js";

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const modelsBucket = `trainer-test-models-${runId}`;
const queueOptions = { maxDeliveries: 3, backoff: { initialMs: 50, maxMs: 100 }, ackWaitMs: 5000 };

describe("training jobs on NATS with the engine test double", () => {
  let bus: Bus;
  let corpus: string;
  let work: string;
  let subscription: Subscription;
  const progress: BusEvent<unknown>[] = [];
  const published: ModelPublished[] = [];
  let publishedSubscription: Subscription;
  let n = 0;

  beforeAll(async () => {
    bus = await createBus({
      kind: "nats",
      url: natsUrl,
      name: "trainer-worker-test",
      connectTimeoutMs: 5000,
      events: { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` },
    });
    corpus = (await smallScifact(12)).dir;
    work = await tempDir();
    subscription = await bus.events.subscribe(TRAINING_PROGRESS_EVENT, (e) => void progress.push(e));
    publishedSubscription = await bus.events.subscribe(
      MODEL_PUBLISHED_EVENT,
      (e) => void published.push(ModelPublished.fromJSON(e.data)),
    );
  });
  afterAll(async () => {
    await subscription?.stop();
    await publishedSubscription?.stop();
    await (await bus.objects(modelsBucket)).destroy();
    await bus?.close({ graceMs: 0 });
    const nc = await connect({ servers: natsUrl });
    try {
      await (await jetstreamManager(nc)).streams.delete(`FERRET_TEST_EVENTS_${runId}`);
    } finally {
      await nc.close();
    }
  });

  /** A worker on its own queue and bucket, and a submit function for them. */
  async function worker(env: Record<string, string> = {}) {
    const names = { queue: `trainer-test-${runId}-${++n}`, jobsBucket: `trainer-test-jobs-${runId}-${n}` };
    const w: TrainingWorker = await startTrainingWorker({
      bus,
      python: PYTHON,
      engineDir: ENGINE_DOUBLE_DIR,
      dataRoot: work,
      workDir: join(work, `jobs-${n}`),
      queueOptions,
      engineEnv: env,
      heartbeatMs: 1000,
      progressIntervalMs: 0,
      modelsDir: join(work, "models"),
      modelsBucket,
      ...names,
    });
    const jobs = await openTrainingJobs(bus, names.jobsBucket);
    const submit = (jobId: string, training: Record<string, unknown>) =>
      submitTrainingJob(
        bus,
        {
          specName: "job.yaml",
          spec: JSON.stringify({
            corpus,
            queries: { split: "small" },
            positives: { human: {} },
            negatives: { bm25: { window: [1, 10], count: 2 } },
            model: "base-model",
            training,
          }),
        },
        { jobId, dataRoot: work, queueOptions, ...names },
      );
    const final = async (jobId: string) => {
      let last;
      for await (const r of jobs.watch(jobId)) last = r;
      return last!;
    };
    const cleanup = async () => {
      await w.stop({ graceMs: 1000 });
      await (await bus.queue(names.queue)).destroy();
      await (await bus.kv(names.jobsBucket)).destroy();
    };
    return { jobs, submit, final, cleanup, names, workDir: join(work, `jobs-${n}`) };
  }

  it("assembles, trains, republishes the engine's progress and publishes the model", async () => {
    const w = await worker();
    await w.submit("ok", { hyperparameters: { batchSize: 2 }, checkpointEvery: 2 });
    const record = await w.final("ok");
    await w.cleanup();
    expect(record.state).toBe("succeeded");
    // 12 queries in batches of 2: 6 steps.
    expect(record.progress).toMatchObject({ done: 6, total: 6, unit: "steps" });
    expect(record.result).toMatchObject({ records: 12, stages: [{ stage: 1, steps: 6 }] });
    // Published under the models root by the job's id (no model name given), with one event.
    expect(record.result!.modelDir).toBe(join(work, "models", "ok"));
    const model = JSON.parse(await readFile(join(work, "models", "ok", "ferret.json"), "utf8"));
    expect(model).toEqual({ trainedFrom: join(work, "base-model"), steps: 6 });
    expect(JSON.parse(await readFile(join(work, "models", "ok", PUBLISHED_BY_FILE), "utf8"))).toEqual({
      jobId: "ok",
    });
    await eventually(10_000, "model.published for job ok", () =>
      published.some((p) => p.trainedBy?.jobId === "ok"),
    );
    // Uploaded to the models bucket first: the event names the bundle, which lists every file of the
    // exported model with its checksum.
    const store = await bus.objects(modelsBucket);
    const bundleInfo = await store.info("ok/ok/bundle.json");
    expect(bundleInfo).toBeDefined();
    const artifact = {
      bucket: modelsBucket,
      name: "ok/ok/bundle.json",
      sha256: bundleInfo!.sha256,
      size: bundleInfo!.size,
      mediaType: MODEL_DIR_MEDIA_TYPE,
    };
    expect(record.result!.artifact).toEqual(artifact);
    expect(published.filter((p) => p.trainedBy?.jobId === "ok")).toEqual([
      expect.objectContaining({ model: { name: "ok", version: "ok", artifact } }),
    ]);
    const bundle = JSON.parse(new TextDecoder().decode(await store.getBytes(artifact.name))) as {
      contents: string;
      files: { path: string; sha256: string }[];
    };
    expect(bundle.contents).toBe(MODEL_DIR_CONTENTS);
    const exported = join(w.workDir, "ok", "stage-1", "model");
    expect(bundle.files.map((f) => f.path)).toEqual((await readdir(exported)).sort());
    for (const f of bundle.files)
      expect(f.sha256).toBe(
        createHash("sha256")
          .update(await readFile(join(exported, f.path)))
          .digest("hex"),
      );
    // A redelivered job publishing again uploads nothing new: the complete bundle is reused as it is.
    const again = await publishModel({
      bus,
      bucket: modelsBucket,
      name: "ok",
      jobId: "ok",
      modelDir: exported,
    });
    expect(again.artifact).toEqual(artifact);
    expect((await store.info(artifact.name))!.modified).toEqual(bundleInfo!.modified);
    const steps = progress
      .map((e) => TrainingProgress.fromJSON(e.data))
      .filter((p) => p.job?.jobId === "ok" && p.phase === "train");
    expect(steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps[0]).toMatchObject({ totalSteps: 6, loss: 1, attempt: 1, job: { kind: "train" } });
  });

  it("fails a crashed attempt and resumes from the checkpoint on the next delivery, each step once", async () => {
    const w = await worker({ FERRET_ENGINE_DOUBLE_CRASH_AT: "5" });
    await w.submit("crash", { hyperparameters: { batchSize: 2 }, checkpointEvery: 2 });
    const record = await w.final("crash");
    await w.cleanup();
    expect(record.state).toBe("succeeded");
    const ran = (await readFile(join(w.workDir, "crash", "stage-1", "steps-run.txt"), "utf8"))
      .trim()
      .split("\n");
    // Steps 1-4 before the crash at 5 (checkpoint at 4); the second attempt runs 5 and 6.
    expect(ran).toEqual(["1", "2", "3", "4", "5", "6"]);
    const attempts = progress
      .map((e) => TrainingProgress.fromJSON(e.data))
      .filter((p) => p.job?.jobId === "crash")
      .map((p) => [p.attempt, p.step]);
    expect(attempts).toContainEqual([2, 5]);
    expect(attempts).toContainEqual([1, 4]);
    await eventually(10_000, "model.published for job crash", () =>
      published.some((p) => p.trainedBy?.jobId === "crash"),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(published.filter((p) => p.trainedBy?.jobId === "crash")).toHaveLength(1);
  });

  it("gives the engine the TAS-Balanced batch plan", async () => {
    const w = await worker();
    await submitTrainingJob(
      bus,
      {
        specName: "job.yaml",
        spec: JSON.stringify({
          corpus,
          queries: { split: "small" },
          positives: { human: {} },
          negatives: { bm25: { window: [1, 10], count: 2 } },
          batching: { kind: "tas-balanced", encoder: FIXTURE_MODELS.biEncoder, clusters: 2, batchSize: 4 },
          model: "base-model",
          training: { hyperparameters: { batchSize: 4 } },
        }),
      },
      { jobId: "tas", dataRoot: work, queueOptions, queue: w.names.queue, jobsBucket: w.names.jobsBucket },
    );
    const record = await w.final("tas");
    await w.cleanup();
    expect(record.state).toBe("succeeded");
    const job = JSON.parse(await readFile(join(w.workDir, "tas", "engine-job.stage-1.json"), "utf8"));
    expect(job).toMatchObject({
      batchPlan: join(w.workDir, "tas", "training-set", "batches.jsonl"),
      batchPlanStage: 1,
      hyperparameters: { batchSize: 4 },
    });
    const plan = (await readFile(job.batchPlan, "utf8")).trim().split("\n");
    expect(plan.length).toBe(record.result!.batches);
  });

  it("fails the job at once on the engine's typed error, naming the field", async () => {
    const w = await worker();
    await w.submit("bad", { bogus: true });
    const record = await w.final("bad");
    await w.cleanup();
    expect(record.state).toBe("failed");
    expect(record.error?.code).toBe("INVALID_ARGUMENT");
    expect(record.error?.message).toContain('field "bogus"');
    expect(record.error?.deliveries).toBe(1);
  });

  it("fails a job with an empty training set or a label file with unknown ids at once, and publishes nothing", async () => {
    const w = await worker();
    const label = (queryId: string, docId: string, grade: number) =>
      JSON.stringify({ kind: "relevance", queryId, docId, status: "ok", steps: [], grade });
    const rows = (await readFile(join(corpus, "qrels", "small.tsv"), "utf8")).trim().split("\n").slice(1);
    const [q0, d0] = rows[0]!.split("\t");
    // grade 1 is below the default minimum grade 2 of LLM labels: no query keeps a positive
    await writeFile(join(work, "weak.jsonl"), label(q0!, d0!, 1) + "\n");
    await writeFile(
      join(work, "unknown.jsonl"),
      [label(q0!, d0!, 3), label(q0!, "no-such-doc", 3)].join("\n") + "\n",
    );
    for (const [jobId, labels] of [
      ["empty", "weak.jsonl"],
      ["unknown-ids", "unknown.jsonl"],
    ] as const) {
      await submitTrainingJob(
        bus,
        {
          specName: `${jobId}.yaml`,
          spec: JSON.stringify({
            corpus,
            queries: { split: "small" },
            positives: { llm: { labels, mode: "graded" } },
            negatives: { random: { count: 1 } },
            model: "base-model",
          }),
        },
        { jobId, dataRoot: work, queueOptions, ...w.names },
      );
    }
    const empty = await w.final("empty");
    const unknown = await w.final("unknown-ids");
    await w.cleanup();
    expect(empty).toMatchObject({ state: "failed", error: { code: "INVALID_ARGUMENT", deliveries: 1 } });
    expect(empty.error!.message).toContain("no training query has a positive");
    expect(unknown).toMatchObject({ state: "failed", error: { code: "INVALID_INPUT", deliveries: 1 } });
    expect(unknown.error!.message).toContain(`${join(work, "unknown.jsonl")}:2 (field "docId")`);
    expect(published.filter((p) => ["empty", "unknown-ids"].includes(p.trainedBy?.jobId ?? ""))).toEqual([]);
    const store = await bus.objects(modelsBucket);
    expect(
      (await store.list()).filter((o) => o.name.startsWith("empty/") || o.name.startsWith("unknown-ids/")),
    ).toEqual([]);
    const models = existsSync(join(work, "models")) ? await readdir(join(work, "models")) : [];
    expect(models.filter((d) => d.includes("empty") || d.includes("unknown"))).toEqual([]);
  });

  it("stops the engine of a cancelled job", async () => {
    const w = await worker({ FERRET_ENGINE_DOUBLE_STEP_MS: "200" });
    await w.submit("cancel", { hyperparameters: { batchSize: 2, maxSteps: 1000 } });
    for await (const r of w.jobs.watch("cancel")) if (r.progress.done >= 2) break;
    await w.jobs.cancel("cancel", "test");
    const record = await w.final("cancel");
    await new Promise((r) => setTimeout(r, 1500));
    await w.cleanup();
    expect(record.state).toBe("cancelled");
    const ran = (await readFile(join(w.workDir, "cancel", "stage-1", "steps-run.txt"), "utf8"))
      .trim()
      .split("\n");
    expect(ran.length).toBeLessThan(50);
  });

  it("refuses a spec without a model before queueing anything", async () => {
    await expect(
      submitTrainingJob(
        bus,
        {
          specName: "job.yaml",
          spec: JSON.stringify({
            corpus,
            queries: { split: "small" },
            positives: { human: {} },
            negatives: { random: { count: 1 } },
          }),
        },
        {
          jobId: "no-model",
          dataRoot: work,
          queue: `trainer-test-${runId}-x`,
          jobsBucket: `trainer-test-jobs-${runId}-x`,
        },
      ),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", field: "model" });
  });
});
