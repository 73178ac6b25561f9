/**
 * An annotation job whose LLM endpoint is down for good (a real free port nobody listens on: every
 * connection is refused), on both bus adapters (in-process, and NATS JetStream at $NATS_URL, default
 * nats://127.0.0.1:4222, which must be reachable): its batches are given up by the bus and the job ends
 * FAILED with the refused connection as its message, and WatchJob closes after that status. The NATS
 * run's queue and buckets carry a run id and are deleted afterwards.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus, type Consumer } from "@ferret/bus";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import { AnnotatorService, JobState, type AnnotationJobStatus } from "@ferret/proto";
import { freePort } from "@ferret/service/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import {
  destroyAnnotationStore,
  openAnnotationStore,
  type AnnotationStore,
} from "../jobs/annotation-store.js";
import { startAnnotationWorker } from "../jobs/annotation-worker.js";
import { OpenAiBackend } from "../llm/openai-backend.js";
import { annotatorService } from "./annotator-service.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const adapters = [
  { name: "in-process bus", create: (dir: string) => createBus({ kind: "memory", dir }) },
  {
    name: `NATS JetStream (${url})`,
    create: () => createBus({ kind: "nats", url, name: "annotator-llm-down-test" }),
  },
];

describe.each(adapters)("an annotation job whose LLM endpoint is down ($name)", (adapter) => {
  let dir: string;
  let bus: Bus;
  let store: AnnotationStore;
  let server: GrpcServer;
  let worker: Consumer;
  let client: ServiceClient<typeof AnnotatorService>;
  let llmUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "annotator-llm-down-"));
    bus = await adapter.create(dir);
    // 2 deliveries of 2 tries each keep the test short; the job's failure does not depend on them
    store = await openAnnotationStore(bus, { prefix: `llmdown-${runId}`, maxDeliveries: 2 });
    llmUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const annotator = new Annotator({
      backend: new OpenAiBackend({ baseUrl: llmUrl, model: "nobody" }),
      cache: store.cache,
      retry: { maxAttempts: 2, initialMs: 5, maxMs: 10 },
    });
    server = await startGrpcServer({ services: [annotatorService({ store, annotator })], host: "127.0.0.1" });
    worker = startAnnotationWorker(store, annotator, { itemConcurrency: 2 });
    client = createClient(AnnotatorService, `127.0.0.1:${server.port}`, { deadlineMs: 30_000 });
  });

  afterAll(async () => {
    client?.close();
    await worker?.stop({ graceMs: 1_000 });
    await server?.shutdown();
    if (store !== undefined) await destroyAnnotationStore(store);
    await bus?.close({ graceMs: 0 });
    await rm(dir, { recursive: true, force: true });
  });

  it("ends FAILED naming the refused connection, and WatchJob closes", async () => {
    const jobId = `llm-down-${runId}`;
    const pairs = Array.from({ length: 6 }, (_, i) => ({
      query: { id: `q${i % 2}`, text: "what?", metadata: {} },
      passage: { id: `d${i}`, title: "", text: `passage ${i}`, metadata: {} },
    }));
    await client.submitJob({
      jobId,
      work: { $case: "relevance", value: { pairs, pools: undefined } },
      batchSize: 3,
      pricing: undefined,
    });
    const updates: AnnotationJobStatus[] = [];
    for await (const u of client.watchJob({ jobId, kind: "" })) updates.push(u);
    const last = updates.at(-1)!.status!;
    expect(last.state).toBe(JobState.JOB_STATE_FAILED);
    expect(last.errorCode).toBe("UNAVAILABLE");
    expect(last.errorMessage).toMatch(
      new RegExp(`^LLM call to ${llmUrl}/chat/completions failed: fetch failed \\(connect ECONNREFUSED `),
    );
    expect(updates.slice(0, -1).every((u) => u.status?.state !== JobState.JOB_STATE_FAILED)).toBe(true);
    // the record says which delivery gave up: the bus's last
    const record = await store.jobs.require(jobId);
    expect(record.error?.deliveries).toBe(2);
    expect(record.progress.done).toBe(0);
  }, 30_000);
});
