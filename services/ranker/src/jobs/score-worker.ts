/**
 * The scoring job worker: takes batches from the "ranker-score" work queue, scores their pairs with the
 * job's cross-encoder and records each batch's scores exactly once, however often it is delivered
 * (@ferret/jobs: runBatch records a batch create-if-absent and counts it into progress once).
 *
 * The delivery that sees every batch counted writes the assembled scores to the object store
 * (deterministic name: a repeat writes the same bytes), marks the job succeeded and publishes
 * ranker.scores.completed under an event id derived from the job (deduplicated by the bus). A batch the
 * bus gives up on (deliveries used up, or a permanent error) fails the job with its last error
 * (consumeJobs); the job's other batches are then acked without scoring.
 */
import { hostname } from "node:os";
import type { Bus, Job, ObjectStore, QueueOptions } from "@ferret/bus";
import { consumeJobs, runBatch } from "@ferret/jobs";
import { silentLogger, type Logger } from "@ferret/logging";
import type { PairScorer } from "../rerank/pair-scorer.js";
import { assembleScores, scoresToTsv } from "./score-job-results.js";
import {
  SCORES_COMPLETED_EVENT,
  SCORES_PROGRESS_EVENT,
  openScoreJobs,
  resultObjectName,
  type ScoreBatchMessage,
  type ScoreBatchResult,
  type ScoreJobNames,
  type ScoreJobRecord,
  type ScoreJobStores,
} from "./score-job-record.js";

/** Resolves a job's model name (and variant) to a scorer; the worker does not close what it gets. */
export type ScorerResolver = (model: string, quantized: boolean) => Promise<PairScorer>;

export interface ScoreWorkerOptions {
  bus: Bus;
  scorers: ScorerResolver;
  names?: Partial<ScoreJobNames>;
  /** Give producers the same options (the last to open a queue sets them). */
  queueOptions?: QueueOptions;
  /** Batches scored at once by this worker. Default 1 (a cross-encoder already uses every core). */
  concurrency?: number;
  logger?: Logger;
  metrics?: ScoreWorkerMetrics;
}

/** What the worker reports (the ranker's Prometheus metrics implement it). */
export interface ScoreWorkerMetrics {
  /**
   * A delivery handled: "recorded", "skipped" (already recorded), "lost-race" (scored, but another
   * delivery recorded first) or "failed"; `pairsScored` is what it ran through the cross-encoder.
   */
  batchFinished(outcome: "recorded" | "skipped" | "lost-race" | "failed", pairsScored: number): void;
}

export interface ScoreWorkerStats {
  /** Batches scored and recorded by this worker. */
  recorded: number;
  /** Deliveries acked without scoring because the batch was already recorded. */
  skipped: number;
  /** Batches scored whose result another delivery had recorded first (discarded). */
  lostRaces: number;
  /** Jobs this worker marked failed. */
  failed: number;
}

export interface ScoreWorker {
  stats(): ScoreWorkerStats;
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startScoreWorker(options: ScoreWorkerOptions): Promise<ScoreWorker> {
  const { bus, metrics } = options;
  const logger = (options.logger ?? silentLogger()).child({ component: "score-worker" });
  const worker = `${hostname()}:${process.pid}`;
  const stores = await openScoreJobs(bus, options.names);
  const queue = await bus.queue<ScoreBatchMessage>(stores.names.queue, options.queueOptions);
  const results = await bus.objects(stores.names.resultsBucket);
  const stats: ScoreWorkerStats = { recorded: 0, skipped: 0, lostRaces: 0, failed: 0 };

  async function handle(job: Job<ScoreBatchMessage>): Promise<void> {
    const { jobId, batch, model, quantized, pairs } = job.data;
    const log = logger.child({ job: jobId, batch, delivery: job.deliveryCount });
    let scored = 0;
    try {
      const run = await runBatch(stores.jobs, stores.batches, {
        jobId,
        batch,
        compute: async (): Promise<ScoreBatchResult> => {
          const scorer = await options.scorers(model, quantized);
          const scores = await scorer.score(
            pairs.map((p) => [p[2], p[3]] as const),
            { signal: job.signal, onProgress: () => job.working() },
          );
          scored = pairs.length;
          return {
            batch,
            queryIds: pairs.map((p) => p[0]),
            docIds: pairs.map((p) => p[1]),
            scores,
            worker,
            deliveryCount: job.deliveryCount,
          };
        },
      });
      if (run.outcome === "recorded") stats.recorded++;
      else if (run.outcome === "skipped") stats.skipped++;
      else stats.lostRaces++;
      if (run.outcome !== "recorded")
        log.info({ outcome: run.outcome }, "batch recorded by another delivery");
      const record = run.complete ? await finishJob(bus, stores, results, run.record, log) : run.record;
      await bus.events
        .publish(SCORES_PROGRESS_EVENT, {
          jobId,
          done: record.progress.done,
          total: record.progress.total,
          state: record.state,
        })
        .catch((err: unknown) => log.warn({ err }, "could not publish progress"));
      metrics?.batchFinished(run.outcome, scored);
    } catch (err) {
      metrics?.batchFinished("failed", scored);
      log.warn({ err }, "score batch failed");
      throw err;
    }
  }

  const consumer = consumeJobs(queue, {
    jobs: stores.jobs,
    jobIdOf: (job) => job.data.jobId,
    handle,
    onSkipped: () => stats.skipped++,
    onFailed: () => stats.failed++,
    concurrency: options.concurrency ?? 1,
    logger,
  });
  return {
    stats: () => ({ ...stats }),
    stop: (opts) => consumer.stop(opts),
  };
}

/** Writes the assembled scores, marks the job succeeded and announces it (each step idempotent). */
async function finishJob(
  bus: Bus,
  { names, jobs, batches }: ScoreJobStores,
  results: ObjectStore,
  record: ScoreJobRecord,
  log: Logger,
): Promise<ScoreJobRecord> {
  const rows = await assembleScores(batches, record);
  const info = await results.put(
    resultObjectName(record.jobId),
    new TextEncoder().encode(scoresToTsv(rows)),
    {
      description: "cross-encoder scores: query id, doc id, score (TSV, submission order)",
      metadata: { job: record.jobId, model: record.spec.model },
    },
  );
  const done = await jobs.succeed(record.jobId, {
    bucket: names.resultsBucket,
    name: info.name,
    sha256: info.sha256,
    size: info.size,
  });
  if (done.state === "succeeded") {
    await bus.events.publish(
      SCORES_COMPLETED_EVENT,
      { jobId: done.jobId, model: done.spec.model, totalPairs: done.spec.totalPairs, result: done.result },
      { id: `${SCORES_COMPLETED_EVENT}.${done.jobId}` },
    );
    log.info({ pairs: done.spec.totalPairs, batches: done.progress.total }, "score job succeeded");
  }
  return done;
}
