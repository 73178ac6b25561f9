import type { Results } from "../types.js";

/**
 * What a score-based combination adds for a document that one list did not retrieve:
 * - "zero" (default; ranx wsum/comb_sum): 0, after normalization.
 * - "min" (Pyserini HybridSearcher): that list's minimum score for the query, after normalization. Pyserini
 *   fills the raw minimum and then normalizes; every normalization here is monotone, so normalizing the
 *   minimum gives the normalized list's minimum — the same number. An empty list contributes 0.
 * RRF always adds 0 for a missing document (Cormack et al. 2009): it has no rank there.
 */
export type MissingScore = "zero" | "min";

export function fillValues(lists: readonly Results[], rule: MissingScore): number[] {
  return lists.map((list) => {
    if (rule === "zero" || list.size === 0) return 0;
    let min = Infinity;
    for (const s of list.values()) if (s < min) min = s;
    return min;
  });
}

/** Every document of every list, first-seen order. */
export function unionOfDocs(lists: readonly Results[]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const doc of list.keys()) seen.add(doc);
  return [...seen];
}
