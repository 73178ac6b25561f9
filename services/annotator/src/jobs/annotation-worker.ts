/**
 * The worker side of annotation jobs, on @ferret/jobs: takes batch messages off the shared queue
 * (consumeJobs: a message of a final job is acked without work, and a batch given up by the bus fails
 * its job with the last error), runs each item of the batch (through the outcome cache, so an item
 * answered before, by a worker that died or in another job, costs no LLM call), then records the
 * batch's labels once and counts it once (runBatch). A batch redelivered after a worker died is redone
 * from the cache and can never be stored or counted twice; a batch already stored is only (re)counted.
 * Per item that leaves a cache read and a cache write, both grouped per batch (batch-cache.ts). Items
 * of a batch run `itemConcurrency` at a time (the LLM limiter bounds calls across batches).
 * The delivery that counts the last batch publishes the labels dataset to the results object store,
 * marks the job succeeded with it as outputs, and publishes `annotation.completed`. Each delivery's
 * outcome and each item labelled go to the injected metrics.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import type { Consumer, Job } from "@ferret/bus";
import { CancelledError } from "@ferret/errors";
import { consumeJobs, runBatch } from "@ferret/jobs";
import { type Logger, silentLogger } from "@ferret/logging";
import { AnnotationCompleted } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import type { LabelRecord } from "../labels.js";
import { firstStepKeys, processItem, type WorkItem } from "../work-items.js";
import { batchObjectName, type AnnotationStore } from "./annotation-store.js";
import { BatchCache } from "./batch-cache.js";
import { countLabels } from "./batch-counts.js";
import type { AnnotationJob, BatchFile, BatchLabels, BatchMessage } from "./job-types.js";
import { publishJobLabels } from "./publish-labels.js";

const CANCEL_POLL_MS = 200;

export interface WorkerOptions {
  /** Batches handled at once by this replica. Default 2. */
  batchConcurrency?: number;
  /** Items of one batch in flight at once. Default 4. */
  itemConcurrency?: number;
  logger?: Logger;
  /** Default: recorded nowhere. */
  metrics?: AnnotationWorkerMetrics;
}

/**
 * How a batch delivery ended: "labelled" (this delivery stored the batch), "lost-race" (labelled, but
 * another delivery stored it first), "skipped" (already stored: only counted), "inactive" (the job was
 * final before it started), "cancelled" (cancelled meanwhile) or "failed".
 */
export type BatchOutcome = "labelled" | "lost-race" | "skipped" | "inactive" | "cancelled" | "failed";

/** What the worker reports (the annotator's Prometheus metrics implement it). */
export interface AnnotationWorkerMetrics {
  batchFinished(outcome: BatchOutcome): void;
  /** An item run by this worker: "ok" when all its labels are, else "failed". */
  itemLabelled(outcome: "ok" | "failed"): void;
}

export const noWorkerMetrics: AnnotationWorkerMetrics = {
  batchFinished: () => undefined,
  itemLabelled: () => undefined,
};

type Delivery = Pick<Job<BatchMessage>, "data" | "signal">;

/** The job was cancelled while its batch ran: the delivery ends without recording the batch. */
class BatchCancelled extends Error {}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

async function batchItems(store: AnnotationStore, message: BatchMessage): Promise<WorkItem[]> {
  if (message.items) return message.items;
  const bytes = await store.batches.getBytes(batchObjectName(message.jobId, message.batch));
  return (JSON.parse(new TextDecoder().decode(bytes)) as BatchFile).items;
}

/**
 * Runs the batch's items. Throws BatchCancelled when the job is cancelled meanwhile, and a
 * CancelledError when the delivery's signal aborts (the bus then hands the batch to another delivery).
 */
async function labelBatch(
  store: AnnotationStore,
  annotator: Annotator,
  job: Delivery,
  items: WorkItem[],
  itemConcurrency: number,
  metrics: AnnotationWorkerMetrics,
): Promise<LabelRecord[]> {
  const { jobId } = job.data;
  // Every item in flight listens on the delivery's signal (fetch, retry sleeps): allow that many.
  setMaxListeners(Math.max(getMaxListeners(job.signal), itemConcurrency * 4 + 10), job.signal);
  let cancelled = false;
  // Cancellation is polled at most every CANCEL_POLL_MS, not per item: per-item bus round trips are
  // measurable when LLM calls are fast. (The ack deadline is consumeJobs' heartbeat, startAnnotationWorker.)
  let checkedAt = Date.now();
  const perItem = await mapLimit(items, itemConcurrency, async (item) => {
    if (cancelled || job.signal.aborted) return [];
    if (Date.now() - checkedAt >= CANCEL_POLL_MS) {
      checkedAt = Date.now();
      if ((await store.jobs.get(jobId))?.state === "cancelled") cancelled = true;
    }
    if (cancelled) return [];
    const labels = await processItem(annotator, item, job.signal);
    metrics.itemLabelled(labels.every((l) => l.status === "ok") ? "ok" : "failed");
    return labels;
  });
  if (cancelled) throw new BatchCancelled(`job ${jobId} was cancelled`);
  if (job.signal.aborted) throw new CancelledError(`batch ${job.data.batch} of job ${jobId} interrupted`);
  return perItem.flat().map((l) => ({ ...l, jobId }));
}

