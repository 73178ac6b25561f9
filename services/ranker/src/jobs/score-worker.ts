/**
 * The scoring job worker: takes batches from the "ranker-score" work queue, scores their pairs with the
 * job's cross-encoder and records each batch's scores exactly once, however often it is delivered.
 *
 * Exactly-once results on an at-least-once queue: a batch's result is written with KV create-if-absent
 * under `<job>.<batch>`. A delivery first looks the key up and acks without scoring when it is there (the
 * previous worker died after recording, before acking); a worker that loses a race to record (two
 * deliveries running at once after an ack-wait expiry) keeps the first result and acks. A worker killed
 * before recording leaves no trace; the bus redelivers the batch after its ack wait.
 *
 * Progress and completion are derived from the recorded batches, not counted by increments, so a crash
 * between recording and updating the job record is repaired by the next delivery of any batch of the job:
 * every delivery ends by counting the job's recorded batches and moving the job record forward with
 * compare-and-set (never backwards). The worker that sees the last batch recorded writes the assembled
 * scores to the object store (deterministic name: a repeat writes the same bytes), marks the job succeeded
 * and publishes ranker.scores.completed under an event id derived from the job (deduplicated by the bus).
 */
import { hostname } from "node:os";
import {
  NonRetryableError,
  isRetryable,
  type Bus,
  type Job,
  type KvStore,
  type ObjectStore,
  type QueueOptions,
} from "@ferret/bus";
import { AlreadyExistsError, ConflictError, isFerretError } from "@ferret/errors";
import { silentLogger, type Logger } from "@ferret/logging";
import type { PairScorer } from "../rerank/pair-scorer.js";
import { assembleScores, scoresToTsv } from "./score-job-results.js";
import {
  DEFAULT_SCORE_JOB_NAMES,
  SCORES_COMPLETED_EVENT,
  SCORES_PROGRESS_EVENT,
  batchKey,
  jobKey,
  resultObjectName,
  type ScoreBatchMessage,
  type ScoreBatchResult,
  type ScoreJobNames,
  type ScoreJobRecord,
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
  failed: number;
}

export interface ScoreWorker {
  stats(): ScoreWorkerStats;
  stop(options?: { graceMs?: number }): Promise<void>;
}

const DEFAULT_MAX_DELIVERIES = 5;
const CAS_ATTEMPTS = 20;

