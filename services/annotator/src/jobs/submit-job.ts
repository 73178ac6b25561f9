/**
 * Splits a job into batches and publishes one queue message per batch so any number of worker replicas
 * share the job. A batch travels inside its message when its JSON is at most INLINE_BATCH_BYTES (one
 * bus operation per batch); a larger one goes to the batches object store and the message names it.
 * Submitting an existing job id again (a restart) re-publishes every batch with fresh dedup ids; workers
 * skip the batches already stored and take every item answered before from the outcome cache, so only
 * unfinished work costs anything.
 */
import { AlreadyExistsError, InvalidArgumentError } from "@ferret/errors";
import type { WorkItem } from "../work-items.js";
import { batchObjectName, type JobStore } from "./job-store.js";
import type { BatchFile, BatchMessage, JobRecord } from "./job-types.js";

export interface SubmitJobRequest {
  jobId: string;
  kind: string;
  items: WorkItem[];
  /** Items per batch (queue message). Default 16: per-batch bus work is amortised over more items, and a redelivery redoes at most 16 (their answers mostly from the cache). */
  batchSize?: number;
  pricing?: JobRecord["pricing"];
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** In characters of JSON: even at 3 UTF-8 bytes each, under NATS's default 1 MiB max_payload. */
export const INLINE_BATCH_BYTES = 256 * 1024;

export async function submitJob(store: JobStore, request: SubmitJobRequest): Promise<JobRecord> {
  if (!JOB_ID.test(request.jobId)) {
    throw new InvalidArgumentError(`job id must match ${JOB_ID.source}: ${JSON.stringify(request.jobId)}`);
  }
  const batchSize = Math.max(1, request.batchSize ?? 16);
  const batches = Math.ceil(request.items.length / batchSize);
  const now = new Date().toISOString();
  let record: JobRecord = {
    jobId: request.jobId,
    kind: request.kind,
    state: batches === 0 ? "succeeded" : "queued",
    totalItems: request.items.length,
    batches,
    batchSize,
    submissions: 1,
    createdAt: now,
    updatedAt: now,
    ...(request.pricing ? { pricing: request.pricing } : {}),
  };
  try {
    await store.jobs.create(request.jobId, record);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const existing = (await store.jobs.get(request.jobId))!;
    if (existing.value.totalItems !== record.totalItems || existing.value.batchSize !== batchSize) {
      throw new InvalidArgumentError(
        `job ${request.jobId} exists with ${existing.value.totalItems} items in batches of ${existing.value.batchSize}; ` +
          "a restart must submit the same items",
      );
    }
    if (existing.value.state === "succeeded") return existing.value;
    record = {
      ...existing.value,
      state: "queued",
      submissions: existing.value.submissions + 1,
      updatedAt: now,
    };
    await store.jobs.update(request.jobId, record, existing.revision);
  }
  for (let b = 0; b < batches; b++) {
    const items = request.items.slice(b * batchSize, (b + 1) * batchSize);
    const id = `${request.jobId}:${b}:${record.submissions}`;
    const inline: BatchMessage = { jobId: request.jobId, batch: b, items };
    // Sizing costs a stringify per batch (not per item); the bus serialises the message once more.
    if (JSON.stringify(inline).length <= INLINE_BATCH_BYTES) {
      await store.queue.publish(inline, { id });
    } else {
      const file: BatchFile = { jobId: request.jobId, batch: b, items };
      await store.batches.put(
        batchObjectName(request.jobId, b),
        new TextEncoder().encode(JSON.stringify(file)),
      );
      await store.queue.publish({ jobId: request.jobId, batch: b }, { id });
    }
  }
  return record;
}
