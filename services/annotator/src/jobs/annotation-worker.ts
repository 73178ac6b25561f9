/**
 * The worker side of annotation jobs: takes batch messages off the shared queue, and for each item not
 * yet labelled runs the task (through the cache) and stores its labels with create-if-absent, so a batch
 * redelivered after a worker died resumes where the dead worker stopped and never writes an item twice.
 * Items of a batch run `itemConcurrency` at a time (the LLM limiter bounds calls across batches); the
 * ack wait is renewed after each item. The worker that completes the last batch publishes the labels
 * dataset to the results object store, marks the job done with it as outputs, and publishes
 * `annotation.completed` (an AnnotationCompleted whose `labels` names labels.jsonl).
 */
import type { Consumer, Job } from "@ferret/bus";
import { AlreadyExistsError } from "@ferret/errors";
import { type Logger, silentLogger } from "@ferret/logging";
import { AnnotationCompleted } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import { itemKey, processItem } from "../work-items.js";
import { batchObjectName, labelKey, type JobStore } from "./job-store.js";
import { getJob, transitionJob } from "./job-state.js";
import type { BatchFile, BatchMessage } from "./job-types.js";
import { publishJobLabels } from "./publish-labels.js";

const CANCEL_POLL_MS = 200;

export interface WorkerOptions {
  /** Batches handled at once by this replica. Default 2. */
  batchConcurrency?: number;
  /** Items of one batch in flight at once. Default 4. */
  itemConcurrency?: number;
  logger?: Logger;
  /** Name recorded on batch-done markers. */
  workerName?: string;
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

export async function handleBatch(
  store: JobStore,
  annotator: Annotator,
  job: Pick<Job<BatchMessage>, "data" | "signal" | "working">,
  options: WorkerOptions = {},
): Promise<void> {
  const logger = options.logger ?? silentLogger();
  const { jobId, batch } = job.data;
  const record = await getJob(store, jobId);
  if (record.state === "cancelled" || record.state === "succeeded") return;
  await transitionJob(store, jobId, "running", { from: ["queued"] });
  const file = JSON.parse(
    new TextDecoder().decode(await store.batches.getBytes(batchObjectName(jobId, batch))),
  ) as BatchFile;
  let cancelled = false;
  // Cancellation is polled at most every CANCEL_POLL_MS, not per item: a KV read per item is
  // measurable overhead when LLM calls are fast (bench/annotate).
  let checkedAt = Date.now();
  await mapLimit(file.items, options.itemConcurrency ?? 4, async (item) => {
    if (cancelled || job.signal.aborted) return;
    if (Date.now() - checkedAt >= CANCEL_POLL_MS) {
      checkedAt = Date.now();
      if ((await getJob(store, jobId)).state === "cancelled") cancelled = true;
    }
    if (cancelled) return;
    const key = labelKey(jobId, itemKey(item));
    if (await store.labels.get(key)) return; // finished before (restart or redelivery)
    const labels = await processItem(annotator, item, job.signal);
    try {
      await store.labels.create(
        key,
        labels.map((l) => ({ ...l, jobId })),
      );
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err; // another delivery got there first
    }
    job.working();
  });
  if (cancelled || job.signal.aborted) return;
  try {
    await store.done.create(`${jobId}.b${batch}`, {
      at: new Date().toISOString(),
      by: options.workerName ?? "worker",
    });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  const done = (await store.done.keys(`${jobId}.*`)).length;
  if (done >= record.batches) {
    if (!["queued", "running"].includes((await getJob(store, jobId)).state)) return;
    // Published before the job turns succeeded, so a reader never sees it succeeded without outputs; a
    // worker dying in between leaves the batch unacked, and its redelivery puts the same bytes again.
    const published = await publishJobLabels(store, jobId);
    const final = await transitionJob(store, jobId, "succeeded", {
      from: ["queued", "running"],
      outputs: published.outputs,
    });
    if (final.state === "succeeded") {
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
  }
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
