/**
 * A systems × measures comparison table against one baseline: per-system means, deltas, per-query
 * win/tie/loss counts, and a two-sided significance test of each system against the baseline (paired t-test
 * by default, as ranx.compare; or Fisher's randomization test). With more than one non-baseline system the
 * p-values of each measure are Holm-adjusted over that measure's comparisons (one family per measure).
 *
 * Markers (a simpler scheme than ranx's Report, which marks every pairwise win with superscript letters):
 * only comparisons with the baseline are marked — "†" significantly better than the baseline, "‡"
 * significantly worse — so a reader needs no lookup table.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { fisherRandomizationTest } from "../significance/fisher-randomization.js";
import { holmBonferroni } from "../significance/holm-bonferroni.js";
import { pairedTTest } from "../significance/paired-t-test.js";

/** One system's per-query values, as the evaluator's evaluate() returns them: qid -> measure -> value. */
export interface SystemPerQuery {
  name: string;
  perQuery: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

export type SignificanceTest = "t-test" | "fisher";

export interface CompareOptions {
  /** Name of the baseline system; default the first. */
  baseline?: string;
  /** Measures (columns), in order; default the measures of the baseline's first query. */
  measures?: readonly string[];
  /** Default "t-test" (ranx.compare's default, "student"). */
  test?: SignificanceTest;
  /** Significance level; default 0.05. */
  alpha?: number;
  /** Default "holm" (no effect with a single comparison). */
  correction?: "holm" | "none";
  /** Fisher randomization settings (defaults: 10,000 rounds, seed 42, exact when cheaper). */
  fisher?: { rounds?: number; seed?: number };
  /** A query some system lacks: "error" (default) or score it 0 for that system (trec_eval -c). */
  missing?: "error" | "zero";
}

export const MARKER_BETTER = "†";
export const MARKER_WORSE = "‡";

export interface ComparisonCell {
  mean: number;
  /** mean − baseline mean (0 for the baseline). */
  delta: number;
  /** Queries where this system scores higher / equal / lower than the baseline. */
  wins: number;
  ties: number;
  losses: number;
  /** Raw two-sided p-value against the baseline (null for the baseline; NaN when undefined, e.g. identical). */
  pValue: number | null;
  /** Holm-adjusted p-value (equals pValue without correction or with one comparison). */
  adjustedPValue: number | null;
  significant: boolean;
  marker: "" | typeof MARKER_BETTER | typeof MARKER_WORSE;
}

export interface ComparisonRow {
  system: string;
  isBaseline: boolean;
  cells: Record<string, ComparisonCell>;
}

export interface ComparisonTable {
  baseline: string;
  measures: string[];
  test: SignificanceTest;
  alpha: number;
  correction: "holm" | "none";
  /** Number of queries compared. */
  queries: number;
  rows: ComparisonRow[];
  /** One sentence explaining the markers, for renderers. */
  legend: string;
}

function valuesFor(
  system: SystemPerQuery,
  measure: string,
  queries: readonly string[],
  missing: "error" | "zero",
): number[] {
  return queries.map((qid) => {
    const record = system.perQuery.get(qid);
    if (record === undefined) {
      if (missing === "zero") return 0;
      throw new InvalidArgumentError(`system "${system.name}" has no values for query "${qid}"`, {
        details: { system: system.name, qid },
      });
    }
    const value = record[measure];
    if (value === undefined || !Number.isFinite(value)) {
      throw new InvalidArgumentError(
        `system "${system.name}" has no finite "${measure}" for query "${qid}"`,
        {
          details: { system: system.name, qid, measure },
        },
      );
    }
    return value;
  });
}

function average(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function testName(test: SignificanceTest): string {
  return test === "t-test" ? "two-sided paired t-test" : "two-sided Fisher randomization test";
}

export function compareSystems(
  systems: readonly SystemPerQuery[],
  options: CompareOptions = {},
): ComparisonTable {
  if (systems.length === 0) throw new InvalidArgumentError("compare needs at least one system");
  const names = systems.map((s) => s.name);
  if (new Set(names).size !== names.length)
    throw new InvalidArgumentError(`system names repeat: ${names.join(", ")}`);
  const baselineName = options.baseline ?? (names[0] as string);
  const baseline = systems.find((s) => s.name === baselineName);
  if (baseline === undefined)
    throw new InvalidArgumentError(`baseline "${baselineName}" is not among the systems`);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new InvalidArgumentError(`alpha must be in (0, 1), got ${alpha}`);
  const test = options.test ?? "t-test";
  const correction = options.correction ?? "holm";
  const missing = options.missing ?? "error";

  const queries = [...new Set(systems.flatMap((s) => [...s.perQuery.keys()]))].sort();
  if (queries.length === 0) throw new InvalidArgumentError("no per-query values to compare");
  const measures = [...(options.measures ?? Object.keys(baseline.perQuery.get(queries[0] as string) ?? {}))];
  if (measures.length === 0) throw new InvalidArgumentError("no measures to compare");

  const others = systems.filter((s) => s !== baseline);
  const rows: ComparisonRow[] = systems.map((s) => ({
    system: s.name,
    isBaseline: s === baseline,
    cells: {},
  }));
  const rowOf = new Map(rows.map((r) => [r.system, r]));

  for (const measure of measures) {
    const base = valuesFor(baseline, measure, queries, missing);
    const baseMean = average(base);
    (rowOf.get(baseline.name) as ComparisonRow).cells[measure] = {
      mean: baseMean,
      delta: 0,
      wins: 0,
      ties: base.length,
      losses: 0,
      pValue: null,
      adjustedPValue: null,
      significant: false,
      marker: "",
    };

    const pValues: number[] = [];
    const cells: ComparisonCell[] = [];
    for (const system of others) {
      const values = valuesFor(system, measure, queries, missing);
      const result =
        test === "t-test"
          ? pairedTTest(base, values)
          : fisherRandomizationTest(base, values, {
              rounds: options.fisher?.rounds,
              seed: options.fisher?.seed,
            });
      let wins = 0;
      let ties = 0;
      values.forEach((v, i) => {
        const b = base[i] as number;
        if (v > b) wins++;
        else if (v === b) ties++;
      });
      const mean = average(values);
      pValues.push(result.pValue);
      const cell: ComparisonCell = {
        mean,
        delta: mean - baseMean,
        wins,
        ties,
        losses: values.length - wins - ties,
        pValue: result.pValue,
        adjustedPValue: result.pValue,
        significant: false,
        marker: "",
      };
      cells.push(cell);
      (rowOf.get(system.name) as ComparisonRow).cells[measure] = cell;
    }

    const rejected =
      correction === "holm" && cells.length > 1
        ? holmBonferroni(pValues, alpha)
        : { adjusted: pValues, reject: pValues.map((p) => p <= alpha) }; // NaN <= alpha is false
    cells.forEach((cell, i) => {
      cell.adjustedPValue = rejected.adjusted[i] as number;
      cell.significant = (rejected.reject[i] as boolean) && cell.delta !== 0;
      cell.marker = !cell.significant ? "" : cell.delta > 0 ? MARKER_BETTER : MARKER_WORSE;
    });
  }

  const holm = correction === "holm" && others.length > 1;
  const legend =
    `${MARKER_BETTER} / ${MARKER_WORSE}: significantly better / worse than ${baseline.name} ` +
    `(${testName(test)}${holm ? `, Holm-adjusted over ${others.length} comparisons per measure` : ""}, ` +
    `α = ${alpha}, ${queries.length} queries)`;

  return {
    baseline: baseline.name,
    measures,
    test,
    alpha,
    correction,
    queries: queries.length,
    rows,
    legend,
  };
}
