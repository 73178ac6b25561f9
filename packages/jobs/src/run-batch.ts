/**
 * One batch of a batched job, whatever delivery it is: record its output once (BatchLedger), then add it
 * to the job's progress once (JobStore.countBatch). Both steps are idempotent, so a worker that dies
 * anywhere in between is repaired by the redelivery, and the delivery that sees every batch counted
 * learns `complete` and assembles the result (which must be idempotent too: several may see it).
 */
import type { BatchLedger } from "./batch-ledger.js";
import { isFinal, type JobRecord } from "./job-record.js";
import type { JobStore } from "./job-store.js";

export type BatchOutcome =
  /** Computed and recorded by this delivery. */
  | "recorded"
  /** Already recorded by an earlier delivery: not computed again. */
  | "skipped"
  /** Computed, but another delivery recorded first: its output is kept. */
  | "lost-race";

export interface BatchRun<Output> {
  jobId: string;
  batch: number;
  /** Computes the batch; not called when the batch is already recorded. */
  compute(): Promise<Output>;
  /** What the batch adds to progress.counts (counted once). */
  counts?(output: Output): Record<string, number>;
}

export interface BatchRunResult<Spec, Result, Output> {
  outcome: BatchOutcome;
  /** The recorded output (this delivery's or the first recorder's). */
  output: Output;
  /** The job record after counting the batch. */
  record: JobRecord<Spec, Result>;
  /** Every batch is counted and the job is not final yet: assemble and succeed it now. */
  complete: boolean;
}

export async function runBatch<Spec, Result, Output>(
  jobs: JobStore<Spec, Result>,
  ledger: BatchLedger<Output>,
  run: BatchRun<Output>,
): Promise<BatchRunResult<Spec, Result, Output>> {
  let outcome: BatchOutcome;
  let output: Output | undefined = await ledger.get(run.jobId, run.batch);
  if (output !== undefined) {
    outcome = "skipped";
  } else {
    const computed: Output = await run.compute();
    const recorded = await ledger.record(run.jobId, run.batch, computed);
    output = recorded.output;
    outcome = recorded.recorded ? "recorded" : "lost-race";
  }
  const record = await jobs.countBatch(run.jobId, run.batch, run.counts?.(output) ?? {});
  const complete = !isFinal(record.state) && record.progress.done >= record.progress.total;
  return { outcome, output, record, complete };
}
