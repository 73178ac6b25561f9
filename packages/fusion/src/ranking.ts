import { rankByTrecOrder } from "@ferret/datasets";
import type { Results } from "./types.js";

/**
 * Every rank-based step in this package (rank normalization, RRF, depth and top-k truncation) ranks with
 * trec_eval's rule from @ferret/datasets (score descending, ties by docid descending in code point
 * order), so results never depend on Map insertion order.
 */

/** The results as [docid, score] pairs in ranking order. */
export function rankedEntries(results: Results): Array<[string, number]> {
  return rankByTrecOrder(results);
}

/** The top `depth` results in ranking order (all of them when depth is undefined). */
export function topResults(results: Results, depth?: number): Map<string, number> {
  return new Map(rankByTrecOrder(results, depth));
}
