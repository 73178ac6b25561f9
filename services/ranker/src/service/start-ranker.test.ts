/**
 * The ranker process wiring, as main.ts runs it: FERRET_RANKER_* variables -> config -> startRanker
 * (embedded bus, gRPC and /metrics on free ports, score worker), then a Score call, a rejected Rerank and a
 * scoring job end to end, the Prometheus counters they moved, and a clean stop. Expected scores: PyTorch's
 * (fixtures/reference.json).
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
      FERRET_RANKER_METRICS__HOST: "127.0.0.1",
      FERRET_RANKER_METRICS__PORT: "0",
      FERRET_RANKER_MODELS__DIR: FIXTURES_DIR,
      FERRET_RANKER_MODELS__DEFAULT: "tiny-ce",
      FERRET_RANKER_MODELS__THREADS: "1",
      FERRET_RANKER_ARTIFACTS__DIR: dir,
      FERRET_RANKER_JOBS__ACK_WAIT_MS: "5000",
    },
  });
  expect(config.nats.url).toBeUndefined();
  expect(config.models.threads).toBe(1);
  expect(config.metrics.port).toBe(0);
  ranker = await startRanker(config);
});
afterAll(async () => {
  await ranker?.stop();
  await rm(dir, { recursive: true, force: true });
});

const scrape = async (): Promise<string> =>
  (await fetch(`http://127.0.0.1:${ranker.metricsPort}/metrics`)).text();

describe("startRanker", () => {
  it("serves Score and runs scoring jobs from its config, and counts them on /metrics", async () => {
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
      await expect(
        client.rerank({
          model: undefined,
          run: undefined,
          corpus: undefined,
          depth: 0,
          keepTail: false,
          name: "",
          quantized: false,
        }),
      ).rejects.toMatchObject({ code: "INVALID_INPUT" });

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
      const result = await client.getScoreJobResult({ jobId: "start-ranker-job", kind: "" });
      expect(result.scores).toHaveLength(3);
    } finally {
      client.close();
    }
    // the worker counts a batch after moving the job record, so WatchScoreJob may end just before that
    let metrics = await scrape();
    for (
      let i = 0;
      i < 100 && !/^ferret_ranker_score_batches_total\{outcome="recorded"\} 2$/m.test(metrics);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      metrics = await scrape();
    }
    // one call per method; Rerank without a run is INVALID_INPUT
    for (const method of ["Score", "SubmitScoreJob", "WatchScoreJob", "GetScoreJobResult"]) {
      expect(metrics).toMatch(
        new RegExp(`^ferret_ranker_calls_total\\{method="${method}",outcome="OK"\\} 1$`, "m"),
      );
      expect(metrics).toMatch(
        new RegExp(`^ferret_ranker_call_seconds_count\\{method="${method}"\\} 1$`, "m"),
      );
    }
    expect(metrics).toMatch(/^ferret_ranker_calls_total\{method="Rerank",outcome="INVALID_INPUT"\} 1$/m);
    expect(metrics).not.toMatch(/^ferret_ranker_calls_total\{method="Rerank",outcome="OK"\}/m);
    // 3 pairs in Score, then the same 3 in the job: 3 pairs in batches of 2 = 2 batches, each recorded once
    expect(metrics).toMatch(/^ferret_ranker_pairs_scored_total 6$/m);
    expect(metrics).toMatch(/^ferret_ranker_score_batches_total\{outcome="recorded"\} 2$/m);
    expect(metrics).not.toMatch(
      /^ferret_ranker_score_batches_total\{outcome="(skipped|lost-race|failed)"\}/m,
    );
  });
});
