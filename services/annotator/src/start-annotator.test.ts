/**
 * The annotator process wiring, as main.ts runs it: config -> startAnnotator (in-process bus, gRPC and
 * /metrics on free ports, batch worker, OpenAI-compatible backend on a TEST DOUBLE LLM server), then Judge
 * and a job over loopback gRPC, and the Prometheus counters they moved, scraped over HTTP.
 *
 * Expected counts, by hand from the double's behaviour (relevance-fixture.ts: "FAULT=500" answers HTTP 500
 * once, "garbage" never answers valid JSON; every answered request reports 100 prompt + 10 completion tokens):
 * - Judge [d1, d2 FAULT=500, d3 garbage]: d1 1 request; d2 a 500 (retried) then 1 answer; d3 an answer and
 *   its re-ask, both invalid (a failed judgment) -> 4 answered, 1 retried.
 * - Judge [d1] again: a cache hit -> 1 cached, no request.
 * - Judge [d4 FAULT=400] (the double answers HTTP 400, not retryable) -> 1 failed, the call INVALID_ARGUMENT;
 *   Judge without a query -> INVALID_ARGUMENT before any request.
 * - A job of 5 relevance pairs in batches of 2 (3 batches), one of them garbage: 4 items with 1 answer each,
 *   the garbage item 2 -> 6 answered; items 4 ok, 1 failed; 3 batches labelled.
 * Totals: 10 answered requests -> 1000 prompt and 100 completion tokens.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@ferret/grpc";
import { createRegistry, startMetricsServer } from "@ferret/metrics";
import { AnnotatorService, JobState, JudgeTask } from "@ferret/proto";
import { freePort } from "@ferret/service/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { annotatorConfigSchema } from "./config.js";
import { startAnnotator, type RunningAnnotator } from "./start-annotator.js";
import {
  lastUserMessage,
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "./test-support/fault-injection-server.js";
import { relevanceResponder } from "./test-support/relevance-fixture.js";

let dir: string;
let llm: FaultInjectionServer;
let annotator: RunningAnnotator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-annotator-start-"));
  const relevance = relevanceResponder();
  llm = await startFaultInjectionServer((r) =>
    /FAULT=400/.test(lastUserMessage(r)) ? { kind: "status", status: 400 } : relevance(r),
  );
  const config = annotatorConfigSchema.parse({
    grpc: { host: "127.0.0.1", port: 0 },
    metrics: { host: "127.0.0.1", port: 0 },
    artifacts: { dir },
    llm: { baseUrl: llm.baseUrl, model: "fault-model" },
    prefix: "start-annotator",
  });
  expect(config.nats.url).toBeUndefined();
  annotator = await startAnnotator(config);
});
afterAll(async () => {
  await annotator?.stop();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

const doc = (i: number, fault = "none") => ({
  id: `d${i}`,
  title: "",
  text: `passage ${i} GRADE=${i % 4} FAULT=${fault}`,
  metadata: {},
});

const judgeRequest = (passages: ReturnType<typeof doc>[], queryId = "q") => ({
  query: { id: queryId, text: "anything", metadata: {} },
  passages,
  task: JudgeTask.JUDGE_TASK_RELEVANCE,
  topPercent: 0,
});

describe("startAnnotator", () => {
  it("serves Judge and jobs over gRPC and counts calls, LLM requests, tokens, batches and items on /metrics", async () => {
    const client = createClient(AnnotatorService, `127.0.0.1:${annotator.server.port}`, {
      deadlineMs: 20_000,
    });
    try {
      const judged = await client.judge(judgeRequest([doc(1), doc(2, "500"), doc(3, "garbage")]));
      expect(judged.judgments.map((j) => [j.docId, j.ok, j.grade])).toEqual([
        ["d1", true, 1],
        ["d2", true, 2],
        ["d3", false, 0],
      ]);
      expect((await client.judge(judgeRequest([doc(1)]))).judgments[0]).toMatchObject({ cached: true });
      await expect(client.judge(judgeRequest([doc(4, "400")], "q400"))).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
      await expect(client.judge({ ...judgeRequest([doc(1)]), query: undefined })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });

      const pairs = [10, 11, 12, 13, 14].map((i) => ({
        query: { id: `jq${i % 2}`, text: "t", metadata: {} },
        passage: doc(i, i === 12 ? "garbage" : "none"),
      }));
      await client.submitJob({
        jobId: "start-annotator-job",
        work: { $case: "relevance", value: { pairs, pools: undefined } },
        batchSize: 2,
        pricing: undefined,
      });
      let last;
      for await (const u of client.watchJob({ jobId: "start-annotator-job", kind: "" })) last = u;
      expect(last).toMatchObject({ itemsDone: 5, labelsOk: 4, labelsFailed: 1 });
      expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    } finally {
      client.close();
    }

    const scrape = async () => (await fetch(`http://127.0.0.1:${annotator.metricsPort}/metrics`)).text();
    // the worker counts a batch once it has finished the job, so WatchJob may end just before that
    let metrics = await scrape();
    for (
      let i = 0;
      i < 100 && !/^ferret_annotator_batches_total\{outcome="labelled"\} 3$/m.test(metrics);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      metrics = await scrape();
    }
    const line = (name: string, value: number) =>
      expect(metrics).toMatch(new RegExp(`^${name} ${value}$`, "m"));
    line(`ferret_annotator_calls_total\\{method="Judge",outcome="OK"\\}`, 2);
    line(`ferret_annotator_calls_total\\{method="Judge",outcome="INVALID_ARGUMENT"\\}`, 2);
    line(`ferret_annotator_call_seconds_count\\{method="Judge"\\}`, 4);
    line(`ferret_annotator_calls_total\\{method="SubmitJob",outcome="OK"\\}`, 1);
    line(`ferret_annotator_calls_total\\{method="WatchJob",outcome="OK"\\}`, 1);
    line(`ferret_annotator_llm_calls_total\\{outcome="ok"\\}`, 10);
    line(`ferret_annotator_llm_calls_total\\{outcome="retried"\\}`, 1);
    line(`ferret_annotator_llm_calls_total\\{outcome="failed"\\}`, 1);
    line(`ferret_annotator_llm_calls_total\\{outcome="cached"\\}`, 1);
    line(`ferret_annotator_llm_tokens_total\\{kind="prompt"\\}`, 1000);
    line(`ferret_annotator_llm_tokens_total\\{kind="completion"\\}`, 100);
    line(`ferret_annotator_batches_total\\{outcome="labelled"\\}`, 3);
    line(`ferret_annotator_items_labelled_total\\{outcome="ok"\\}`, 4);
    line(`ferret_annotator_items_labelled_total\\{outcome="failed"\\}`, 1);
    expect(metrics).not.toMatch(/^ferret_annotator_batches_total\{outcome="(?!labelled)/m);
    // the double saw exactly the requests counted: 10 answered, 1 retried 500, 1 refused 400
    expect(llm.requests).toHaveLength(12);
  });
});

describe("startAnnotator start-up failure", () => {
  it("closes what it had opened (here the /metrics listener) when a later step fails (gRPC port in use)", async () => {
    const metricsPort = await freePort();
    const config = annotatorConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: annotator.server.port }, // taken by the replica started above
      metrics: { host: "127.0.0.1", port: metricsPort },
      artifacts: { dir },
      llm: { baseUrl: llm.baseUrl, model: "fault-model" },
      prefix: "start-annotator-fails",
    });
    await expect(startAnnotator(config)).rejects.toThrow();
    // the failed start released its metrics port: binding it again works
    const again = await startMetricsServer(createRegistry({ defaults: false }), {
      host: "127.0.0.1",
      port: metricsPort,
    });
    expect(again.port).toBe(metricsPort);
    await again.close();
  });
});
