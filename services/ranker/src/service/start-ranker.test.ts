/**
 * The ranker process wiring, as main.ts runs it: FERRET_RANKER_* variables -> config -> startRanker
 * (embedded bus, gRPC on a free port, score worker), then a Score call and a scoring job end to end, and a
 * clean stop. Expected scores: PyTorch's (fixtures/reference.json).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@ferret/grpc";
import { JobState, RankerService } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRankerConfig } from "../config.js";
import { FIXTURES_DIR, readReference, sigmoid } from "../test-support/fixtures.js";
import { startRanker, type RunningRanker } from "./start-ranker.js";

let dir: string;
let ranker: RunningRanker;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-ranker-start-"));
  const config = loadRankerConfig({
    env: {
      FERRET_RANKER_GRPC__HOST: "127.0.0.1",
      FERRET_RANKER_GRPC__PORT: "0",
      FERRET_RANKER_MODELS__DIR: FIXTURES_DIR,
      FERRET_RANKER_MODELS__DEFAULT: "tiny-ce",
      FERRET_RANKER_MODELS__THREADS: "1",
      FERRET_RANKER_ARTIFACTS__DIR: dir,
      FERRET_RANKER_JOBS__ACK_WAIT_MS: "5000",
    },
  });
  expect(config.nats.url).toBeUndefined();
  expect(config.models.threads).toBe(1);
  ranker = await startRanker(config);
});
afterAll(async () => {
  await ranker?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("startRanker", () => {
  it("serves Score and runs scoring jobs from its config", async () => {
    expect(ranker.bus.kind).toBe("memory");
    const client = createClient(RankerService, `127.0.0.1:${ranker.grpc.port}`, { deadlineMs: 30_000 });
    try {
      const pairs = readReference().pairs.slice(0, 3);
      const scored = await client.score({
        model: undefined,
        query: pairs[0]!.query,
        passages: pairs.map((p) => p.passage),
        quantized: false,
      });
      pairs.forEach((p, i) => expect(Math.abs(scored.scores[i]! - sigmoid(p.logit))).toBeLessThan(1e-4));

      await client.submitScoreJob({
        jobId: "start-ranker-job",
        model: undefined,
        pairs: pairs.map((p) => ({ queryId: p.queryId, docId: p.docId, query: p.query, passage: p.passage })),
        batchSize: 2,
        quantized: false,
      });
      let last: JobState | undefined;
      for await (const status of client.watchScoreJob({ jobId: "start-ranker-job", kind: "" }))
        last = status.state;
      expect(last).toBe(JobState.JOB_STATE_SUCCEEDED);
    } finally {
      client.close();
    }
  });
});