export async function startScoreWorker(options: ScoreWorkerOptions): Promise<ScoreWorker> {
  const { bus } = options;
  const names = { ...DEFAULT_SCORE_JOB_NAMES, ...options.names };
  const logger = (options.logger ?? silentLogger()).child({ component: "score-worker" });
  const maxDeliveries = options.queueOptions?.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
  const worker = `${hostname()}:${process.pid}`;
  const queue = await bus.queue<ScoreBatchMessage>(names.queue, options.queueOptions);
  const jobs = await bus.kv<ScoreJobRecord>(names.jobsBucket);
  const batches = await bus.kv<ScoreBatchResult>(names.batchesBucket);
  const results = await bus.objects(names.resultsBucket);
  const stats: ScoreWorkerStats = { recorded: 0, skipped: 0, lostRaces: 0, failed: 0 };
  const metrics = options.metrics;

  async function handle(job: Job<ScoreBatchMessage>): Promise<void> {
    const { jobId, batch, model, quantized, pairs } = job.data;
    const log = logger.child({ job: jobId, batch, delivery: job.deliveryCount });
    const key = batchKey(jobId, batch);
    let scored = 0;
    try {
      let outcome: "recorded" | "skipped" | "lost-race";
      if ((await batches.get(key)) !== undefined) {
        stats.skipped++;
        outcome = "skipped";
        log.info("batch already recorded; acking without rescoring");
      } else {
        const scorer = await options.scorers(model, quantized);
        const scores = await scorer.score(
          pairs.map((p) => [p[2], p[3]] as const),
          { signal: job.signal, onProgress: () => job.working() },
        );
        scored = pairs.length;
        const result: ScoreBatchResult = {
          batch,
          queryIds: pairs.map((p) => p[0]),
          docIds: pairs.map((p) => p[1]),
          scores,
          worker,
          deliveryCount: job.deliveryCount,
        };
        try {
          await batches.create(key, result);
          stats.recorded++;
          outcome = "recorded";
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
          stats.lostRaces++;
          outcome = "lost-race";
          log.info("another delivery recorded this batch first; keeping its result");
        }
      }
      await advanceJob(jobs, batches, results, names, jobId, bus, log);
      metrics?.batchFinished(outcome, scored);
    } catch (err) {
      metrics?.batchFinished("failed", scored);
      const last = !isRetryable(err) || job.deliveryCount >= maxDeliveries;
      if (last && !job.signal.aborted) {
        stats.failed++;
        await failJob(jobs, jobId, err).catch((e: unknown) =>
          log.warn({ err: e }, "could not mark job failed"),
        );
      }
      log.warn({ err, last }, "score batch failed");
      throw isRetryable(err) ? err : new NonRetryableError(messageOf(err), { cause: err });
    }
  }

  const consumer = queue.consume(handle, { concurrency: options.concurrency ?? 1 });
  return {
    stats: () => ({ ...stats }),
    stop: (opts) => consumer.stop(opts),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Moves the job record forward from the recorded batches (compare-and-set, never backwards). */
async function advanceJob(
  jobs: KvStore<ScoreJobRecord>,
  batches: KvStore<ScoreBatchResult>,
  results: ObjectStore,
  names: ScoreJobNames,
  jobId: string,
  bus: Bus,
  log: Logger,
): Promise<void> {
  const done = (await batches.keys(`${jobId}.*`)).length;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const entry = await jobs.get(jobKey(jobId));
    if (entry === undefined) {
      log.warn("no job record for a recorded batch (job deleted?)");
      return;
    }
    const current = entry.value;
    if (current.state === "succeeded" || current.state === "failed") return;
    const next: ScoreJobRecord = {
      ...current,
      done: Math.max(current.done, done),
      state: "running",
      updatedAt: new Date().toISOString(),
    };
    if (next.done >= current.batches) {
      const rows = await assembleScores(batches, current);
      const info = await results.put(resultObjectName(jobId), new TextEncoder().encode(scoresToTsv(rows)), {
        description: "cross-encoder scores: query id, doc id, score (TSV, submission order)",
        metadata: { job: jobId, model: current.model },
      });
      next.state = "succeeded";
      next.result = { bucket: names.resultsBucket, name: info.name, sha256: info.sha256, size: info.size };
    } else if (next.done === current.done && current.state === "running") {
      return; // nothing new to record
    }
    try {
      await jobs.update(jobKey(jobId), next, entry.revision);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    const progress = { jobId, done: next.done, total: next.batches, state: next.state };
    await bus.events
      .publish(SCORES_PROGRESS_EVENT, progress)
      .catch((err: unknown) => log.warn({ err }, "could not publish progress"));
    if (next.state === "succeeded") {
      await bus.events.publish(
        SCORES_COMPLETED_EVENT,
        { jobId, model: next.model, totalPairs: next.totalPairs, result: next.result },
        { id: `${SCORES_COMPLETED_EVENT}.${jobId}` },
      );
      log.info({ pairs: next.totalPairs, batches: next.batches }, "score job succeeded");
    }
    return;
  }
  log.warn("job record kept changing; leaving progress to the next delivery");
}

async function failJob(jobs: KvStore<ScoreJobRecord>, jobId: string, err: unknown): Promise<void> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const entry = await jobs.get(jobKey(jobId));
    if (entry === undefined || entry.value.state === "succeeded" || entry.value.state === "failed") return;
    const next: ScoreJobRecord = {
      ...entry.value,
      state: "failed",
      updatedAt: new Date().toISOString(),
      error: { code: isFerretError(err) ? err.code : "INTERNAL", message: messageOf(err) },
    };
    try {
      await jobs.update(jobKey(jobId), next, entry.revision);
      return;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }
}
