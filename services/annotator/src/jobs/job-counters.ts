/**
 * A job's progress kept incrementally: each finished batch adds its counts to the job's counters entry
 * with compare-and-set, and marks its bit in a bitmap so a redelivered batch is never added twice. Reading
 * progress is then one KV get, whatever the job's size (instead of reading back every label per poll).
 */
import type { KvEntry } from "@ferret/bus";
import { AlreadyExistsError, ConflictError } from "@ferret/errors";
import { labelUsage, type LabelRecord } from "../labels.js";
import type { JobStore } from "./job-store.js";
import type { BatchCounts, JobCounters } from "./job-types.js";

export const ZERO_COUNTS: Readonly<BatchCounts> = {
  items: 0,
  labelsOk: 0,
  labelsFailed: 0,
  llmCalls: 0,
  cachedSteps: 0,
  promptTokens: 0,
  completionTokens: 0,
};

export function emptyCounters(): JobCounters {
  return { ...ZERO_COUNTS, batchesDone: 0, counted: "" };
}

/**
 * Counts of one batch's labels. Steps shared by several labels (the listwise calls of one query's
 * pool) are counted once, by cache key.
 */
export function countLabels(items: number, labels: readonly LabelRecord[]): BatchCounts {
  const counts = { ...ZERO_COUNTS, items };
  const seen = new Set<string>();
  for (const label of labels) {
    if (label.status === "ok") counts.labelsOk++;
    else counts.labelsFailed++;
    const fresh = label.steps.filter((s) => !seen.has(s.cacheKey));
    for (const s of fresh) {
      seen.add(s.cacheKey);
      if (s.cached) counts.cachedSteps++;
    }
    const usage = labelUsage({ ...label, steps: fresh });
    counts.llmCalls += usage.llmCalls;
    counts.promptTokens += usage.promptTokens;
    counts.completionTokens += usage.completionTokens;
  }
  return counts;
}

function hasBit(bitmap: Buffer, i: number): boolean {
  return (bitmap[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** Whether batch `batch` is already in the counters. */
export function isCounted(counters: JobCounters, batch: number): boolean {
  const bitmap = Buffer.from(counters.counted, "base64");
  return batch >> 3 < bitmap.length && hasBit(bitmap, batch);
}

function withBatch(counters: JobCounters, batch: number, counts: BatchCounts): JobCounters {
  const old = Buffer.from(counters.counted, "base64");
  const bitmap = Buffer.alloc(Math.max(old.length, (batch >> 3) + 1));
  old.copy(bitmap);
  bitmap[batch >> 3] = bitmap[batch >> 3]! | (1 << (batch & 7));
  const next: JobCounters = { ...counters, batchesDone: counters.batchesDone + 1, counted: "" };
  for (const k of Object.keys(ZERO_COUNTS) as (keyof BatchCounts)[]) next[k] = counters[k] + counts[k];
  next.counted = bitmap.toString("base64");
  return next;
}

/**
 * Adds a batch's counts once (CAS, retried on conflict); returns the counters after it. `read` is the
 * counters entry when the caller has just read it (undefined: it does not exist; null: not read).
 */
export async function recordBatch(
  store: JobStore,
  jobId: string,
  batch: number,
  counts: BatchCounts,
  read: KvEntry<JobCounters> | undefined | null = null,
): Promise<JobCounters> {
  let known = read;
  for (;;) {
    const entry = known === null ? await store.counters.get(jobId) : known;
    known = null;
    const current = entry?.value ?? emptyCounters();
    if (isCounted(current, batch)) return current;
    const next = withBatch(current, batch, counts);
    try {
      if (entry) await store.counters.update(jobId, next, entry.revision);
      else await store.counters.create(jobId, next);
      return next;
    } catch (err) {
      if (!(err instanceof ConflictError) && !(err instanceof AlreadyExistsError)) throw err;
    }
  }
}

export async function readCounters(store: JobStore, jobId: string): Promise<JobCounters> {
  return (await store.counters.get(jobId))?.value ?? emptyCounters();
}
