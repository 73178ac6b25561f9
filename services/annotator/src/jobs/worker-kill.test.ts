import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { eventually } from "@ferret/bus/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import { CallLimiter } from "../llm/limiter.js";
import { OpenAiBackend } from "../llm/openai-backend.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import { expectPublishedLabels } from "../test-support/published-labels.js";
import { expectedGrade, relevanceItems, relevanceResponder } from "../test-support/relevance-fixture.js";
import { startAnnotationWorker } from "./annotation-worker.js";
import { destroyAnnotationStore, openAnnotationStore, type AnnotationStore } from "./annotation-store.js";
import { collectLabels, jobProgress } from "./annotation-progress.js";
import { submitJob } from "./submit-job.js";

const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const prefix = `annkill-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const workerScript = fileURLToPath(new URL("../test-support/worker-process.mjs", import.meta.url));
const builtPackage = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const items = relevanceItems(30);

let bus: Bus;
let store: AnnotationStore;
let server: FaultInjectionServer;

beforeAll(async () => {
  bus = await createBus({ kind: "nats", url, name: "annotator-kill-test" });
  store = await openAnnotationStore(bus, { prefix, ackWaitMs: 2000 });
  // Slow replies so the worker is surely mid-job when it dies.
  server = await startFaultInjectionServer(relevanceResponder({ delayMs: 60 }));
});
afterAll(async () => {
  await server?.close();
  if (store) await destroyAnnotationStore(store);
  await bus?.close();
});

describe("a worker killed mid-job (NATS)", () => {
  it("loses no label and duplicates none; a rerun makes 0 LLM calls", { timeout: 60_000 }, async () => {
    if (!existsSync(builtPackage)) {
      throw new Error(
        "the worker process imports the built package; run: npx turbo run build --filter=@ferret/annotator",
      );
    }
    await submitJob(store, { jobId: "killed", kind: "relevance", items, batchSize: 10 });
    const child: ChildProcess = fork(workerScript, [], {
      env: { ...process.env, NATS_URL: url, PREFIX: prefix, LLM_URL: server.baseUrl },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const exited = once(child, "exit");
    // Killed once its first batch (10 items) is stored and 3 items of the next one are answered and
    // cached but that batch is not stored yet: mid-batch, mid-job.
    let batchesStored = 0;
    let answersAfter = 0;
    let answersCached = 0;
    const midBatch = new Promise<void>((resolve, reject) => {
      child.on("message", (m: { type: string }) => {
        if (m.type === "batch") batchesStored++;
        if (m.type !== "answer") return;
        answersCached++;
        if (batchesStored === 1 && ++answersAfter === 3) resolve();
      });
      void exited.then(([code, signal]) => reject(new Error(`worker exited early (${code}, ${signal})`)));
    });
    await midBatch;
    child.kill("SIGKILL");
    await exited;
    const atKill = await jobProgress(store, "killed");
    expect(atKill.itemsDone).toBe(10);
    expect(atKill.batchesDone).toBe(1);
    const askedByDeadWorker = server.requests.length;

    const annotator = new Annotator({
      backend: new OpenAiBackend({ baseUrl: server.baseUrl, model: "fault-model" }),
      cache: store.cache,
      limiter: new CallLimiter({ concurrency: 4 }),
    });
    const worker = startAnnotationWorker(store, annotator, { itemConcurrency: 4 });
    await eventually(
      40_000,
      "the job to finish",
      async () => (await store.jobs.require("killed")).state === "succeeded",
    );
    await worker.stop();

    const labels = await collectLabels(store, "killed");
    expect(labels).toHaveLength(items.length);
    expect(new Set(labels.map((l) => `${l.queryId}/${l.docId}`)).size).toBe(items.length);
    for (const l of labels) expect(l).toMatchObject({ status: "ok", grade: expectedGrade(l.docId) });
    // Items whose answer the killed worker had cached were served from the cache: only the calls in
    // flight or not yet written to the cache at the kill are asked again, none more than twice.
    expect(answersCached).toBeGreaterThanOrEqual(13);
    expect(server.requests.length).toBeLessThanOrEqual(askedByDeadWorker + items.length - answersCached);
    const progress = await jobProgress(store, "killed");
    expect(progress).toMatchObject({ itemsDone: 30, labelsOk: 30, labelsFailed: 0, batchesDone: 3 });
    const asked = new Map<string, number>();
    for (const r of server.requests) {
      const id = /passage (\d+) GRADE/.exec(r.body.messages.map((m) => m.content).join("\n"))?.[1] ?? "?";
      asked.set(id, (asked.get(id) ?? 0) + 1);
    }
    expect(Math.max(...asked.values())).toBeLessThanOrEqual(2);
    // the survivor published the labels dataset once the last batch was done
    await expectPublishedLabels(store, "killed");

    const before = server.requests.length;
    await submitJob(store, { jobId: "killed-rerun", kind: "relevance", items, batchSize: 10 });
    const again = startAnnotationWorker(store, annotator, { itemConcurrency: 4 });
    await eventually(
      20_000,
      "the rerun",
      async () => (await store.jobs.require("killed-rerun")).state === "succeeded",
    );
    await again.stop();
    expect(server.requests.length).toBe(before);
    expect(await collectLabels(store, "killed-rerun")).toHaveLength(items.length);
  });
});