/** One delivery of a batch: labels it (unless stored), records and counts it once, completes the job. */
export async function handleBatch(
  store: AnnotationStore,
  annotator: Annotator,
  job: Delivery,
  record: AnnotationJob,
  options: WorkerOptions = {},
): Promise<void> {
  const metrics = options.metrics ?? noWorkerMetrics;
  try {
    metrics.batchFinished(await labelAndCount(store, annotator, job, record, options, metrics));
  } catch (err) {
    metrics.batchFinished("failed");
    throw err;
  }
}

async function labelAndCount(
  store: AnnotationStore,
  annotator: Annotator,
  job: Delivery,
  record: AnnotationJob,
  options: WorkerOptions,
  metrics: AnnotationWorkerMetrics,
): Promise<BatchOutcome> {
  const logger = options.logger ?? silentLogger();
  const { jobId, batch } = job.data;
  const shared = annotator.options.cache;
  const cache = shared ? new BatchCache(shared) : undefined;
  const firstKeys = (items: WorkItem[]) => items.flatMap((item) => firstStepKeys(annotator, item));
  // The batch's opening reads are issued together (on NATS one socket write): the cached answers of
  // its items' first steps, with the move of a queued job to running.
  if (job.data.items) cache?.prefetch(firstKeys(job.data.items));
  if (record.state === "queued") await store.jobs.start(jobId);
  try {
    const run = await runBatch(store.jobs, store.ledger, {
      jobId,
      batch,
      compute: async (): Promise<BatchLabels> => {
        const items = await batchItems(store, job.data);
        if (!job.data.items) cache?.prefetch(firstKeys(items));
        const labels = await labelBatch(
          store,
          cache ? annotator.withCache(cache) : annotator,
          job,
          items,
          options.itemConcurrency ?? 4,
          metrics,
        );
        await cache?.flush();
        return { batch, labels, counts: countLabels(items.length, labels) };
      },
      counts: (stored) => stored.counts,
    });
    if (run.complete) await completeJob(store, run.record, logger);
    return run.outcome === "recorded" ? "labelled" : run.outcome;
  } catch (err) {
    if (!(err instanceof BatchCancelled) && !(err instanceof CancelledError)) throw err;
    // the answers already paid for still go to the cache
    await cache?.flush().catch(() => undefined);
    if (err instanceof BatchCancelled) return "cancelled";
    throw err;
  }
}

async function completeJob(store: AnnotationStore, record: AnnotationJob, logger: Logger): Promise<void> {
  const { jobId } = record;
  // Published before the job turns succeeded, so a reader never sees it succeeded without outputs; a
  // worker dying in between leaves the batch unacked, and its redelivery puts the same bytes again.
  const published = await publishJobLabels(store, jobId);
  const final = await store.jobs.succeed(jobId, { outputs: published.outputs });
  if (final.state !== "succeeded") return;
  const completed: AnnotationCompleted = {
    job: { jobId, kind: `annotate.${record.spec.task}` },
    task: record.spec.task,
    labels: published.labels,
    itemsLabelled: published.ok,
    itemsFailed: published.failed,
    at: new Date(),
  };
  await store.bus.events.publish("annotation.completed", AnnotationCompleted.toJSON(completed), {
    id: `annotation.completed.${jobId}.${record.spec.submissions}`,
  });
  logger.info({ jobId, labels: completed.labels }, "annotation job completed");
}

export function startAnnotationWorker(
  store: AnnotationStore,
  annotator: Annotator,
  options: WorkerOptions = {},
): Consumer {
  const metrics = options.metrics ?? noWorkerMetrics;
  return consumeJobs(store.queue, {
    jobs: store.jobs,
    jobIdOf: (message) => message.data.jobId,
    handle: (message, record) => handleBatch(store, annotator, message, record, options),
    onSkipped: () => metrics.batchFinished("inactive"),
    // Every quarter ack wait while the batch runs, also within one LLM call longer than the wait (a
    // local model on a busy CPU): only a dead worker's batch goes to another replica.
    heartbeatMs: Math.max(50, store.ackWaitMs / 4),
    concurrency: options.batchConcurrency ?? 2,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
