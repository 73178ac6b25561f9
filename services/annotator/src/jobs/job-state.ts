/** Job record transitions with compare-and-set, and progress (counters) and labels read back from the stores. */
import { ConflictError, NotFoundError } from "@ferret/errors";
import type { LabelRecord } from "../labels.js";
import { readCounters } from "./job-counters.js";
import type { JobStore } from "./job-store.js";
import type { JobProgress, JobRecord, JobState } from "./job-types.js";

const FINAL: readonly JobState[] = ["succeeded", "failed", "cancelled"];

/** Moves a job to `state` unless it is already final; retries on CAS conflicts. Returns the record. */
export async function transitionJob(
  store: JobStore,
  jobId: string,
  state: JobState,
  options: { from?: JobState[]; error?: string; outputs?: JobRecord["outputs"] } = {},
): Promise<JobRecord> {
  for (;;) {
    const entry = await store.jobs.get(jobId);
    if (!entry) throw new NotFoundError(`annotation job ${jobId} not found`);
    const current = entry.value;
    if (FINAL.includes(current.state) || (options.from && !options.from.includes(current.state)))
      return current;
    const next: JobRecord = {
      ...current,
      state,
      updatedAt: new Date().toISOString(),
      ...(options.error ? { error: options.error } : {}),
      ...(options.outputs ? { outputs: options.outputs } : {}),
    };
    try {
      await store.jobs.update(jobId, next, entry.revision);
      return next;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

export async function getJob(store: JobStore, jobId: string): Promise<JobRecord> {
  const entry = await store.jobs.get(jobId);
  if (!entry) throw new NotFoundError(`annotation job ${jobId} not found`);
  return entry.value;
}

export async function cancelJob(store: JobStore, jobId: string): Promise<JobRecord> {
  return transitionJob(store, jobId, "cancelled");
}

/** Every label of a job (batches in order, items in batch order; failed labels included). */
export async function collectLabels(store: JobStore, jobId: string): Promise<LabelRecord[]> {
  const batches = (await store.labels.keys(`${jobId}.*`))
    .map((key) => ({ key, batch: Number(key.slice(jobId.length + 2)) }))
    .sort((a, b) => a.batch - b.batch);
  const out: LabelRecord[] = [];
  for (const { key } of batches) {
    const entry = await store.labels.get(key);
    if (entry) out.push(...entry.value.labels);
  }
  return out;
}

/** The job record and its running totals: two KV reads, however large the job. */
export async function jobProgress(store: JobStore, jobId: string): Promise<JobProgress> {
  const [job, counters] = await Promise.all([getJob(store, jobId), readCounters(store, jobId)]);
  const pricing = job.pricing ?? { promptPerMillion: 0, completionPerMillion: 0 };
  return {
    job,
    itemsDone: counters.items,
    labelsOk: counters.labelsOk,
    labelsFailed: counters.labelsFailed,
    batchesDone: counters.batchesDone,
    llmCalls: counters.llmCalls,
    cachedSteps: counters.cachedSteps,
    promptTokens: counters.promptTokens,
    completionTokens: counters.completionTokens,
    costUsd:
      (counters.promptTokens * pricing.promptPerMillion +
        counters.completionTokens * pricing.completionPerMillion) /
      1e6,
  };
}
