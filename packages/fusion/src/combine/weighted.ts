/**
 * Weighted sum (linear interpolation) of per-query score lists: Σ_i w_i · s_i(d) (ranx `wsum`). With two lists
 * and weights [α, 1 − α] this is the dense/sparse interpolation of Li et al., SIGIR 2022 (research-methods §8),
 * α on the FIRST list. Missing documents get the fill value of `missing` (default "zero", as ranx).
 */
import { InvalidArgumentError } from "@ferret/errors";
import type { Results } from "../types.js";
import { fillValues, unionOfDocs, type MissingScore } from "./missing.js";

export interface ScoreCombinationOptions {
  missing?: MissingScore;
}

export function weightedSum(
  lists: readonly Results[],
  weights: readonly number[],
  options: ScoreCombinationOptions = {},
): Map<string, number> {
  if (weights.length !== lists.length) {
    throw new InvalidArgumentError(
      `weighted sum needs one weight per list: ${weights.length} weights, ${lists.length} lists`,
    );
  }
  const fill = fillValues(lists, options.missing ?? "zero");
  const out = new Map<string, number>();
  for (const doc of unionOfDocs(lists)) {
    // Accumulate in list order from 0, as ranx's Python sum() does, so results agree to the last bit.
    let score = 0;
    lists.forEach((list, i) => {
      score += (weights[i] as number) * (list.get(doc) ?? (fill[i] as number));
    });
    out.set(doc, score);
  }
  return out;
}
