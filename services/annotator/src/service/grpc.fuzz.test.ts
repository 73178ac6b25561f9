/**
 * The annotator's gRPC requests fuzzed through a real server (startAnnotator, embedded, loopback; the LLM
 * is the fault-injection TEST DOUBLE server answering relevance prompts, since no real LLM runs in tests):
 * every field of Judge, SubmitJob (relevance, utility, query and document jobs, pairs or server-side
 * pools over examples/mini), WatchJob and CancelJob gets random and boundary values (fixed seed;
 * FERRET_FUZZ_RUNS for more). Each call must be answered, or refused with a typed bad-request status,
 * within its deadline; a job finished before the fuzz (whose id the fuzz submits again) is unchanged.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { fuzzTimeout } from "@ferret/errors/testing";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { fuzzMethod, fuzzRawRequests } from "@ferret/grpc/testing";
import { AnnotatorService, JobState } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { annotatorConfigSchema } from "../config.js";
import { startAnnotator, type RunningAnnotator } from "../start-annotator.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import { relevanceResponder } from "../test-support/relevance-fixture.js";

const EXAMPLES = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../../examples");
const STORED_JOB = "fuzz-stored";
let dir: string;
let llm: FaultInjectionServer;
let annotator: RunningAnnotator;
let client: ServiceClient<typeof AnnotatorService>;
let stored: unknown;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-annotator-fuzz-"));
  llm = await startFaultInjectionServer(relevanceResponder());
  annotator = await startAnnotator(
    annotatorConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0 },
      metrics: { host: "127.0.0.1", port: 0 },
      artifacts: { dir },
      llm: { baseUrl: llm.baseUrl, model: "fuzz-model" },
      corpora: { dir: EXAMPLES },
      prefix: "fuzz-annotator",
    }),
  );
  client = createClient(AnnotatorService, `127.0.0.1:${annotator.grpc.port}`, {
    retry: false,
    deadlineMs: 30_000,
  });
  await client.submitJob({
    jobId: STORED_JOB,
    work: {
      $case: "relevance",
      value: {
        pairs: [
          {
            query: { id: "q1", text: "ferrets", metadata: {} },
            passage: { id: "d1", title: "", text: "GRADE=2", metadata: {} },
          },
        ],
        pools: undefined,
      },
    },
    batchSize: 1,
    pricing: undefined,
  });
  let last;
  for await (const status of client.watchJob({ jobId: STORED_JOB, kind: "" })) last = status;
  expect(last?.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  stored = last;
}, fuzzTimeout(120_000));

afterAll(async () => {
  client?.close();
  await annotator?.stop();
  await llm?.close();
  await rm(dir, { recursive: true, force: true });
});

const values = {
  // WatchJob streams until a job ends: only ids of a finished job or of none keep it bounded.
  job_id: fc.constantFrom(STORED_JOB, "", "nope", "../x", "a b", "a".repeat(100), "\u0000"),
  beir_dir: fc.constantFrom("", "mini", "../..", "/etc", "nope", "mini/../mini"),
  split: fc.constantFrom("", "test", "nope", "../x"),
  opensearch_index: fc.constantFrom(""),
  dense_index: fc.constantFrom("", "docs"),
  type: fc.constantFrom("", "keyword", "question", "claim", "bogus"),
  style: fc.constantFrom("", "few-shot", "summarize-then-ask", "bogus"),
  text: fc.constantFrom("", "GRADE=1", "GRADE=3 passage", "ferrets", "x".repeat(2000)),
};

describe("annotator gRPC, fuzzed", () => {
  for (const [key, runs] of [
    ["judge", 40],
    ["submitJob", 80],
    ["watchJob", 20],
  ] as const) {
    it(
      `${key}: every request is answered or refused with a typed bad-request status`,
      async () => {
        expect(
          await fuzzMethod(client, AnnotatorService, key, { values, runs, deadlineMs: 30_000 }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(300_000),
    );
  }

  it(
    "cancelJob: every request is answered or refused with a typed bad-request status",
    async () => {
      // Cancelling the stored job is a valid request that changes it on purpose: keep its id out.
      const fields = { ...values, job_id: fc.constantFrom("", "nope", "../x", "\u0000") };
      expect(
        await fuzzMethod(client, AnnotatorService, "cancelJob", { values: fields, runs: 20 }),
      ).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000),
  );

  it(
    "submitJob: raw request bytes are answered or INVALID_ARGUMENT",
    async () => {
      const address = `127.0.0.1:${annotator.grpc.port}`;
      expect(
        await fuzzRawRequests(address, AnnotatorService, "submitJob", { values, runs: 40 }),
      ).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000),
  );

  it("left the job finished before the fuzz as it was", async () => {
    let last;
    for await (const status of client.watchJob({ jobId: STORED_JOB, kind: "" })) last = status;
    expect(last).toEqual(stored);
  });
});
