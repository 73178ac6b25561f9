/** Loads services/evaluator/fixtures/ranx/significance.json (written by scripts/make-ranx-fixtures.py). */
import { readFileSync } from "node:fs";

export interface PairRecord {
  control: string;
  treatment: string;
  measure: string;
  pValue: number;
}

export interface SignificanceFixture {
  measures: string[];
  systems: string[];
  baseline: string;
  queries: string[];
  /** system -> measure -> qid -> value (ranx.evaluate, make_comparable). */
  perQuery: Record<string, Record<string, Record<string, number>>>;
  ttest: Array<PairRecord & { statistic: number; df: number }>;
  ttestEdgeCases: Array<{
    label: string;
    control: number[];
    treatment: number[];
    statistic: number;
    pValue: number;
  }>;
  ranxStudent: PairRecord[];
  /** ranx.compare's means, and win/tie/loss: ranxReport[a].winTieLoss[b][m].W = queries where a beats b. */
  ranxReport: Record<
    string,
    {
      scores: Record<string, number>;
      winTieLoss: Record<string, Record<string, { W: number; T: number; L: number }>>;
    }
  >;
  ranxFisher1000Seed42: PairRecord[];
  ranxFisherLarge: Array<PairRecord & { permutations: number; standardError: number }>;
  exactPermutation: Array<
    PairRecord & { queries: number; controlValues: number[]; treatmentValues: number[] }
  >;
  holm: Array<{
    label: string;
    pValues: number[];
    results: Array<{ alpha: number; reject: boolean[]; adjusted: number[] }>;
  }>;
  bootstrap: Array<{
    label: string;
    values: number[];
    confidence: number;
    resamples: number;
    lowerMean: number;
    lowerSd: number;
    upperMean: number;
    upperSd: number;
  }>;
  percentile: Array<{ values: number[]; q: number[]; expected: number[] }>;
}

let cached: SignificanceFixture | undefined;

export function significanceFixture(): SignificanceFixture {
  cached ??= JSON.parse(
    readFileSync(new URL("../../../fixtures/ranx/significance.json", import.meta.url), "utf8"),
    // The script writes NaN and ±Infinity as strings (JSON has no such numbers); no id is spelled like them.
    (_key, value: unknown) =>
      value === "NaN" || value === "Infinity" || value === "-Infinity" ? Number(value) : value,
  ) as SignificanceFixture;
  return cached;
}

/** One system's per-query values on one measure, as a qid -> value map. */
export function perQueryMap(system: string, measure: string): Map<string, number> {
  const values = significanceFixture().perQuery[system]?.[measure];
  if (values === undefined) throw new Error(`fixture has no ${system}/${measure}`);
  return new Map(Object.entries(values));
}

/** |actual − expected| <= tolerance · |expected| (relative), or both NaN. */
export function relativelyClose(actual: number, expected: number, tolerance = 1e-9): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tolerance * Math.abs(expected);
}
