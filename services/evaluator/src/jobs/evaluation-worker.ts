/**
 * The evaluation job worker: takes EvaluateRequests from the bus work queue ("evaluator" by default,
 * NATS subject ferret.jobs.evaluator), evaluates them like the Evaluate RPC, stores the per-query values as
 * a JSON artifact in the object store, publishes evaluation.completed (an EvaluationCompleted message, proto3
 * JSON) and records the job's state and result in KV (job-record.ts). Runs on either bus adapter.
 *
 * Idempotent per job id: a delivery whose job already succeeded acks without recomputing (a redelivery
 * after a crash between the last write and the ack, or the same id published again after the dedup window).
 * Writes are ordered artifact -> event -> KV "succeeded", so "succeeded" implies the other two happened;
 * a crash before it recomputes and republishes the event under the same event id (deduplicated by the bus
 * within its window).
 *
 * Failures: bad input (InputError, unknown measure, undecodable payload) is permanent: the job is marked
 * failed and dead-lettered at once. Other errors are retried by the bus with backoff; the job is marked
 * failed when its last delivery fails. A job whose signal fires (consumer stopping, ack wait passed) is left
 * to its redelivery.
 */
import {
  NonRetryableError,
  isRetryable,
  type Bus,
  type Job,
  type KvStore,
  type QueueOptions,
} from "@ferret/bus";
import { isFerretError } from "@ferret/errors";
import { silentLogger, type Logger } from "@ferret/logging";
import { EvaluationCompleted, JobState, type ArtifactRef } from "@ferret/proto";
import { formatEvaluationJson } from "../output/json.js";
import { resolveQrelsSource, resolveRunSource, type SourceContext } from "../sources.js";
import { objectStoreArtifacts, type ArtifactFetcher } from "../service/artifacts.js";
import { evaluateInSlices } from "../service/evaluate-in-slices.js";
import { REQUEST_QRELS, REQUEST_RUN } from "../service/evaluator-service.js";
import { evaluateOptionsFrom, measureSpecs } from "../service/request-options.js";
import { noMetrics, type EvaluatorMetrics } from "../service/service-metrics.js";
import { decodeJobPayload } from "./job-payload.js";
import {
  EVALUATION_COMPLETED_EVENT,
  EVALUATION_JOBS_BUCKET,
  EVALUATION_QUEUE,
  EVALUATION_RESULTS_BUCKET,
  fromStored,
  jobStatus,
  resultObjectName,
  toStored,
  type EvaluationJobRecord,
  type StoredJobRecord,
} from "./job-record.js";

export interface EvaluationWorkerOptions {
  bus: Bus;
  /** Where the requests' ArtifactRefs are read from. Default: the bus object store. */
  artifacts?: ArtifactFetcher;
  /** Work queue name. Default "evaluator". */
  queue?: string;
  /** KV bucket of job records. Default "evaluator-jobs". */
  jobsBucket?: string;
  /** Object bucket of per-query results. Default "evaluator-results". */
  resultsBucket?: string;
  /** Give producers the same options (the last to open a queue sets them). */
  queueOptions?: QueueOptions;
  /** Jobs evaluated at once by this worker. Default 1. */
  concurrency?: number;
  logger?: Logger;
  metrics?: EvaluatorMetrics;
  sliceQueries?: number;
  /** Minimum time between progress writes to KV. Default 1 s. */
  progressIntervalMs?: number;
}

export interface EvaluationWorkerStats {
  /** Jobs evaluated and stored. */
  computed: number;
  /** Deliveries acked without work because the job had already succeeded. */
  skipped: number;
  /** Jobs marked failed. */
  failed: number;
}

