/**
 * An IndexCorpus job whose shard worker's model file is missing (the replica's model directory lacks its
 * model.onnx: a real file-system failure, no test double), on both bus adapters (in-process, and NATS
 * JetStream at $NATS_URL, default nats://127.0.0.1:4222, which must be reachable; every name carries a run
 * id and is deleted afterwards). The coordinating replica has the whole model; the only shard worker
 * cannot load it, so the bus gives its shards up at once (a permanent error). The job ends failed with
 * the error naming the missing file, and the IndexCorpus stream ends with a FAILED update carrying it.
 */
import { cpSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus } from "@ferret/bus";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { EncoderService, IndexKind, JobState, type IndexCorpusUpdate } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BiEncoderCache } from "../model-registry.js";
import { ModelServer } from "../serving/model-server.js";
import { openIndexJobStores } from "../sharding/index-job-stores.js";
import { DEFAULT_SHARD_JOB_NAMES, type ShardJobNames } from "../sharding/shard-job.js";
import { startShardWorker, type ShardWorker } from "../sharding/shard-worker.js";
import { referenceCorpus } from "../test-support/fixtures.js";
import { NATS_URL, destroyNatsTestState, natsTestState } from "../test-support/nats-test-state.js";
import { createEncoderService } from "./encoder-service.js";

const nats = natsTestState();
const adapters: { name: string; names: ShardJobNames; create: (dir: string) => Promise<Bus> }[] = [
  {
    name: "in-process bus",
    names: DEFAULT_SHARD_JOB_NAMES,
    create: (dir) => createBus({ kind: "memory", dir }),
  },
  {
    name: `NATS JetStream (${NATS_URL})`,
    names: nats.names,
    create: () =>
      createBus({ kind: "nats", url: NATS_URL, name: "encoder-model-missing-test", events: nats.events }),
  },
];

describe.each(adapters)("an IndexCorpus job whose worker's model file is missing ($name)", (adapter) => {
  let dir: string;
  let bus: Bus;
  let server: ModelServer;
  let models: BiEncoderCache;
  let workerModels: BiEncoderCache;
  let worker: ShardWorker;
  let grpc: GrpcServer;
  let client: ServiceClient<typeof EncoderService>;
  let brokenModel: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferret-encoder-model-missing-"));
    bus = await adapter.create(join(dir, "artifacts"));
    const load = { intraOpNumThreads: 1 };
    cpSync(FIXTURE_MODELS.biEncoder, join(dir, "models", "tiny"), { recursive: true });
    brokenModel = join(dir, "worker-models", "tiny");
    cpSync(FIXTURE_MODELS.biEncoder, brokenModel, { recursive: true });
    rmSync(join(brokenModel, "model.onnx"));
    server = new ModelServer({ modelsRoot: join(dir, "models"), indexesRoot: join(dir, "indexes"), load });
    models = new BiEncoderCache(join(dir, "models"), load);
    workerModels = new BiEncoderCache(join(dir, "worker-models"), load);
    const queueOptions = { ackWaitMs: 5_000 };
    worker = await startShardWorker({
      bus,
      encoders: (m) => workerModels.get(m.model, m.variant),
      names: adapter.names,
      queueOptions,
    });
    grpc = await startGrpcServer({
      services: [createEncoderService({ server, models, bus, shardNames: adapter.names, queueOptions })],
      host: "127.0.0.1",
      port: 0,
    });
    client = createClient(EncoderService, `127.0.0.1:${grpc.port}`, { deadlineMs: 60_000 });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await grpc?.shutdown();
    await worker?.stop({ graceMs: 0 });
    await server?.close();
    await models?.close();
    await workerModels?.close();
    if (bus?.kind === "nats") await destroyNatsTestState(bus, nats);
    else await bus?.close({ graceMs: 0 });
    await rm(dir, { recursive: true, force: true });
  });

  it("ends FAILED naming the missing file, and the IndexCorpus stream closes", async () => {
    const jobId = `model-missing-${nats.runId}`;
    const updates: IndexCorpusUpdate[] = [];
    for await (const u of client.indexCorpus({
      index: "docs",
      beirDir: "",
      documents: referenceCorpus().map((d) => ({ ...d, metadata: {} })),
      shardSize: 7,
      kind: IndexKind.INDEX_KIND_EXACT,
      jobId,
      model: { name: "tiny", version: "", artifact: undefined },
      quantized: false,
      corpus: undefined,
    })) {
      updates.push(u);
    }
    const last = updates.at(-1)!.status!;
    expect(last.state).toBe(JobState.JOB_STATE_FAILED);
    expect(last.errorCode).toBe("INVALID_INPUT");
    expect(last.errorMessage).toBe(
      `${brokenModel}/ferret.json (field "model"): names model.onnx, which is not in ${brokenModel}`,
    );
    expect(updates.slice(0, -1).every((u) => u.status?.state !== JobState.JOB_STATE_FAILED)).toBe(true);
    // the job record says so too: given up on the first delivery, nothing indexed
    const { jobs } = await openIndexJobStores(bus, adapter.names);
    expect(await jobs.require(jobId)).toMatchObject({
      state: "failed",
      error: { code: "INVALID_INPUT", message: last.errorMessage, deliveries: 1 },
      progress: { done: 0, total: 3 },
    });
    expect(worker.stats()).toMatchObject({ recorded: 0, failed: 1 });
  }, 60_000);
});
