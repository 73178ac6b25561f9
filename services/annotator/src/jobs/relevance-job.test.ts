import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus, type BusEvent, type Subscription } from "@ferret/bus";
import { AnnotationCompleted } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import { writeLabelsDir } from "../label-output.js";
import { CallLimiter } from "../llm/limiter.js";
import { OpenAiBackend } from "../llm/openai-backend.js";
import { relevanceTask } from "../tasks/relevance.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import {
  expectedGrade,
  relevanceItems,
  relevanceResponder,
  type ItemFault,
} from "../test-support/relevance-fixture.js";
import { statusOf } from "../service/proto-convert.js";
import { expectPublishedLabels } from "../test-support/published-labels.js";
import { startAnnotationWorker } from "./annotation-worker.js";
import { openAnnotationStore, type AnnotationStore } from "./annotation-store.js";
import { collectLabels, jobProgress } from "./annotation-progress.js";
import { publishJobLabels } from "./publish-labels.js";
import { submitJob } from "./submit-job.js";

const FAULTS: ItemFault[] = ["none", "429", "500", "hang", "truncated", "garbage", "invalid-once", "none"];
const items = relevanceItems(24, (i) => FAULTS[i % FAULTS.length]!);

let dir: string;
let bus: Bus;
let store: AnnotationStore;
let server: FaultInjectionServer;
let completions: Subscription;
const completed: BusEvent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "annotator-job-"));
  bus = await createBus({ kind: "memory", dir });
  store = await openAnnotationStore(bus, { prefix: "t1" });
  server = await startFaultInjectionServer(relevanceResponder());
  completions = await bus.events.subscribe("annotation.completed", (event) => void completed.push(event));
});
afterAll(async () => {
  await completions.stop();
  await server.close();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

function annotator(): Annotator {
  // 2 s, not less: only the "hang" fault may time out; a slower answer on a loaded machine must not be retried.
  const backend = new OpenAiBackend({ baseUrl: server.baseUrl, model: "fault-model", timeoutMs: 2_000 });
  return new Annotator({
    backend,
    cache: store.cache,
    limiter: new CallLimiter({ concurrency: 4 }),
    retry: { initialMs: 5, maxMs: 20 },
  });
}

async function runToEnd(jobId: string): Promise<void> {
  const worker = startAnnotationWorker(store, annotator(), { itemConcurrency: 4 });
  const t0 = Date.now();
  while ((await store.jobs.require(jobId)).state !== "succeeded") {
    if (Date.now() - t0 > 60_000) throw new Error(`job ${jobId} did not finish`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await worker.stop();
}

describe("a relevance job through the queue, against the fault-injection server", () => {
  it("labels every item correctly or marks it failed with the raw reply; never guesses", async () => {
    await submitJob(store, {
      jobId: "job-a",
      kind: "relevance",
      items,
      batchSize: 5,
      pricing: { promptPerMillion: 1, completionPerMillion: 2 },
    });
    await runToEnd("job-a");
    const labels = await collectLabels(store, "job-a");
    expect(labels).toHaveLength(items.length);
    expect(new Set(labels.map((l) => l.docId)).size).toBe(items.length);
    for (const label of labels) {
      const garbage = label.docId && FAULTS[Number(label.docId.slice(1)) % FAULTS.length] === "garbage";
      if (garbage) {
        expect(label).toMatchObject({ status: "failed" });
        expect(label.grade).toBeUndefined();
        expect(label.steps[0]!.raw).toBe("I think it is quite relevant!");
        expect(label.steps[0]!.asks).toBe(2);
      } else {
        expect(label).toMatchObject({ status: "ok", grade: expectedGrade(label.docId) });
      }
      expect(label.steps[0]).toMatchObject({
        promptVersion: relevanceTask.version,
        model: "fault-model",
        backend: "openai",
        cached: false,
      });
      expect(label.jobId).toBe("job-a");
    }
    const progress = await jobProgress(store, "job-a");
    expect(progress).toMatchObject({ itemsDone: 24, labelsOk: 21, labelsFailed: 3, batchesDone: 5 });
    // 24 items: 1 call each, +1 retry for 429/500/hang/truncated (3 items each = 12), +1 re-ask for
    // invalid-once (3) and garbage (3): 24 + 12 + 6 = 42 calls made, all recorded.
    expect(progress.llmCalls).toBe(42);
    expect(server.requests).toHaveLength(42);
    // the fault server reports 100 prompt + 10 completion tokens per answered call; 42 - 12 transport
    // failures = 30 answered calls
    expect(progress.promptTokens).toBe(3000);
    expect(progress.completionTokens).toBe(300);
    expect(progress.costUsd).toBeCloseTo((3000 * 1 + 300 * 2) / 1e6, 12);
  });

  it("a rerun of the finished job, and the same items in a new job, make 0 LLM calls", async () => {
    const before = server.requests.length;
    await submitJob(store, { jobId: "job-a", kind: "relevance", items, batchSize: 5 });
    expect((await store.jobs.require("job-a")).state).toBe("succeeded");
    await submitJob(store, { jobId: "job-b", kind: "relevance", items, batchSize: 6 });
    await runToEnd("job-b");
    expect(server.requests.length).toBe(before);
    const labels = await collectLabels(store, "job-b");
    expect(labels).toHaveLength(24);
    expect(labels.every((l) => l.steps.every((s) => s.cached && s.llmCalls === 0))).toBe(true);
    expect((await jobProgress(store, "job-b")).llmCalls).toBe(0);
  });

  it("publishes the finished job's labels dataset to the results bucket, as outputs and in the event", async () => {
    const labelsRef = await expectPublishedLabels(store, "job-a");
    const job = await store.jobs.require("job-a");
    expect(statusOf(await jobProgress(store, "job-a")).status?.outputs).toEqual(job.result?.outputs);
    const events = completed.filter((e) => AnnotationCompleted.fromJSON(e.data).job?.jobId === "job-a");
    expect(events).toHaveLength(1);
    expect(AnnotationCompleted.fromJSON(events[0]!.data)).toMatchObject({
      job: { jobId: "job-a", kind: "annotate.relevance" },
      task: "relevance",
      labels: labelsRef,
      itemsLabelled: 21,
      itemsFailed: 3,
    });
    // a redelivered completion puts the same bytes under the same names
    const again = await publishJobLabels(store, "job-a");
    expect(again.outputs).toEqual(job.result?.outputs);
  });

  it("a cancelled job resubmitted with the same id resumes: stored batches kept, answers from the cache, counted once", async () => {
    const slow = await startFaultInjectionServer(relevanceResponder({ delayMs: 30 }));
    const restartAnnotator = new Annotator({
      backend: new OpenAiBackend({ baseUrl: slow.baseUrl, model: "restart-model" }),
      cache: store.cache,
      limiter: new CallLimiter({ concurrency: 2 }),
    });
    const fresh = relevanceItems(24);
    try {
      await submitJob(store, { jobId: "job-restart", kind: "relevance", items: fresh, batchSize: 4 });
      let worker = startAnnotationWorker(store, restartAnnotator, {
        itemConcurrency: 2,
        batchConcurrency: 1,
      });
      const t0 = Date.now();
      while ((await jobProgress(store, "job-restart")).batchesDone < 2) {
        if (Date.now() - t0 > 10_000) throw new Error("no progress");
        await new Promise((r) => setTimeout(r, 10));
      }
      await store.jobs.cancel("job-restart");
      await worker.stop();
      const atCancel = await jobProgress(store, "job-restart");
      expect(atCancel.job.state).toBe("cancelled");
      expect(atCancel.batchesDone).toBeLessThan(6);

      const again = await submitJob(store, {
        jobId: "job-restart",
        kind: "relevance",
        items: fresh,
        batchSize: 4,
      });
      expect(again).toMatchObject({ state: "queued", spec: { submissions: 2 } });
      worker = startAnnotationWorker(store, restartAnnotator, { itemConcurrency: 2, batchConcurrency: 1 });
      while ((await store.jobs.require("job-restart")).state !== "succeeded") {
        if (Date.now() - t0 > 20_000) throw new Error("the restarted job did not finish");
        await new Promise((r) => setTimeout(r, 10));
      }
      await worker.stop();
      // every item asked exactly once over both runs: answers given before the cancel were cached
      expect(slow.requests).toHaveLength(24);
      const labels = await collectLabels(store, "job-restart");
      expect(new Set(labels.map((l) => l.docId)).size).toBe(24);
      for (const l of labels) expect(l).toMatchObject({ status: "ok", grade: expectedGrade(l.docId) });
      // each batch counted once: the calls made for stored labels plus the answers taken from the cache
      const progress = await jobProgress(store, "job-restart");
      expect(progress).toMatchObject({ itemsDone: 24, labelsOk: 24, batchesDone: 6 });
      expect(progress.llmCalls + progress.cachedSteps).toBe(24);
    } finally {
      await slow.close();
    }
  });

  it("a batch too large to travel in its queue message goes through the object store", async () => {
    // 3 items of ~100 000 characters: a batch of 3 is over INLINE_BATCH_BYTES (256 KiB of JSON)
    const big = relevanceItems(3).map((item) =>
      item.kind === "relevance"
        ? { ...item, passage: { ...item.passage, text: `${item.passage.text} ${"x".repeat(100_000)}` } }
        : item,
    );
    await submitJob(store, { jobId: "job-big", kind: "relevance", items: big, batchSize: 3 });
    expect((await store.batches.list()).map((o) => o.name)).toEqual(["job-big/batch-000000.json"]);
    await runToEnd("job-big");
    const labels = await collectLabels(store, "job-big");
    expect(labels.map((l) => [l.docId, l.grade])).toEqual([
      ["d0", 0],
      ["d1", 1],
      ["d2", 2],
    ]);
  });

  it("writes labels.jsonl, TREC qrels and BEIR tsv from the labels", async () => {
    const out = join(dir, "out");
    const written = await writeLabelsDir(out, await collectLabels(store, "job-a"));
    expect(written).toMatchObject({ ok: 21, failed: 3 });
    const trec = (await readFile(written.qrelsTrecPath, "utf8")).trim().split("\n");
    expect(trec).toHaveLength(21);
    for (const line of trec) {
      const [, , docId, rel] = line.split(/\s+/);
      expect(Number(rel)).toBe(expectedGrade(docId!));
    }
    const tsv = (await readFile(written.qrelsTsvPath, "utf8")).trim().split("\n");
    expect(tsv[0]).toBe("query-id\tcorpus-id\tscore");
    expect(tsv).toHaveLength(22);
    expect((await readFile(written.labelsPath, "utf8")).trim().split("\n")).toHaveLength(24);
  });
});
