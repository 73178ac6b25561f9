/**
 * A job's record: one KV entry per job, changed only by compare-and-set on its revision (job-store.ts),
 * so concurrent workers on any replica never lose each other's writes. States move
 *   queued -> running -> succeeded | failed | cancelled   (queued may also end directly)
 * and a final state never changes again.
 */

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const FINAL_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled"];

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

const NEXT: Record<JobState, readonly JobState[]> = {
  queued: ["queued", "running", "succeeded", "failed", "cancelled"],
  running: ["running", "succeeded", "failed", "cancelled"],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** Whether a record in state `from` may be written with state `to` (same state: an update of progress). */
export function canTransition(from: JobState, to: JobState): boolean {
  return NEXT[from].includes(to);
}

export interface JobProgress {
  /** Units done: batches counted (countBatch), or what the stage reports (setProgress). */
  done: number;
  total: number;
  /** What `done` counts ("batches", "queries", "shards"...). */
  unit: string;
  message?: string;
  /** Stage counters, each batch's added once (countBatch). */
  counts: Record<string, number>;
}

export interface JobError {
  /** The FerretError code of the failure (INTERNAL for anything else). */
  code: string;
  message: string;
  /** Deliveries the failing message had when the job was given up. */
  deliveries?: number;
}

export interface JobRecord<Spec = unknown, Result = unknown> {
  jobId: string;
  /** What kind of job ("ranker.score", "evaluate", ...). */
  kind: string;
  state: JobState;
  /** What was asked for (as submitted; the stage's type). */
  spec: Spec;
  progress: JobProgress;
  /** ISO-8601. */
  createdAt: string;
  updatedAt: string;
  /** Set with "succeeded". */
  result?: Result;
  /** Set with "failed" (and with "cancelled" when a reason was given). */
  error?: JobError;
  /** Base64 bitmap of the batches already added to progress (countBatch). */
  counted?: string;
}
