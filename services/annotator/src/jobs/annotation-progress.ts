/** An annotation job's totals, read out of its record, and its labels read back from the batch ledger. */
import type { LabelRecord } from "../labels.js";
import type { AnnotationStore } from "./annotation-store.js";
import type { AnnotationJob, AnnotationProgress, BatchCounts } from "./job-types.js";

export const ZERO_COUNTS: Readonly<BatchCounts> = {
  items: 0,
  labelsOk: 0,
  labelsFailed: 0,
  llmCalls: 0,
  cachedSteps: 0,
  promptTokens: 0,
  completionTokens: 0,
};

export function progressOf(job: AnnotationJob): AnnotationProgress {
  const counts = { ...ZERO_COUNTS, ...job.progress.counts };
  const pricing = job.spec.pricing ?? { promptPerMillion: 0, completionPerMillion: 0 };
  return {
    job,
    itemsDone: counts.items,
    labelsOk: counts.labelsOk,
    labelsFailed: counts.labelsFailed,
    batchesDone: job.progress.done,
    llmCalls: counts.llmCalls,
    cachedSteps: counts.cachedSteps,
    promptTokens: counts.promptTokens,
    completionTokens: counts.completionTokens,
    costUsd:
      (counts.promptTokens * pricing.promptPerMillion +
        counts.completionTokens * pricing.completionPerMillion) /
      1e6,
  };
}

/** The job's record and totals: one KV read, however large the job (NotFoundError when unknown). */
export async function jobProgress(store: AnnotationStore, jobId: string): Promise<AnnotationProgress> {
  return progressOf(await store.jobs.require(jobId));
}

/** Every label stored for the job (batches in order, items in batch order; failed labels included). */
export async function collectLabels(store: AnnotationStore, jobId: string): Promise<LabelRecord[]> {
  const job = await store.jobs.require(jobId);
  const batches = Math.ceil(job.spec.totalItems / job.spec.batchSize);
  const out: LabelRecord[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const stored = await store.ledger.get(jobId, batch);
    if (stored) out.push(...stored.labels);
  }
  return out;
}
