/**
 * Splits a job into batches and publishes one queue message per batch so any number of worker replicas
 * share the job. A batch travels inside its message when its JSON is at most INLINE_BATCH_BYTES (one
 * bus operation per batch); a larger one goes to the batches object store and the message names it.
 * Submitting an existing job id again (a restart) re-publishes every batch with fresh dedup ids; workers
 * skip the batches already stored and take every item answered before from the outcome cache, so only
 * unfinished work costs anything. A failed or cancelled job submitted again starts over as a new record
 * (a final record never changes) over the same batch ledger, so its stored batches are kept and
 * counted once more into the new record.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { checkJobId, isFinal } from "@ferret/jobs";
import type { WorkItem } from "../work-items.js";
import { batchObjectName, type AnnotationStore } from "./annotation-store.js";
import type { AnnotationJob, AnnotationSpec, BatchFile, BatchMessage } from "./job-types.js";

export interface SubmitJobRequest {
  jobId: string;
  /** The task: "relevance", "utility", "queries" or "documents". */
  kind: string;
  items: WorkItem[];
  /** Items per batch (queue message). Default 16: per-batch bus work is amortised over more items, and a redelivery redoes at most 16 (their answers mostly from the cache). */
  batchSize?: number;
  pricing?: AnnotationSpec["pricing"];
}

/** In characters of JSON: even at 3 UTF-8 bytes each, under NATS's default 1 MiB max_payload. */
export const INLINE_BATCH_BYTES = 256 * 1024;

/** The job's record for this submission: created, bumped (still active) or started over (ended). */
async function recordFor(
  store: AnnotationStore,
  jobId: string,
  spec: AnnotationSpec,
  batches: number,
): Promise<AnnotationJob> {
  for (;;) {
    const { record, created } = await store.jobs.create(jobId, { spec, total: batches });
    if (created) return record;
    if (record.spec.totalItems !== spec.totalItems || record.spec.batchSize !== spec.batchSize) {
      throw new InvalidArgumentError(
        `job ${jobId} exists with ${record.spec.totalItems} items in batches of ${record.spec.batchSize}; ` +
          "a restart must submit the same items",
      );
    }
    if (record.state === "succeeded") return record;
    const submissions = record.spec.submissions + 1;
    if (isFinal(record.state)) {
      // failed or cancelled: start over under the same id (another submitter may race us: loop)
      await store.jobs.remove(jobId);
      spec = { ...spec, submissions };
      continue;
    }
    return store.jobs.update(jobId, (r) =>
      isFinal(r.state) ? undefined : { ...r, spec: { ...r.spec, submissions: r.spec.submissions + 1 } },
    );
  }
}

export async function submitJob(store: AnnotationStore, request: SubmitJobRequest): Promise<AnnotationJob> {
  const jobId = checkJobId(request.jobId);
  const batchSize = Math.max(1, request.batchSize ?? 16);
  const batches = Math.ceil(request.items.length / batchSize);
  const spec: AnnotationSpec = {
    task: request.kind,
    totalItems: request.items.length,
    batchSize,
    submissions: 1,
    ...(request.pricing ? { pricing: request.pricing } : {}),
  };
  const record = await recordFor(store, jobId, spec, batches);
  if (batches === 0) return store.jobs.succeed(jobId, { outputs: [] });
  if (record.state === "succeeded") return record;
  for (let b = 0; b < batches; b++) {
    const items = request.items.slice(b * batchSize, (b + 1) * batchSize);
    const id = `${jobId}:${b}:${record.spec.submissions}`;
    const inline: BatchMessage = { jobId, batch: b, items };
    // Sizing costs a stringify per batch (not per item); the bus serialises the message once more.
    if (JSON.stringify(inline).length <= INLINE_BATCH_BYTES) {
      await store.queue.publish(inline, { id });
    } else {
      const file: BatchFile = { jobId, batch: b, items };
      await store.batches.put(batchObjectName(jobId, b), new TextEncoder().encode(JSON.stringify(file)));
      await store.queue.publish({ jobId, batch: b }, { id });
    }
  }
  return record;
}
