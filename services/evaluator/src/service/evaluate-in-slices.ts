/**
 * evaluate() (metrics/evaluate.ts) run a slice of queries at a time, yielding to the event loop between
 * slices: a long evaluation then honours an AbortSignal (a gRPC deadline or cancellation, a job's ack
 * wait), reports progress, and does not starve the other calls a service process is serving.
 *
 * The result equals evaluate() on the whole run: queries are sliced in evaluate()'s own order (strcmp
 * qid order) and the means are re-summed over the per-query values in that order, which is exactly how
 * evaluate() sums them. With an auc measure the run is evaluated in one piece, because the pooled
 * (global) AUC needs every query's prepared ranking at once.
 */
import { compareCodePoints, type Qrels, type Run } from "@ferret/datasets";
import { CancelledError, isFerretError } from "@ferret/errors";
import { evaluate, type EvaluateOptions, type Evaluation } from "../metrics/evaluate.js";
import type { MeasureSpec } from "../metrics/registry.js";

export interface SliceOptions {
  signal?: AbortSignal;
  /** Called after each slice with the queries evaluated so far and the total to evaluate. */
  onProgress?: (done: number, total: number) => void;
  /** Queries per slice. Default 250 (a few milliseconds of work at 1,000 documents per query). */
  sliceQueries?: number;
}

const DEFAULT_SLICE_QUERIES = 250;

/** The signal's reason when it is a FerretError (gRPC deadlines and cancellations are), else a CancelledError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return isFerretError(reason) ? reason : new CancelledError("evaluation cancelled", { cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Lets other callbacks run, then fails if the signal fired meanwhile. A timer, not setImmediate: a gRPC
 * deadline is a timer that expired during the synchronous work before, and setImmediate resumes before
 * the timers phase, so the deadline's abort would not be seen until the work was done.
 */
export async function yieldToEventLoop(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  throwIfAborted(signal);
}

/** The queries evaluate() evaluates, in its order: judged qrels queries the run answers (all with -c). */
function evaluatedQueries(run: Run, qrels: Qrels, complete: boolean): string[] {
  const qids: string[] = [];
  for (const [qid, judgments] of qrels) {
    if (judgments.size === 0) continue;
    if (complete || (run.get(qid)?.size ?? 0) > 0) qids.push(qid);
  }
  return qids.sort(compareCodePoints);
}

export async function evaluateInSlices(
  run: Run,
  qrels: Qrels,
  measures: readonly MeasureSpec[],
  options: EvaluateOptions = {},
  slicing: SliceOptions = {},
): Promise<Evaluation> {
  const { signal, onProgress } = slicing;
  const sliceSize = Math.max(1, slicing.sliceQueries ?? DEFAULT_SLICE_QUERIES);
  throwIfAborted(signal);
  const qids = evaluatedQueries(run, qrels, options.completeQueries ?? false);
  if (qids.length <= sliceSize || measures.some((m) => m.family === "auc")) {
    // evaluate() also raises the "no queries with both results and judgments" error for us.
    const evaluation = evaluate(run, qrels, measures, options);
    onProgress?.(evaluation.numQueries, evaluation.numQueries);
    return evaluation;
  }

  const perQuery = new Map<string, Record<string, number>>();
  let first: Evaluation | undefined;
  for (let start = 0; start < qids.length; start += sliceSize) {
    const sliceRun: Run = new Map();
    const sliceQrels: Qrels = new Map();
    for (const qid of qids.slice(start, start + sliceSize)) {
      sliceQrels.set(qid, qrels.get(qid) as Map<string, number>);
      const docs = run.get(qid);
      if (docs !== undefined) sliceRun.set(qid, docs);
    }
    const part = evaluate(sliceRun, sliceQrels, measures, options);
    first ??= part;
    for (const [qid, values] of part.perQuery) perQuery.set(qid, values);
    onProgress?.(perQuery.size, qids.length);
    if (start + sliceSize < qids.length) await yieldToEventLoop(signal);
  }

  const mean: Record<string, number> = {};
  const meanCount: Record<string, number> = {};
  for (const spec of measures) {
    let sum = 0;
    let count = 0;
    for (const values of perQuery.values()) {
      const v = values[spec.name];
      if (v === undefined) continue;
      sum += v;
      count++;
    }
    // Only auc may be undefined for a query (excluded above, so it takes the single-piece path).
    meanCount[spec.name] = perQuery.size;
    if (count > 0) mean[spec.name] = sum / perQuery.size;
  }
  const base = first as Evaluation;
  return {
    measures: base.measures,
    perQuery,
    mean,
    meanCount,
    numQueries: perQuery.size,
    globalAuc: {},
    options: base.options,
  };
}
