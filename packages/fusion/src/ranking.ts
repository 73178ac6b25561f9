import type { Results } from "./types.js";

/**
 * trec_eval's ranking order: score descending, ties by docid descending (strcmp order, as trec_eval's
 * form_res_rels sorts). Every rank-based step in this package (rank normalization, RRF, depth and top-k
 * truncation) ranks with this one rule, so results never depend on Map insertion order.
 */
export function compareRanked(a: readonly [string, number], b: readonly [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0;
}

/** The results as [docid, score] pairs in ranking order. */
export function rankedEntries(results: Results): Array<[string, number]> {
  return [...results.entries()].sort(compareRanked);
}

/** The top `depth` results in ranking order (all of them when depth is undefined). */
export function topResults(results: Results, depth?: number): Map<string, number> {
  const ranked = rankedEntries(results);
  return new Map(depth === undefined ? ranked : ranked.slice(0, depth));
}
