/**
 * The worker side of annotation jobs: takes batch messages off the shared queue, runs each item of the
 * batch (through the outcome cache, so an item answered before — by a worker that died, or in another
 * job — costs no LLM call), then stores the batch's labels as ONE KV entry with create-if-absent and
 * adds its counts to the job's counters exactly once (job-counters.ts). A batch redelivered after a
 * worker died is redone from the cache and can never be stored or counted twice; a batch already stored
 * is only (re)counted. Per item that leaves a cache read and a cache write, both grouped per batch
 * (batch-cache.ts); everything else is per batch. Items of a batch run `itemConcurrency` at a time (the LLM limiter bounds calls across batches).
 * The worker that completes the last batch publishes the labels dataset to the results object store,
 * marks the job done with it as outputs, and publishes `annotation.completed`. Each delivery's outcome and
 * each item labelled go to the injected metrics.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import type { Consumer, Job, KvEntry } from "@ferret/bus";
import { AlreadyExistsError } from "@ferret/errors";
import { type Logger, silentLogger } from "@ferret/logging";
import { AnnotationCompleted } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import type { LabelRecord } from "../labels.js";
import { firstStepKeys, processItem, type WorkItem } from "../work-items.js";
import { BatchCache } from "./batch-cache.js";
import { countLabels, recordBatch } from "./job-counters.js";
import { batchLabelsKey, batchObjectName, type JobStore } from "./job-store.js";
import { getJob, transitionJob } from "./job-state.js";
import type { BatchFile, BatchLabels, BatchMessage, JobCounters, JobRecord } from "./job-types.js";
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
 * cancelled or done before it started), "cancelled" (cancelled or given up meanwhile) or "failed".
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

async function batchItems(store: JobStore, message: BatchMessage): Promise<WorkItem[]> {
  if (message.items) return message.items;
  const bytes = await store.batches.getBytes(batchObjectName(message.jobId, message.batch));
  return (JSON.parse(new TextDecoder().decode(bytes)) as BatchFile).items;
}

/** Runs the batch's items; undefined when the job was cancelled or the delivery given up meanwhile. */
async function labelBatch(
  store: JobStore,
  annotator: Annotator,
  job: Pick<Job<BatchMessage>, "data" | "signal" | "working">,
  items: WorkItem[],
  itemConcurrency: number,
  metrics: AnnotationWorkerMetrics,
): Promise<LabelRecord[] | undefined> {
  const { jobId } = job.data;
  // Every item in flight listens on the delivery's signal (fetch, retry sleeps): allow that many.
  setMaxListeners(Math.max(getMaxListeners(job.signal), itemConcurrency * 4 + 10), job.signal);
  let cancelled = false;
  // Cancellation is polled at most every CANCEL_POLL_MS and the ack deadline renewed at most every
  // quarter ack wait, not per item: per-item bus round trips are measurable when LLM calls are fast.
  let checkedAt = Date.now();
  let renewedAt = Date.now();
  const renewEvery = Math.max(50, store.ackWaitMs / 4);
  const perItem = await mapLimit(items, itemConcurrency, async (item) => {
    if (cancelled || job.signal.aborted) return [];
    if (Date.now() - checkedAt >= CANCEL_POLL_MS) {
      checkedAt = Date.now();
      if ((await getJob(store, jobId)).state === "cancelled") cancelled = true;
    }
    if (cancelled) return [];
    const labels = await processItem(annotator, item, job.signal);
    metrics.itemLabelled(labels.every((l) => l.status === "ok") ? "ok" : "failed");
    if (Date.now() - renewedAt >= renewEvery) {
      renewedAt = Date.now();
      job.working();
    }
    return labels;
  });
  if (cancelled || job.signal.aborted) return undefined;
  return perItem.flat().map((l) => ({ ...l, jobId }));
}

/** Creates the batch's labels entry; false when another delivery created it first. */
async function createOnce(store: JobStore, key: string, value: BatchLabels): Promise<boolean> {
  try {
    await store.labels.create(key, value);
    return true;
  } catch (err) {
    if (err instanceof AlreadyExistsError) return false;
    throw err;
  }
}

