/**
 * Train → publish → hot-load → evaluate, end to end on the real nats-server at $NATS_URL (it must be
 * reachable: the suite fails, never skips, without it). A running encoder PROCESS (the built
 * services/encoder/dist/main.js, following `model.published`) serves the tiny fixture bi-encoder over an
 * index of a SciFact subset. The training job worker (real PyTorch engine) trains the tiny BERT on SciFact
 * train queries and publishes it only to the artifact store (the bus's object store on JetStream: no
 * shared models directory), then fires `model.published`. The encoder fetches the model into its own
 * models root (checksum-verified), builds the served index again with it and swaps: its search results
 * change and name the new model. The Evaluator scores the new model's run over gRPC, and its nDCG@10 agrees
 * with pytrec_eval (the trec_eval reference, in the repo's .venv) on the same run and qrels.
 * Every queue, bucket and event stream carries this run's id and is deleted afterwards.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBus, DIRECTORY_MARKER_FILE, type Bus } from "@ferret/bus";
import { readBeirCorpus } from "@ferret/datasets";
import type { RunningEvaluator } from "@ferret/evaluator";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { EncoderService, EvaluatorService, JobState, ModelPublished, type Run } from "@ferret/proto";
import { spawnServiceProcess, type ServiceProcess } from "@ferret/service/testing";
import {
  MODEL_PUBLISHED_EVENT,
  openTrainingJobs,
  startTrainingWorker,
  submitTrainingJob,
  type TrainingWorker,
} from "@ferret/trainer";
import { REAL_ENGINE_DIR, makeTrainableModel, requireVenv } from "@ferret/trainer/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, unreachable } from "../infra/services.js";
import {
  SCIFACT_DIR,
  indexBeirDir,
  ndcgAt10,
  startTestEvaluator,
  scifactTestSplit,
  searchTest,
  type TestSplit,
} from "./scifact-serving.js";

const ENCODER_MAIN = fileURLToPath(new URL("../../services/encoder/dist/main.js", import.meta.url));
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const names = {
  trainerQueue: `trainer-e2e-${runId}`,
  trainerJobs: `trainer-e2e-jobs-${runId}`,
  models: `trainer-e2e-models-${runId}`,
  shardQueue: `encoder-e2e-shards-${runId}`,
  shardRecords: `encoder-e2e-shards-${runId}`,
  shardJobs: `encoder-e2e-jobs-${runId}`,
  indexes: `encoder-e2e-indexes-${runId}`,
  eventsStream: `FERRET_TEST_EVENTS_${runId}`,
  eventsPrefix: `ferret.test.${runId}`,
};
/** Test queries whose relevant documents are in the indexed subset, and the subset's other documents. */
const QUERIES = 40;
const DISTRACTORS = 400;

let dir: string;
let bus: Bus;
let worker: TrainingWorker;
let encoder: ServiceProcess<{ grpcPort: number }>;
let evaluator: RunningEvaluator;
let encoderClient: ServiceClient<typeof EncoderService>;
let evaluatorClient: ServiceClient<typeof EvaluatorService>;
let split: TestSplit;
const published: ModelPublished[] = [];

/** A BEIR dir of SciFact: the relevant documents of the first QUERIES test queries plus DISTRACTORS others. */
async function scifactSubset(root: string): Promise<TestSplit> {
  const full = await scifactTestSplit();
  const queries = full.queries.slice(0, QUERIES);
  const ids = new Set(queries.map((q) => q.id));
  const qrels = full.qrelsTrec.split("\n").filter((l) => ids.has(l.split(" ")[0]!));
  const relevant = new Set(qrels.map((l) => l.split(" ")[2]!));
  const lines: string[] = [];
  let others = 0;
  for await (const d of readBeirCorpus(join(SCIFACT_DIR, "corpus.jsonl"))) {
    if (relevant.has(d.id) || others++ < DISTRACTORS)
      lines.push(JSON.stringify({ _id: d.id, title: d.title, text: d.text }));
  }
  await mkdir(join(root, "subset"), { recursive: true });
  await writeFile(join(root, "subset", "corpus.jsonl"), lines.join("\n") + "\n");
  return { queries, qrelsTrec: qrels.join("\n") + "\n" };
}

