/**
 * The ranker's gRPC requests fuzzed through a real server (startRanker, embedded, loopback, the tiny-ce
 * ONNX fixture): every field of Score, Rerank, SubmitScoreJob, WatchScoreJob and GetScoreJobResult gets
 * random and boundary values (fixed seed; FERRET_FUZZ_RUNS for more). Each call must be answered, or
 * refused with a typed bad-request status, within its deadline; a job finished before the fuzz (whose id
 * the fuzz also submits again) has the same result after it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { fuzzTimeout } from "@ferret/errors/testing";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { fuzzMethod, fuzzRawRequests } from "@ferret/grpc/testing";
import { JobState, RankerService } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRankerConfig } from "../config.js";
import { FIXTURES_DIR, MINI_DIR } from "../test-support/fixtures.js";
import { startRanker, type RunningRanker } from "./start-ranker.js";

const STORED_JOB = "fuzz-stored";
let dir: string;
let ranker: RunningRanker;
let client: ServiceClient<typeof RankerService>;
let storedResult: unknown;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-ranker-fuzz-"));
  ranker = await startRanker(
    loadRankerConfig({
      env: {
        FERRET_RANKER_GRPC__HOST: "127.0.0.1",
        FERRET_RANKER_GRPC__PORT: "0",
        FERRET_RANKER_METRICS__HOST: "127.0.0.1",
        FERRET_RANKER_METRICS__PORT: "0",
        FERRET_RANKER_MODELS__DIR: FIXTURES_DIR,
        FERRET_RANKER_MODELS__DEFAULT: "tiny-ce",
        FERRET_RANKER_MODELS__THREADS: "1",
        FERRET_RANKER_ARTIFACTS__DIR: dir,
        FERRET_RANKER_CORPORA__DIR: join(MINI_DIR, ".."),
        FERRET_RANKER_JOBS__ACK_WAIT_MS: "5000",
        FERRET_LOG_LEVEL: "silent",
      },
    }),
  );
  client = createClient(RankerService, `127.0.0.1:${ranker.grpc.port}`, { retry: false, deadlineMs: 30_000 });
  await client.submitScoreJob({
    jobId: STORED_JOB,
    model: undefined,
    pairs: [
      { queryId: "q1", docId: "d1", query: "what is a ferret", passage: "A ferret is a small mammal." },
      { queryId: "q1", docId: "d2", query: "what is a ferret", passage: "Stock prices fell." },
    ],
    batchSize: 1,
    quantized: false,
  });
  for await (const status of client.watchScoreJob({ jobId: STORED_JOB, kind: "" }))
    expect(status.state).not.toBe(JobState.JOB_STATE_FAILED);
  storedResult = await client.getScoreJobResult({ jobId: STORED_JOB, kind: "" });
}, fuzzTimeout(120_000));

afterAll(async () => {
  client?.close();
  await ranker?.stop();
  await rm(dir, { recursive: true, force: true });
});

const values = {
  name: fc.constantFrom("", "tiny-ce", "missing", "../tiny-ce", "tiny-ce/..", "/etc"),
  job_id: fc.constantFrom(STORED_JOB, "", "fz-1", "fz 2", "../x", "a".repeat(300), "\u0000"),
  beir_dir: fc.constantFrom("", "mini", "../..", "/etc", "nope"),
  query: fc.constantFrom("", "ferret", "x".repeat(5000)),
  query_id: fc.constantFrom("", "q1", "1", "q 1"),
  doc_id: fc.constantFrom("", "d1", "0", "d 1"),
};

describe("ranker gRPC, fuzzed", () => {
  for (const [key, runs] of [
    ["score", 60],
    ["rerank", 60],
    ["submitScoreJob", 40],
    ["watchScoreJob", 30],
    ["getScoreJobResult", 40],
  ] as const) {
    it(
      `${key}: every request is answered or refused with a typed bad-request status`,
      async () => {
        expect(
          await fuzzMethod(client, RankerService, key, { values, runs, deadlineMs: 30_000 }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(300_000),
    );
  }

  for (const [key, runs] of [
    ["submitScoreJob", 40],
    ["rerank", 40],
  ] as const) {
    it(
      `${key}: raw request bytes (random, or 64-bit values past 2^53) are answered or INVALID_ARGUMENT`,
      async () => {
        expect(
          await fuzzRawRequests(`127.0.0.1:${ranker.grpc.port}`, RankerService, key, { values, runs }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(120_000),
    );
  }

  it("left the job stored before the fuzz as it was", async () => {
    expect(await client.getScoreJobResult({ jobId: STORED_JOB, kind: "" })).toEqual(storedResult);
  });
});