export async function handleBatch(
  store: JobStore,
  annotator: Annotator,
  job: Pick<Job<BatchMessage>, "data" | "signal" | "working">,
  options: WorkerOptions = {},
): Promise<void> {
  const metrics = options.metrics ?? noWorkerMetrics;
  try {
    metrics.batchFinished(await runBatch(store, annotator, job, options, metrics));
  } catch (err) {
    metrics.batchFinished("failed");
    throw err;
  }
}

async function runBatch(
  store: JobStore,
  annotator: Annotator,
  job: Pick<Job<BatchMessage>, "data" | "signal" | "working">,
  options: WorkerOptions,
  metrics: AnnotationWorkerMetrics,
): Promise<BatchOutcome> {
  const logger = options.logger ?? silentLogger();
  const { jobId, batch } = job.data;
  const key = batchLabelsKey(jobId, batch);
  const shared = annotator.options.cache;
  const cache = shared ? new BatchCache(shared) : undefined;
  const firstKeys = (items: WorkItem[]) => items.flatMap((item) => firstStepKeys(annotator, item));
  // The batch's opening reads are issued together (on NATS one socket write): the job's state,
  // whether the batch is stored already, and the cached answers of its items' first steps.
  if (job.data.items) cache?.prefetch(firstKeys(job.data.items));
  const [record, storedEntry] = await Promise.all([
    transitionJob(store, jobId, "running", { from: ["queued"] }),
    store.labels.get(key),
  ]);
  if (record.state === "cancelled" || record.state === "succeeded") return "inactive";
  let stored = storedEntry?.value;
  let outcome: BatchOutcome = "skipped";
  let counters: KvEntry<JobCounters> | undefined | null = null;
  if (!stored) {
    const items = await batchItems(store, job.data);
    if (!job.data.items) cache?.prefetch(firstKeys(items));
    const itemConcurrency = options.itemConcurrency ?? 4;
    const labels = await labelBatch(
      store,
      cache ? annotator.withCache(cache) : annotator,
      job,
      items,
      itemConcurrency,
      metrics,
    );
    if (!labels) {
      await cache?.flush(); // cancelled: the answers already paid for still go to the cache
      return "cancelled";
    }
    const fresh: BatchLabels = { batch, labels, counts: countLabels(items.length, labels) };
    // The closing writes go out together too: the batch's new answers, its labels, and the read of
    // the job's counters that the labels' counts are then added to.
    const [, created, read] = await Promise.all([
      cache?.flush(),
      createOnce(store, key, fresh),
      store.counters.get(jobId),
    ]);
    // when another delivery stored the batch first, count what it stored
    stored = created ? fresh : (await store.labels.get(key))!.value;
    counters = read;
    outcome = created ? "labelled" : "lost-race";
  }
  const after = await recordBatch(store, jobId, batch, stored.counts, counters);
  if (after.batchesDone >= record.batches) await completeJob(store, record, logger);
  return outcome;
}

async function completeJob(store: JobStore, record: JobRecord, logger: Logger): Promise<void> {
  const { jobId } = record;
  if (!["queued", "running"].includes((await getJob(store, jobId)).state)) return;
  // Published before the job turns succeeded, so a reader never sees it succeeded without outputs; a
  // worker dying in between leaves the batch unacked, and its redelivery puts the same bytes again.
  const published = await publishJobLabels(store, jobId);
  const final = await transitionJob(store, jobId, "succeeded", {
    from: ["queued", "running"],
    outputs: published.outputs,
  });
  if (final.state !== "succeeded") return;
  const completed: AnnotationCompleted = {
    job: { jobId, kind: `annotate.${record.kind}` },
    task: record.kind,
    labels: published.labels,
    itemsLabelled: published.ok,
    itemsFailed: published.failed,
    at: new Date(),
  };
  await store.bus.events.publish("annotation.completed", AnnotationCompleted.toJSON(completed), {
    id: `annotation.completed.${jobId}.${record.submissions}`,
  });
  logger.info({ jobId, labels: completed.labels }, "annotation job completed");
}

export function startAnnotationWorker(
  store: JobStore,
  annotator: Annotator,
  options: WorkerOptions = {},
): Consumer {
  return store.queue.consume((job) => handleBatch(store, annotator, job, options), {
    concurrency: options.batchConcurrency ?? 2,
  });
}