beforeAll(async () => {
  if (!existsSync(ENCODER_MAIN))
    throw new Error("build first: npx turbo run build --filter=@ferret/encoder...");
  const python = requireVenv();
  dir = await mkdtemp(join(tmpdir(), "ferret-trainer-e2e-"));
  try {
    bus = await createBus({
      kind: "nats",
      url: NATS_URL,
      name: "trainer-e2e-test",
      connectTimeoutMs: 5000,
      events: { stream: names.eventsStream, prefix: names.eventsPrefix },
    });
  } catch (err) {
    throw unreachable("nats-server", NATS_URL, err);
  }
  await bus.events.subscribe(
    MODEL_PUBLISHED_EVENT,
    (e) => void published.push(ModelPublished.fromJSON(e.data)),
  );
  makeTrainableModel(dir);
  split = await scifactSubset(join(dir, "corpora"));
  const models = join(dir, "encoder-models");
  await mkdir(models);
  cpSync(FIXTURE_MODELS.biEncoder, join(models, "base"), { recursive: true });
  worker = await startTrainingWorker({
    bus,
    python,
    engineDir: REAL_ENGINE_DIR,
    dataRoot: dir,
    workDir: join(dir, "jobs"),
    queue: names.trainerQueue,
    jobsBucket: names.trainerJobs,
    modelsBucket: names.models,
    heartbeatMs: 5000,
  });
  encoder = await spawnServiceProcess(ENCODER_MAIN, {
    name: "encoder",
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FERRET_ENCODER_"))),
      FERRET_LOG_LEVEL: "info",
      FERRET_ENCODER_GRPC__HOST: "127.0.0.1",
      FERRET_ENCODER_GRPC__PORT: "0",
      FERRET_ENCODER_METRICS__ENABLED: "false",
      FERRET_ENCODER_NATS__URL: NATS_URL,
      FERRET_ENCODER_NATS__EVENTS_STREAM: names.eventsStream,
      FERRET_ENCODER_NATS__EVENTS_PREFIX: names.eventsPrefix,
      FERRET_ENCODER_MODELS__DIR: models,
      FERRET_ENCODER_MODELS__SERVE: "base",
      FERRET_ENCODER_MODELS__THREADS: "1",
      FERRET_ENCODER_MODELS__FOLLOW_PUBLISHED: "true",
      FERRET_ENCODER_INDEXES__DIR: join(dir, "indexes"),
      FERRET_ENCODER_INDEXES__CACHE_DIR: join(dir, "index-cache"),
      FERRET_ENCODER_CORPORA__DIR: join(dir, "corpora"),
      FERRET_ENCODER_SHARDS__QUEUE: names.shardQueue,
      FERRET_ENCODER_SHARDS__RECORDS_BUCKET: names.shardRecords,
      FERRET_ENCODER_SHARDS__OBJECTS_BUCKET: names.shardRecords,
      FERRET_ENCODER_SHARDS__JOBS_BUCKET: names.shardJobs,
      FERRET_ENCODER_SHARDS__INDEXES_BUCKET: names.indexes,
    },
  });
  evaluator = await startTestEvaluator(join(dir, "evaluator-artifacts"));
  encoderClient = createClient(EncoderService, `127.0.0.1:${encoder.started.grpcPort}`, {
    deadlineMs: 300_000,
  });
  evaluatorClient = createClient(EvaluatorService, `127.0.0.1:${evaluator.grpc.port}`, {
    deadlineMs: 60_000,
  });
}, 120_000);

afterAll(async () => {
  encoderClient?.close();
  evaluatorClient?.close();
  const exit = await encoder?.stop();
  await evaluator?.stop();
  await worker?.stop({ graceMs: 1000 });
  if (bus !== undefined) {
    await (await bus.queue(names.trainerQueue)).destroy();
    await (await bus.kv(names.trainerJobs)).destroy();
    await (await bus.objects(names.models)).destroy();
    await (await bus.queue(names.shardQueue)).destroy();
    await (await bus.kv(names.shardRecords)).destroy();
    await (await bus.objects(names.shardRecords)).destroy();
    await (await bus.kv(names.shardJobs)).destroy();
    await (await bus.objects(names.indexes)).destroy();
    await bus.close({ graceMs: 0 });
    const nc = await connect({ servers: NATS_URL });
    try {
      await (await jetstreamManager(nc)).streams.delete(names.eventsStream);
    } finally {
      await nc.close();
    }
  }
  await rm(dir, { recursive: true, force: true });
  if (encoder !== undefined && exit !== 0)
    throw new Error(`the encoder process exited ${exit} on SIGTERM:\n${encoder.log()}`);
});

