/** Job record transitions with compare-and-set, and progress/labels read back from the stores. */
import { ConflictError, NotFoundError } from "@ferret/errors";
import { labelUsage, type LabelRecord } from "../labels.js";
import { labelKey, type JobStore } from "./job-store.js";
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

/** Every label of a job (items in key order; failed labels included). */
export async function collectLabels(store: JobStore, jobId: string): Promise<LabelRecord[]> {
  const keys = (await store.labels.keys(`${jobId}.*`)).sort();
  const out: LabelRecord[] = [];
  for (const key of keys) {
    const entry = await store.labels.get(key);
    if (entry) out.push(...entry.value);
  }
  return out;
}

export async function hasLabel(store: JobStore, jobId: string, itemKey: string): Promise<boolean> {
  return (await store.labels.get(labelKey(jobId, itemKey))) !== undefined;
}

export async function jobProgress(store: JobStore, jobId: string): Promise<JobProgress> {
  const job = await getJob(store, jobId);
  const itemKeys = await store.labels.keys(`${jobId}.*`);
  const batchesDone = (await store.done.keys(`${jobId}.*`)).length;
  const labels = await collectLabels(store, jobId);
  let llmCalls = 0;
  let cachedSteps = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  // Steps shared by several labels of one listwise window are counted once, by cache key.
  const seen = new Set<string>();
  for (const label of labels) {
    for (const step of label.steps) {
      if (seen.has(step.cacheKey)) continue;
      seen.add(step.cacheKey);
      if (step.cached) cachedSteps++;
    }
  }
  const counted = new Set<string>();
  for (const label of labels) {
    const fresh = label.steps.filter((s) => !counted.has(s.cacheKey));
    for (const s of fresh) counted.add(s.cacheKey);
    const usage = labelUsage({ ...label, steps: fresh });
    llmCalls += usage.llmCalls;
    promptTokens += usage.promptTokens;
    completionTokens += usage.completionTokens;
  }
  const pricing = job.pricing ?? { promptPerMillion: 0, completionPerMillion: 0 };
  return {
    job,
    itemsDone: itemKeys.length,
    labelsOk: labels.filter((l) => l.status === "ok").length,
    labelsFailed: labels.filter((l) => l.status === "failed").length,
    batchesDone,
    llmCalls,
    cachedSteps,
    promptTokens,
    completionTokens,
    costUsd:
      (promptTokens * pricing.promptPerMillion + completionTokens * pricing.completionPerMillion) / 1e6,
  };
}
