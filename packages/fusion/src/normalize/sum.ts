/**
 * Sum normalization: (s − min) / Σ(s − min), per query (ranx `sum_norm`; Montague & Aslam, "Relevance score
 * normalization for metasearch", CIKM 2001). The shifted scores sum to 1; a constant list maps to 0.
 */
import type { Results } from "../types.js";
import { guarded, minMax } from "./guard.js";

export function sumNormalize(results: Results): Map<string, number> {
  const { min } = minMax(results);
  let sum = 0;
  for (const s of results.values()) sum += s;
  const denominator = guarded(sum - min * results.size);
  const out = new Map<string, number>();
  for (const [doc, s] of results) out.set(doc, (s - min) / denominator);
  return out;
}