/** pytrec_eval's mean ndcg_cut_10 of `run` (trec_eval -c: every qrels query, a missing one counts 0). */
function pytrecNdcg10(run: Run, qrelsTrec: string): number {
  const script = `
import json, sys, pytrec_eval
data = json.load(sys.stdin)
qrels = {}
for line in data["qrels"].strip().split("\\n"):
    q, _, d, r = line.split()
    qrels.setdefault(q, {})[d] = int(r)
run = {q: {d: float(s) for d, s in docs.items()} for q, docs in data["run"].items()}
per = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10"}).evaluate(run)
print(sum(per.get(q, {"ndcg_cut_10": 0.0})["ndcg_cut_10"] for q in qrels) / len(qrels))
`;
  const runJson = Object.fromEntries(
    run.rankings.map((r) => [r.queryId, Object.fromEntries(r.docs.map((d) => [d.docId, d.score]))]),
  );
  const out = execFileSync(requireVenv(), ["-c", script], {
    input: JSON.stringify({ run: runJson, qrels: qrelsTrec }),
    encoding: "utf8",
  });
  return Number(out.trim());
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; encoder log:\n${encoder.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("train, publish to the artifact store, hot-load in a running encoder, evaluate", () => {
  it("the encoder fetches the published model, re-indexes, swaps, and its results change", async () => {
    const last = await indexBeirDir(encoderClient, "subset", "subset");
    expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const before = await searchTest(encoderClient, "subset", split);
    expect(before.model).toBe("base");

    await submitTrainingJob(
      bus,
      {
        specName: "e2e.yaml",
        modelName: "scifact-tiny",
        spec: JSON.stringify({
          corpus: SCIFACT_DIR,
          queries: { split: "train" },
          positives: { human: {} },
          negatives: { bm25: { window: [4, 30], count: 1 } },
          model: "tiny-bert-trainable",
          training: {
            hyperparameters: { batchSize: 16, maxSteps: 20, learningRate: 5e-3 },
            checkpointEvery: 1000,
            threads: 1,
            quantize: false,
          },
        }),
      },
      { jobId: `e2e-${runId}`, dataRoot: dir, queue: names.trainerQueue, jobsBucket: names.trainerJobs },
    );
    const jobs = await openTrainingJobs(bus, names.trainerJobs);
    let record;
    for await (const r of jobs.watch(`e2e-${runId}`)) record = r;
    expect(record!.error).toBeUndefined();
    expect(record!.state).toBe("succeeded");
    // Published to the object store only, and the event names that bundle.
    const artifact = record!.result!.artifact!;
    expect(artifact).toMatchObject({ bucket: names.models, name: `scifact-tiny/e2e-${runId}/bundle.json` });
    const info = await (await bus.objects(names.models)).info(artifact.name);
    expect(info?.sha256).toBe(artifact.sha256);
    await until("model.published", () => Promise.resolve(published.length > 0));
    expect(published.map((p) => p.model)).toEqual([
      expect.objectContaining({ name: "scifact-tiny", version: `e2e-${runId}`, artifact }),
    ]);

    await until("the encoder to serve the published model", async () => {
      return (await encoderClient.listModels({})).serving === "scifact-tiny";
    });
    const listed = await encoderClient.listModels({});
    expect(listed.indexes.map((i) => i.name)).toEqual(["subset"]);
    // The files the encoder fetched are the trained model's, byte for byte.
    const fetched = join(dir, "encoder-models", "scifact-tiny");
    const trained = record!.result!.modelDir;
    expect((await readdir(fetched)).filter((f) => f !== DIRECTORY_MARKER_FILE).sort()).toEqual(
      (await readdir(trained)).sort(),
    );
    expect(await readFile(join(fetched, "model.onnx"))).toEqual(await readFile(join(trained, "model.onnx")));
    expect(encoder.log()).toContain('"downloaded":true');

    const after = await searchTest(encoderClient, "subset", split);
    expect(after.model).toBe("scifact-tiny");
    const top = (run: Run) => run.rankings.map((r) => r.docs.map((d) => d.docId).join(","));
    expect(top(after.run)).not.toEqual(top(before.run));

    const evaluation = await ndcgAt10(evaluatorClient, after.run, split);
    expect(evaluation.queries).toBe(QUERIES);
    expect(evaluation.mean).toBeCloseTo(pytrecNdcg10(after.run, split.qrelsTrec), 6);
  }, 900_000);
});
