/**
 * CombMNZ: (Σ_i s_i(d)) · |{i : d retrieved by list i}| (Fox & Shaw, TREC-2 1993; ranx `comb_mnz`). The
 * multiplier counts only lists that retrieved d; with missing = "min" the sum also includes the fill values of
 * the other lists (ranx's rule, "zero", adds nothing for them).
 */
import type { Results } from "../types.js";
import { fillValues, unionOfDocs } from "./missing.js";
import type { ScoreCombinationOptions } from "./weighted.js";

export function combMnz(
  lists: readonly Results[],
  options: ScoreCombinationOptions = {},
): Map<string, number> {
  const rule = options.missing ?? "zero";
  const fill = fillValues(lists, rule);
  const out = new Map<string, number>();
  for (const doc of unionOfDocs(lists)) {
    let sum = 0;
    let hits = 0;
    lists.forEach((list, i) => {
      const s = list.get(doc);
      if (s !== undefined) {
        sum += s;
        hits += 1;
      } else if (rule === "min") {
        sum += fill[i] as number;
      }
    });
    out.set(doc, sum * hits);
  }
  return out;
}
