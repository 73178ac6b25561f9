/**
 * The evaluation job worker: takes EvaluateRequests from the bus work queue ("evaluator" by default,
 * NATS subject ferret.jobs.evaluator), evaluates them like the Evaluate RPC, stores the per-query values as
 * a JSON artifact in the object store, publishes evaluation.completed (an EvaluationCompleted message, proto3
 * JSON) and records the job's state and result in KV (../jobs/job-record.ts). Runs on either bus adapter.
 *
 * On the @ferret/jobs runtime (consumeJobs): a delivery whose job has ended acks without work (a
 * redelivery after a crash between the last write and the ack, or the same id published again after the
 * dedup window). Writes are ordered artifact -> event -> KV "succeeded", so "succeeded" implies the other
 * two happened; a crash before it recomputes and republishes the event under the same event id
 * (deduplicated by the bus within its window). Bad input (InputError, unknown measure, undecodable
 * payload) is permanent and fails the job at once; other errors are retried by the bus, and the job fails
 * with the last error when the bus gives the message up.
 */
import { isRetryable, type Bus, type Job, type QueueOptions } from "@ferret/bus";
import { consumeJobs } from "@ferret/jobs";
import { silentLogger, type Logger } from "@ferret/logging";
import { ArtifactRef, EvaluationCompleted } from "@ferret/proto";
import { decodeJobPayload } from "../jobs/job-payload.js";
import {
  EVALUATION_COMPLETED_EVENT,
  EVALUATION_JOBS_BUCKET,
  EVALUATION_QUEUE,
  EVALUATION_RESULTS_BUCKET,
  openEvaluationJobs,
  resultObjectName,
} from "../jobs/job-record.js";
import { formatEvaluationJson } from "../output/json.js";
import { resolveQrelsSource, resolveRunSource, type SourceContext } from "../sources.js";
import { objectStoreArtifacts, type ArtifactFetcher } from "./artifacts.js";
import { evaluateInSlices } from "./evaluate-in-slices.js";
import { REQUEST_QRELS, REQUEST_RUN } from "./evaluator-service.js";
import { evaluateOptionsFrom, measureSpecs } from "./request-options.js";
import { noMetrics, type EvaluatorMetrics } from "./service-metrics.js";

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
  /** Deliveries acked without work because the job had already ended. */
  skipped: number;
  /** Jobs marked failed. */
  failed: number;
}

export interface EvaluationWorker {
  stats(): EvaluationWorkerStats;
  /** Stops taking jobs; running ones get `graceMs` to finish (then they are redelivered elsewhere). */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startEvaluationWorker(options: EvaluationWorkerOptions): Promise<EvaluationWorker> {
  const { bus } = options;
  const logger = (options.logger ?? silentLogger()).child({ component: "evaluation-worker" });
  const metrics = options.metrics ?? noMetrics;
  const artifacts = options.artifacts ?? objectStoreArtifacts(bus);
  const resultsBucket = options.resultsBucket ?? EVALUATION_RESULTS_BUCKET;
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const queue = await bus.queue(options.queue ?? EVALUATION_QUEUE, options.queueOptions ?? {});
  const jobs = await openEvaluationJobs(bus, options.jobsBucket ?? EVALUATION_JOBS_BUCKET);
  const results = await bus.objects(resultsBucket);
  const stats: EvaluationWorkerStats = { computed: 0, skipped: 0, failed: 0 };

  async function evaluateJob(job: Job<unknown>): Promise<void> {
    const log = logger.child({ job: job.id, delivery: job.deliveryCount });
    const started = performance.now();
    try {
      await jobs.start(job.id, "reading inputs");
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
          jobs
            .setProgress(job.id, { done, total, message: "evaluating" })
            .catch((err: unknown) => log.warn({ err }, "could not record progress"));
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
        job: { jobId: job.id, kind: jobs.kind },
        means: { ...evaluation.mean },
        runName: name ?? "",
        report,
        at: new Date(),
      };
      await bus.events.publish(EVALUATION_COMPLETED_EVENT, EvaluationCompleted.toJSON(completed), {
        id: `${EVALUATION_COMPLETED_EVENT}.${job.id}`,
      });
      const n = evaluation.numQueries;
      await jobs.succeed(
        job.id,
        {
          completed: EvaluationCompleted.toJSON(completed),
          report: ArtifactRef.toJSON(report),
          numQueries: n,
        },
        { done: n, total: n, message: "done" },
      );
      stats.computed++;
      metrics.jobFinished("computed", (performance.now() - started) / 1000);
      log.info({ queries: n, means: evaluation.mean }, "evaluation job succeeded");
    } catch (err) {
      if (job.signal.aborted) log.warn({ err }, "job stopped before it finished; it will be redelivered");
      else if (isRetryable(err)) {
        metrics.jobFinished("retried", (performance.now() - started) / 1000);
        log.warn({ err }, "evaluation delivery failed; the bus retries it or gives it up");
      }
      throw err;
    }
  }

  const consumer = consumeJobs(queue, {
    jobs,
    handle: evaluateJob,
    // A request another stage put on the queue without a record.
    newJob: (job) => ({
      spec: { encoding: job.data instanceof Uint8Array ? "protobuf" : "unknown" },
      unit: "queries",
    }),
    onSkipped: () => {
      stats.skipped++;
      metrics.jobFinished("skipped", 0);
    },
    onFailed: () => {
      stats.failed++;
      metrics.jobFinished("failed", 0);
    },
    concurrency: options.concurrency ?? 1,
    logger,
  });
  return {
    stats: () => ({ ...stats }),
    stop: (stopOptions) => consumer.stop(stopOptions),
  };
}
