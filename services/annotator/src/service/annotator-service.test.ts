import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus, type Consumer } from "@ferret/bus";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import { AnnotatorService, JobState, JudgeTask, type AnnotationJobStatus } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import { startAnnotationWorker } from "../jobs/annotation-worker.js";
import { openAnnotationStore, type AnnotationStore } from "../jobs/annotation-store.js";
import { OpenAiBackend } from "../llm/openai-backend.js";
import { relevanceTask } from "../tasks/relevance.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import { hiddenScoreResponder } from "../test-support/hidden-score-responder.js";
import { relevanceResponder } from "../test-support/relevance-fixture.js";
import { annotatorService } from "./annotator-service.js";

let dir: string;
let bus: Bus;
let store: AnnotationStore;
let llm: FaultInjectionServer;
let server: GrpcServer;
let worker: Consumer | undefined;
let client: ServiceClient<typeof AnnotatorService>;
let annotator: Annotator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "annotator-grpc-"));
  bus = await createBus({ kind: "memory", dir });
  store = await openAnnotationStore(bus, { prefix: "grpc" });
  llm = await startFaultInjectionServer(relevanceResponder({ delayMs: 20 }));
  annotator = new Annotator({
    backend: new OpenAiBackend({ baseUrl: llm.baseUrl, model: "fault-model" }),
    cache: store.cache,
    retry: { initialMs: 5, maxMs: 20 },
  });
  server = await startGrpcServer({
    services: [annotatorService({ store, annotator })],
    host: "127.0.0.1",
  });
  client = createClient(AnnotatorService, `127.0.0.1:${server.port}`, { deadlineMs: 20_000 });
});
afterAll(async () => {
  client?.close();
  await worker?.stop();
  await server?.shutdown();
  await llm?.close();
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

const doc = (i: number, fault = "none") => ({
  id: `d${i}`,
  title: "",
  text: `passage ${i} GRADE=${i % 4} FAULT=${fault}`,
  metadata: {},
});

describe("gRPC Annotator", () => {
  it("Judge grades passages synchronously, with prompt version and cache flag; a failed item keeps its raw reply", async () => {
    const query = { id: "q", text: "anything", metadata: {} };
    const res = await client.judge({
      query,
      passages: [doc(1), doc(2), doc(3, "garbage")],
      task: JudgeTask.JUDGE_TASK_UNSPECIFIED,
      topPercent: 0,
    });
    expect(res.judgments.map((j) => [j.docId, j.ok, j.grade])).toEqual([
      ["d1", true, 1],
      ["d2", true, 2],
      ["d3", false, 0],
    ]);
    expect(res.judgments[2]!.rawResponse).toBe("I think it is quite relevant!");
    expect(res.judgments[0]).toMatchObject({
      promptVersion: relevanceTask.version,
      model: "fault-model",
      cached: false,
    });
    const again = await client.judge({
      query,
      passages: [doc(1)],
      task: JudgeTask.JUDGE_TASK_RELEVANCE,
      topPercent: 0,
    });
    expect(again.judgments[0]).toMatchObject({ cached: true, grade: 1 });
  });

  it("Judge runs the utility tasks synchronously: UtilRank keeps the top k% of the relevant passages", async () => {
    // TEST DOUBLE LLM on its own server: selects passages with SCORE >= 10 as relevant, ranks by score
    const ranker = await startFaultInjectionServer(
      hiddenScoreResponder({ relevantFrom: 10, usefulFrom: 18 }),
    );
    const judge = new Annotator({
      backend: new OpenAiBackend({ baseUrl: ranker.baseUrl, model: "rank-double" }),
      cache: store.cache,
    });
    const judgeServer = await startGrpcServer({
      services: [annotatorService({ store, annotator: judge })],
      host: "127.0.0.1",
    });
    const judgeClient = createClient(AnnotatorService, `127.0.0.1:${judgeServer.port}`);
    try {
      // 20 passages, hidden scores 0..19 in a shuffled order: 10 relevant (10..19); 20% of 10 = 2 kept
      const passages = Array.from({ length: 20 }, (_, i) => ({
        id: `u${i}`,
        title: "",
        text: `passage SCORE=${(i * 7) % 20}`,
        metadata: {},
      }));
      const query = { id: "qu", text: "what helps?", metadata: {} };
      const ranked = await judgeClient.judge({
        query,
        passages,
        task: JudgeTask.JUDGE_TASK_UTILITY_RANKING,
        topPercent: 20,
      });
      const score = (docId: string) => (Number(docId.slice(1)) * 7) % 20;
      expect(ranked.judgments.map((j) => j.docId)).toEqual(passages.map((p) => p.id));
      expect(ranked.judgments.every((j) => j.ok && j.relevant === score(j.docId) >= 10)).toBe(true);
      const kept = ranked.judgments.filter((j) => j.utility).sort((a, b) => a.utilityRank - b.utilityRank);
      expect(kept.map((j) => [score(j.docId), j.utilityRank])).toEqual([
        [19, 1],
        [18, 2],
      ]);
      expect(kept[0]!.promptVersion).toBe("relsel-zhang25-v1,pseudo-answer-zhang25-v2,utilrank-zhang25-v2");

      const selected = await judgeClient.judge({
        query,
        passages,
        task: JudgeTask.JUDGE_TASK_UTILITY_SELECTION,
        topPercent: 0,
      });
      expect(
        selected.judgments
          .filter((j) => j.utility)
          .map((j) => score(j.docId))
          .sort((a, b) => a - b),
      ).toEqual([18, 19]);
      // RelSel and the answer come from the cache (the first Judge asked them); UtilSel was asked now,
      // so only the passages it did not concern (not relevant) are wholly cached
      expect(selected.judgments.map((j) => j.cached)).toEqual(selected.judgments.map((j) => !j.relevant));
    } finally {
      judgeClient.close();
      await judgeServer.shutdown();
      await ranker.close();
    }
  });

  it("SubmitJob + WatchJob stream progress to SUCCEEDED; CancelJob stops a job", async () => {
    const pairs = Array.from({ length: 12 }, (_, i) => ({
      query: { id: `q${i % 3}`, text: "t", metadata: {} },
      passage: doc(i + 10),
    }));
    const submitted = await client.submitJob({
      jobId: "grpc-job",
      work: { $case: "relevance", value: { pairs, pools: undefined } },
      batchSize: 4,
      pricing: undefined,
    });
    expect(submitted.status?.state).toBe(JobState.JOB_STATE_QUEUED);
    expect(submitted.status?.progress?.total).toBe(12);
    worker = startAnnotationWorker(store, annotator, { itemConcurrency: 2 });
    const updates: AnnotationJobStatus[] = [];
    for await (const u of client.watchJob({ jobId: "grpc-job", kind: "" })) updates.push(u);
    const last = updates.at(-1)!;
    expect(last.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(last).toMatchObject({ itemsDone: 12, labelsOk: 12, labelsFailed: 0, llmCalls: 12 });
    expect(updates.length).toBeGreaterThan(1);
    await worker.stop();
    worker = undefined;

    await client.submitJob({
      jobId: "grpc-cancel",
      work: {
        $case: "relevance",
        value: { pairs: pairs.map((p, i) => ({ ...p, passage: doc(i + 100) })), pools: undefined },
      },
      batchSize: 4,
      pricing: undefined,
    });
    const cancelled = await client.cancelJob({ jobId: "grpc-cancel", kind: "" });
    expect(cancelled.status?.state).toBe(JobState.JOB_STATE_CANCELLED);
    const before = llm.requests.length;
    worker = startAnnotationWorker(store, annotator);
    await new Promise((r) => setTimeout(r, 300));
    expect(llm.requests.length).toBe(before);
    expect((await store.queue.stats()).pending).toBe(0);
  });

  it("rejects an empty SubmitJob with INVALID_ARGUMENT", async () => {
    await expect(
      client.submitJob({ jobId: "x", work: undefined, batchSize: 0, pricing: undefined }),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
