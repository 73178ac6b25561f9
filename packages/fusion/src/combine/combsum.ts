/**
 * CombSUM: Σ_i s_i(d) over the lists (Fox & Shaw, "Combination of Multiple Searches", TREC-2 1993; ranx
 * `comb_sum`). Missing documents get the fill value of `missing` (default "zero", as ranx).
 */
import type { Results } from "../types.js";
import { weightedSum, type ScoreCombinationOptions } from "./weighted.js";

export function combSum(
  lists: readonly Results[],
  options: ScoreCombinationOptions = {},
): Map<string, number> {
  // w·s with w = 1 is exact, so this equals the plain sum bit for bit.
  return weightedSum(
    lists,
    lists.map(() => 1),
    options,
  );
}
