/**
 * Min-max normalization: (s − min) / (max − min), per query. ranx `min_max_norm` (Bassani & Romelli, ranx.fuse,
 * CIKM 2022); Lee, "Analyses of multiple evidence combination", SIGIR 1997. A constant list maps to 0.
 */
import type { Results } from "../types.js";
import { guarded, minMax } from "./guard.js";

export function minMaxNormalize(results: Results): Map<string, number> {
  const { min, max } = minMax(results);
  const denominator = guarded(max - min);
  const out = new Map<string, number>();
  for (const [doc, s] of results) out.set(doc, (s - min) / denominator);
  return out;
}
