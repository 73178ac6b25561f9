/**
 * Tune the interpolation weight α of interpolate(a, b, α) = α·a + (1 − α)·b on a set of tuning queries: score
 * every α of a grid with the caller's metric and keep the best (Li et al., SIGIR 2022 tune α per dataset;
 * ranx.optimize_fusion does the same grid search for wsum). Ties go to the larger α, as ranx's `>=` over its
 * ascending grid does. Nothing is printed: the caller gets the whole curve.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { combineLists, prepareLists, queryUnion, type FuseOptions } from "./fuse.js";
import { interpolationWeights, type InterpolateOptions } from "./interpolate.js";
import type { Qrels, Results, Run } from "./types.js";

/** Mean effectiveness of a run over the given qrels (the evaluator passes its trec_eval-exact measure). */
export type RunMetric = (run: Run, qrels: Qrels) => number;

export interface AlphaSweepOptions extends Omit<InterpolateOptions, "topK"> {
  /** α values to try; default: 0 to 1 in steps of `step`. */
  grid?: readonly number[];
  /** Grid step when `grid` is not given; default 0.1. */
  step?: number;
  /** Queries to tune on; default every query in qrels. Runs and qrels are restricted to them. */
  tuningQueries?: Iterable<string>;
  /** Cut each fused list to its top `topK` before scoring (e.g. the depth the metric reads). */
  topK?: number;
}

export interface AlphaSweepPoint {
  alpha: number;
  score: number;
}

export interface AlphaSweepResult {
  /** The chosen α (weight of the first run). */
  alpha: number;
  /** The metric at the chosen α. */
  score: number;
  /** Every α tried, in grid order. */
  curve: AlphaSweepPoint[];
  /** The tuning queries that were scored (those present in qrels). */
  tuningQueries: string[];
}

/** 0, step, 2·step, …, 1, rounded to 10 decimals so 0.1·3 reads 0.3. */
export function alphaGrid(step = 0.1): number[] {
  if (!Number.isFinite(step) || step <= 0 || step > 1) {
    throw new InvalidArgumentError(`α grid step must be in (0, 1], got ${step}`);
  }
  const n = Math.round(1 / step);
  if (Math.abs(n * step - 1) > 1e-9) throw new InvalidArgumentError(`α grid step must divide 1, got ${step}`);
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step * 1e10) / 1e10);
}

function restrict<V>(map: ReadonlyMap<string, V>, keys: ReadonlySet<string>): Map<string, V> {
  const out = new Map<string, V>();
  for (const [k, v] of map) if (keys.has(k)) out.set(k, v);
  return out;
}

export function sweepAlpha(
  a: Run,
  b: Run,
  qrels: Qrels,
  metric: RunMetric,
  options: AlphaSweepOptions = {},
): AlphaSweepResult {
  const grid = options.grid ?? alphaGrid(options.step);
  if (grid.length === 0) throw new InvalidArgumentError("α grid is empty");
  grid.forEach(interpolationWeights); // validates every α

  const wanted = new Set(options.tuningQueries ?? qrels.keys());
  const tuningQrels = restrict(qrels, wanted);
  const tuningQueries = [...tuningQrels.keys()];
  if (tuningQueries.length === 0) throw new InvalidArgumentError("no tuning query has relevance judgments");
  const runs = [restrict(a, wanted), restrict(b, wanted)];

  // Normalize (and depth-cut) once; only the combination changes with α.
  const base: FuseOptions = { ...options, method: "weighted", weights: [1, 0] };
  const prepared = new Map<string, Results[]>();
  for (const qid of queryUnion(runs)) prepared.set(qid, prepareLists(runs, qid, base));

  const curve: AlphaSweepPoint[] = [];
  let best: AlphaSweepPoint | undefined;
  for (const alpha of grid) {
    const fuseOptions: FuseOptions = { ...base, weights: interpolationWeights(alpha) };
    const fused: Run = new Map();
    for (const [qid, lists] of prepared) fused.set(qid, combineLists(lists, fuseOptions));
    const point = { alpha, score: metric(fused, tuningQrels) };
    curve.push(point);
    if (
      best === undefined ||
      point.score > best.score ||
      (point.score === best.score && alpha > best.alpha)
    ) {
      best = point;
    }
  }
  const chosen = best as AlphaSweepPoint;
  return { alpha: chosen.alpha, score: chosen.score, curve, tuningQueries };
}
