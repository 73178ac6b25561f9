/**
 * Several runs against the first (the baseline): each run evaluated with trec_eval semantics, then
 * compareSystems (compare/comparison-table.ts) per measure: means, p-values of a paired t-test or Fisher's
 * randomization test, Holm's correction over the systems when asked. Measures are compared one at a time
 * with a yield in between (Holm's families are per measure, so the table is the same as comparing them
 * all at once), so a long Fisher test still honours the signal between measures.
 *
 * Every system is averaged over the same queries, the union of those any run is evaluated on; a query a
 * run does not answer counts 0 for it (trec_eval -c's rule; a paired test needs a value per query).
 */
import type { Qrels, Run } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import {
  compareSystems,
  type ComparisonRow,
  type ComparisonTable,
  type SignificanceTest,
} from "../compare/comparison-table.js";
import type { EvaluateOptions, Evaluation } from "../metrics/evaluate.js";
import type { MeasureSpec } from "../metrics/registry.js";
import { evaluateInSlices, yieldToEventLoop } from "./evaluate-in-slices.js";

export interface NamedRunData {
  name: string;
  run: Run;
}

export interface CompareRunsOptions {
  measures: readonly MeasureSpec[];
  evaluate?: EvaluateOptions;
  /** Default "t-test". */
  test?: SignificanceTest;
  /** Default 0.05. */
  alpha?: number;
  /** Fisher rounds (default 10,000) and seed (default 42). */
  rounds?: number;
  seed?: number;
  /** Holm–Bonferroni over the systems compared with the baseline (per measure). Default false. */
  holm?: boolean;
  signal?: AbortSignal;
  /** Called once per run evaluated and per measure compared. */
  onProgress?: (done: number, total: number) => void;
}

export interface CompareRunsResult {
  table: ComparisonTable;
  /** Each run's evaluation, in run order. */
  evaluations: Evaluation[];
}

export async function compareRuns(
  runs: readonly NamedRunData[],
  qrels: Qrels,
  options: CompareRunsOptions,
): Promise<CompareRunsResult> {
  if (runs.length < 2)
    throw new InvalidArgumentError(`compare needs a baseline and at least one other run, got ${runs.length}`);
  const names = runs.map((r) => r.name);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0)
    throw new InvalidArgumentError(`run names must differ; repeated: ${[...new Set(repeated)].join(", ")}`);
  const total = runs.length + options.measures.length;
  let done = 0;

  const evaluations: Evaluation[] = [];
  for (const { run } of runs) {
    evaluations.push(
      await evaluateInSlices(run, qrels, options.measures, options.evaluate, { signal: options.signal }),
    );
    options.onProgress?.(++done, total);
  }
  const systems = runs.map((r, i) => ({ name: r.name, perQuery: (evaluations[i] as Evaluation).perQuery }));

  const rows: ComparisonRow[] = runs.map((r, i) => ({ system: r.name, isBaseline: i === 0, cells: {} }));
  let first: ComparisonTable | undefined;
  for (const spec of options.measures) {
    await yieldToEventLoop(options.signal);
    const part = compareSystems(systems, {
      measures: [spec.name],
      test: options.test ?? "t-test",
      ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
      correction: options.holm === true ? "holm" : "none",
      fisher: {
        ...(options.rounds === undefined ? {} : { rounds: options.rounds }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
      missing: "zero",
    });
    first ??= part;
    part.rows.forEach((row, i) => Object.assign((rows[i] as ComparisonRow).cells, row.cells));
    options.onProgress?.(++done, total);
  }
  const base = first as ComparisonTable;
  return { table: { ...base, measures: options.measures.map((m) => m.name), rows }, evaluations };
}
