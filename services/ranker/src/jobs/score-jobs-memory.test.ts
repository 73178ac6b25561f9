/**
 * Exactly-once scoring jobs on the in-process bus (embedded mode): the doomed worker is a consumer whose
 * scorer never returns on its third batch (a process cannot lose one of its own consumers otherwise); the
 * bus redelivers that batch after the ack wait. See test-support/exactly-once-scenario.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus } from "@ferret/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CrossEncoderScorer, type PairScorer } from "../rerank/pair-scorer.js";
import {
  HANG_ON,
  runExactlyOnceScenario,
  type DoomedScoreWorker,
} from "../test-support/exactly-once-scenario.js";
import { TINY_CE } from "../test-support/fixtures.js";
import { ModelCatalog } from "../rerank/model-catalog.js";
import { FIXTURES_DIR } from "../test-support/fixtures.js";
import { readScoreJob, watchScoreJob } from "./score-job-results.js";
import { DEFAULT_SCORE_JOB_NAMES, type ScoreJobNames } from "./score-job-record.js";
import { submitScoreJob } from "./submit-score-job.js";
import { startScoreWorker } from "./score-worker.js";

let dir: string;
let bus: Bus;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-ranker-jobs-"));
  bus = await createBus({ kind: "memory", dir });
});
afterAll(async () => {
  await bus?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

describe("score jobs on the in-process bus", () => {
  it("record every pair exactly once when a worker dies mid-job", async () => {
    const queueOptions = { ackWaitMs: 1_000, maxDeliveries: 5 };
    const names = DEFAULT_SCORE_JOB_NAMES;
    await runExactlyOnceScenario(
      {
        bus,
        names,
        queueOptions,
        async startDoomedWorker(): Promise<DoomedScoreWorker> {
          const real = await CrossEncoderScorer.load(TINY_CE, { intraOpNumThreads: 1 });
          let calls = 0;
          let hang!: (first: readonly [string, string]) => void;
          const hung = new Promise<readonly [string, string]>((resolve) => (hang = resolve));
          const doomed: PairScorer = {
            name: real.name,
            async score(pairs, options) {
              const scores = await real.score(pairs, options);
              if (++calls === HANG_ON) {
                hang(pairs[0] as readonly [string, string]);
                await new Promise(() => undefined); // dies before its worker records the batch
              }
              return scores;
            },
            close: () => real.close(),
          };
          const worker = await startScoreWorker({ bus, scorers: async () => doomed, names, queueOptions });
          let killed = false;
          return {
            hung,
            async kill() {
              if (killed) return;
              killed = true;
              await worker.stop({ graceMs: 0 });
              await real.close();
            },
          };
        },
      },
      "memory-job-1",
    );
  }, 120_000);

  it("marks a job failed when a batch fails on its last delivery, dead-letters it, and ends the watch", async () => {
    const names: ScoreJobNames = {
      queue: "ranker-score-failing",
      jobsBucket: "ranker-jobs-failing",
      batchesBucket: "ranker-batches-failing",
      resultsBucket: "ranker-results-failing",
    };
    const queueOptions = {
      ackWaitMs: 1_000,
      maxDeliveries: 2,
      backoff: { initialMs: 20, factor: 1, maxMs: 20, jitter: 0 },
    };
    const models = new ModelCatalog({ root: FIXTURES_DIR });
    const worker = await startScoreWorker({
      bus,
      scorers: (m, q) => models.scorer(m, q),
      names,
      queueOptions,
    });
    try {
      await submitScoreJob(bus, {
        jobId: "missing-model",
        model: "no-such-model",
        pairs: [["q1", "d1", "query", "passage"]],
        names,
        queueOptions,
      });
      const states: string[] = [];
      for await (const record of watchScoreJob(bus, "missing-model", { names })) states.push(record.state);
      expect(states[states.length - 1]).toBe("failed");
      const record = (await readScoreJob(bus, "missing-model", names))!;
      expect(record.error?.code).toBe("NOT_FOUND");
      expect(record.error?.message).toContain('no model "no-such-model"');
      expect(worker.stats().failed).toBe(1);
      const dlq = (await bus.queue(names.queue, queueOptions)).deadLetters()!;
      expect((await dlq.stats()).pending).toBe(1);
    } finally {
      await worker.stop({ graceMs: 1_000 });
      await models.close();
    }
  }, 30_000);
});
