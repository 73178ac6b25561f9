/**
 * One LLM call longer than the queue's ack wait (a local model on a busy CPU, `ferret annotate --gguf`):
 * while the worker lives its batch stays with it (consumeJobs' heartbeat), so the batch is delivered once
 * and each item asked once. The slow LLM is the fault-injection server: a real one cannot be made to take
 * a set time.
 */
import { createBus, type Bus } from "@ferret/bus";
import { eventually, sleep } from "@ferret/bus/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import { CallLimiter } from "../llm/limiter.js";
import { OpenAiBackend } from "../llm/openai-backend.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import { expectedGrade, relevanceItems, relevanceResponder } from "../test-support/relevance-fixture.js";
import { startAnnotationWorker, type BatchOutcome } from "./annotation-worker.js";
import { destroyAnnotationStore, openAnnotationStore, type AnnotationStore } from "./annotation-store.js";
import { collectLabels, jobProgress } from "./annotation-progress.js";
import { submitJob } from "./submit-job.js";

const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const prefix = `annlong-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const ACK_WAIT_MS = 1000;
const CALL_MS = 2500;

let bus: Bus;
let store: AnnotationStore;
let server: FaultInjectionServer;

beforeAll(async () => {
  bus = await createBus({ kind: "nats", url, name: "annotator-long-call-test" });
  store = await openAnnotationStore(bus, { prefix, ackWaitMs: ACK_WAIT_MS });
  server = await startFaultInjectionServer(relevanceResponder({ delayMs: CALL_MS }));
});
afterAll(async () => {
  await server?.close();
  if (store) await destroyAnnotationStore(store);
  await bus?.close();
});

describe("an LLM call longer than the ack wait (NATS)", () => {
  it("keeps the batch on its worker: one delivery, each item asked once", { timeout: 60_000 }, async () => {
    const items = relevanceItems(2);
    await submitJob(store, { jobId: "slow", kind: "relevance", items, batchSize: 2 });
    const outcomes: BatchOutcome[] = [];
    const annotator = new Annotator({
      backend: new OpenAiBackend({ baseUrl: server.baseUrl, model: "fault-model", timeoutMs: 30_000 }),
      cache: store.cache,
      limiter: new CallLimiter({ concurrency: 1 }),
      retry: { maxAttempts: 1 },
    });
    // Two batch slots: a redelivery while the first still works would reach the second.
    const worker = startAnnotationWorker(store, annotator, {
      itemConcurrency: 1,
      batchConcurrency: 2,
      metrics: { batchFinished: (o) => void outcomes.push(o), itemLabelled: () => undefined },
    });
    try {
      await eventually(
        40_000,
        "the job to succeed",
        async () => (await store.jobs.require("slow")).state === "succeeded",
      );
      // Another ack wait: a redelivery would show up meanwhile.
      await sleep(ACK_WAIT_MS * 1.5);
    } finally {
      await worker.stop();
    }
    expect(outcomes).toEqual(["labelled"]);
    expect(server.requests).toHaveLength(items.length);
    const labels = await collectLabels(store, "slow");
    expect(labels).toHaveLength(items.length);
    for (const l of labels) expect(l).toMatchObject({ status: "ok", grade: expectedGrade(l.docId) });
    expect(await jobProgress(store, "slow")).toMatchObject({ itemsDone: 2, labelsOk: 2, batchesDone: 1 });
  });
});
