import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "./annotator.js";
import { FileOutcomeCache } from "./file-cache.js";
import { openAnnotationStore, type AnnotationStore } from "./jobs/annotation-store.js";
import type { LabelRecord } from "./labels.js";
import { OpenAiBackend } from "./llm/openai-backend.js";
import { annotateCollection } from "./pipeline.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "./test-support/fault-injection-server.js";
import { taskResponder } from "./test-support/task-responder.js";

const MINI = fileURLToPath(new URL("../../../examples/mini", import.meta.url));
let dir: string;
let bus: Bus;
let store: AnnotationStore;
let llm: FaultInjectionServer;
let annotator: Annotator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "annotator-pipeline-"));
  bus = await createBus({ kind: "memory", dir: join(dir, "bus") });
  store = await openAnnotationStore(bus, { prefix: "pipe" });
  llm = await startFaultInjectionServer(taskResponder);
  annotator = new Annotator({
    backend: new OpenAiBackend({ baseUrl: llm.baseUrl, model: "fault-model" }),
    cache: new FileOutcomeCache(join(dir, "cache")),
  });
});
afterAll(async () => {
  await llm.close();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

async function labelsOf(out: string): Promise<LabelRecord[]> {
  return (await readFile(join(out, "labels.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as LabelRecord);
}

describe("annotateCollection on examples/mini", () => {
  it("relevance: BM25 top-k + human positives, qrels.trec, labels.jsonl, agreement; a rerun makes 0 calls", async () => {
    const out = join(dir, "rel");
    const result = await annotateCollection({
      task: "relevance",
      corpus: MINI,
      split: "test",
      candidates: 5,
      limit: 2,
      out,
      annotator,
      store,
    });
    const labels = await labelsOf(out);
    // query 1 has 5 BM25 candidates; human positives of the split not among them are added
    const q1 = labels.filter((l) => l.queryId === "1").map((l) => l.docId);
    expect(q1).toContain("184");
    expect(q1).toContain("29");
    expect(labels.every((l) => l.status === "ok" && l.grade === 2)).toBe(true);
    expect(result.agreement!.pairs).toBeGreaterThan(0);
    const trec = (await readFile(join(out, "qrels.trec"), "utf8")).trim().split("\n");
    expect(trec).toHaveLength(labels.length);
    expect(JSON.parse(await readFile(join(out, "agreement.json"), "utf8"))).toHaveProperty("confusion");

    const before = llm.requests.length;
    expect(before).toBe(labels.length);
    const again = await annotateCollection({
      task: "relevance",
      corpus: MINI,
      split: "test",
      candidates: 5,
      limit: 2,
      out: join(dir, "rel2"),
      annotator,
      store,
      jobId: "rerun-new-id",
    });
    expect(llm.requests.length).toBe(before);
    expect(again.progress.llmCalls).toBe(0);
  });

  it("utility: windows of at most 16 with positions kept, RelSel per window -> one answer -> UtilSel", async () => {
    const out = join(dir, "util");
    await annotateCollection({
      task: "utility",
      corpus: MINI,
      split: "test",
      candidates: 20,
      limit: 1,
      out,
      annotator,
      store,
    });
    const labels = await labelsOf(out);
    expect(labels.length).toBeGreaterThan(16);
    const windows = new Set(labels.map((l) => l.window!.index));
    expect(windows.size).toBe(Math.ceil(labels.length / 16));
    for (const w of windows)
      expect(labels.filter((l) => l.window!.index === w).length).toBeLessThanOrEqual(16);
    // RelSel (the test double picks [1]) selects passage [1] of each window; the utility step sees
    // those relevant passages together, in window order, and the double picks the first: window 0's [1]
    const relevant = labels.filter((l) => l.relevant);
    expect(relevant.map((l) => l.window!.identifier)).toEqual([...windows].map(() => 1));
    const picked = labels.filter((l) => l.utility);
    expect(picked.map((l) => [l.window!.index, l.window!.identifier])).toEqual([[0, 1]]);
    // the original candidate positions are a permutation of 0..n-1 (shuffled, positions kept)
    const positions = labels.map((l) => l.window!.originalPosition).sort((a, b) => a - b);
    expect(positions).toEqual(labels.map((_, i) => i));
    expect(picked[0]!.steps.map((s) => s.task)).toEqual([
      "relevance-selection",
      "pseudo-answer",
      "utility-selection",
    ]);
  });

  it("queries: synthetic queries with the round-trip filter, which records the source passage's rank", async () => {
    const out = join(dir, "queries");
    const result = await annotateCollection({
      task: "queries",
      corpus: MINI,
      limit: 3,
      out,
      annotator,
      store,
      queryGen: { type: "question", style: "few-shot", roundTripK: 10 },
    });
    const labels = await labelsOf(out);
    expect(labels).toHaveLength(3);
    for (const l of labels) expect(l.roundTrip).toMatchObject({ k: 10, kept: true, rank: 1 });
    expect(result.roundTrip).toEqual({ kept: 3, dropped: 0 });
    expect((await readFile(join(out, "queries.jsonl"), "utf8")).trim().split("\n")).toHaveLength(3);
  });

  it("queries, summarize-then-ask: a plain-text summary call then an ask call per passage, both in provenance", async () => {
    const out = join(dir, "queries-sat");
    const before = llm.requests.length;
    await annotateCollection({
      task: "queries",
      corpus: MINI,
      limit: 2,
      out,
      annotator,
      store,
      queryGen: { type: "question", style: "summarize-then-ask" },
    });
    const labels = await labelsOf(out);
    expect(labels).toHaveLength(2);
    for (const l of labels) {
      expect(l.status).toBe("ok");
      expect(l.steps.map((s) => s.task)).toEqual(["passage-summary", "ask-from-summary"]);
      expect(l.text).toBe(`What about ${l.summary!.replace(/\.$/, "")}?`);
    }
    const requests = llm.requests.slice(before);
    expect(requests).toHaveLength(4);
    // plain text: no response_format is asked for
    for (const r of requests) expect(r.body.response_format).toBeUndefined();
  });

  it("documents: one synthetic passage per level 3..0 with the level as its grade", async () => {
    const out = join(dir, "docs");
    await annotateCollection({
      task: "documents",
      corpus: MINI,
      split: "test",
      limit: 1,
      out,
      annotator,
      store,
    });
    const labels = await labelsOf(out);
    expect(labels.map((l) => l.grade).sort()).toEqual([0, 1, 2, 3]);
    expect((await readFile(join(out, "corpus.jsonl"), "utf8")).trim().split("\n")).toHaveLength(4);
  });
});