export interface EvaluationWorker {
  stats(): EvaluationWorkerStats;
  /** Stops taking jobs; running ones get `graceMs` to finish (then they are redelivered elsewhere). */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const DEFAULT_MAX_DELIVERIES = 5;

export async function startEvaluationWorker(options: EvaluationWorkerOptions): Promise<EvaluationWorker> {
  const { bus } = options;
  const logger = (options.logger ?? silentLogger()).child({ component: "evaluation-worker" });
  const metrics = options.metrics ?? noMetrics;
  const artifacts = options.artifacts ?? objectStoreArtifacts(bus);
  const queueOptions = options.queueOptions ?? {};
  const maxDeliveries = queueOptions.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
  const resultsBucket = options.resultsBucket ?? EVALUATION_RESULTS_BUCKET;
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const queue = await bus.queue(options.queue ?? EVALUATION_QUEUE, queueOptions);
  const kv = await bus.kv<StoredJobRecord>(options.jobsBucket ?? EVALUATION_JOBS_BUCKET);
  const results = await bus.objects(resultsBucket);
  const stats: EvaluationWorkerStats = { computed: 0, skipped: 0, failed: 0 };

  async function run(job: Job<unknown>): Promise<void> {
    const started = performance.now();
    const log = logger.child({ job: job.id, delivery: job.deliveryCount });
    const existing = await kv.get(job.id);
    const previous = existing === undefined ? undefined : fromStored(existing.value);
    if (previous?.status.state === JobState.JOB_STATE_SUCCEEDED) {
      stats.skipped++;
      metrics.jobFinished("skipped", (performance.now() - started) / 1000);
      log.info("job already succeeded; acking without recomputing");
      return;
    }
    const createdAt = previous?.status.createdAt ?? job.publishedAt;
    const put = (record: EvaluationJobRecord) => kv.put(job.id, toStored(record));

    try {
      await put({
        status: jobStatus({
          jobId: job.id,
          state: JobState.JOB_STATE_RUNNING,
          createdAt,
          message: "reading inputs",
        }),
      });
      const request = decodeJobPayload(job.data);
      const measures = measureSpecs(request.measures);
      let lastWrite = performance.now();
      const context: SourceContext = { artifacts, signal: job.signal, onProgress: () => job.working() };
      const [{ run, name }, qrels] = await Promise.all([
        resolveRunSource(request.run, REQUEST_RUN, context),
        resolveQrelsSource(request.qrels, REQUEST_QRELS, context),
      ]);
      const evaluation = await evaluateInSlices(run, qrels, measures, evaluateOptionsFrom(request.options), {
        signal: job.signal,
        ...(options.sliceQueries === undefined ? {} : { sliceQueries: options.sliceQueries }),
        onProgress: (done, total) => {
          job.working();
          if (performance.now() - lastWrite < progressIntervalMs) return;
          lastWrite = performance.now();
          const status = jobStatus({
            jobId: job.id,
            state: JobState.JOB_STATE_RUNNING,
            createdAt,
            done,
            total,
            message: "evaluating",
          });
          put({ status }).catch((err: unknown) => log.warn({ err }, "could not record progress"));
        },
      });

      const bytes = new TextEncoder().encode(formatEvaluationJson(evaluation));
      const info = await results.put(resultObjectName(job.id), bytes, {
        description: "per-query evaluation (Ferret EvaluationJson)",
        metadata: { job: job.id },
      });
      const report: ArtifactRef = {
        bucket: resultsBucket,
        name: info.name,
        sha256: info.sha256,
        size: info.size,
        mediaType: "application/json",
      };
      const completed: EvaluationCompleted = {
        job: { jobId: job.id, kind: "evaluate" },
        means: { ...evaluation.mean },
        runName: name ?? "",
        report,
        at: new Date(),
      };
      await bus.events.publish(EVALUATION_COMPLETED_EVENT, EvaluationCompleted.toJSON(completed), {
        id: `${EVALUATION_COMPLETED_EVENT}.${job.id}`,
      });
      await put({
        status: jobStatus({
          jobId: job.id,
          state: JobState.JOB_STATE_SUCCEEDED,
          createdAt,
          done: evaluation.numQueries,
          total: evaluation.numQueries,
          message: "done",
          outputs: [report],
        }),
        completed,
        numQueries: evaluation.numQueries,
      });
      stats.computed++;
      metrics.jobFinished("computed", (performance.now() - started) / 1000);
      log.info({ queries: evaluation.numQueries, means: evaluation.mean }, "evaluation job succeeded");
    } catch (err) {
      await recordFailure(job, err, createdAt, started, log);
      throw isRetryable(err) ? err : new NonRetryableError(messageOf(err), { cause: err });
    }
  }

  async function recordFailure(
    job: Job<unknown>,
    err: unknown,
    createdAt: Date,
    started: number,
    log: Logger,
  ) {
    if (job.signal.aborted) {
      log.warn({ err }, "job stopped before it finished; it will be redelivered");
      return;
    }
    const final = !isRetryable(err) || job.deliveryCount >= maxDeliveries;
    const code = isFerretError(err) ? err.code : "INTERNAL";
    const status = final
      ? jobStatus({
          jobId: job.id,
          state: JobState.JOB_STATE_FAILED,
          createdAt,
          errorCode: code,
          errorMessage: messageOf(err),
        })
      : jobStatus({
          jobId: job.id,
          state: JobState.JOB_STATE_QUEUED,
          createdAt,
          message: `delivery ${job.deliveryCount} failed (${messageOf(err)}); retrying`,
        });
    if (final) stats.failed++;
    metrics.jobFinished(final ? "failed" : "retried", (performance.now() - started) / 1000);
    (final ? log.error.bind(log) : log.warn.bind(log))(
      { err },
      final ? "evaluation job failed" : "evaluation job will be retried",
    );
    await kv
      .put(job.id, toStored({ status }))
      .catch((e: unknown) => log.error({ err: e }, "could not record the failure"));
  }

  const consumer = queue.consume(run, { concurrency: options.concurrency ?? 1 });
  return {
    stats: () => ({ ...stats }),
    stop: (stopOptions) => consumer.stop(stopOptions),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Opens the KV bucket of job records (for submitters and watchers). */
export function openJobRecords(bus: Bus, bucket = EVALUATION_JOBS_BUCKET): Promise<KvStore<StoredJobRecord>> {
  return bus.kv<StoredJobRecord>(bucket);
}
