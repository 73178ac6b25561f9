/**
 * Z-score (ranx "zmuv": zero mean, unit variance) normalization: (s − mean) / σ, per query, with the population
 * standard deviation (numpy's default ddof=0, as ranx). Montague & Aslam, CIKM 2001. A constant list maps to 0.
 */
import type { Results } from "../types.js";
import { guarded } from "./guard.js";

export function zScoreNormalize(results: Results): Map<string, number> {
  const n = results.size;
  let sum = 0;
  for (const s of results.values()) sum += s;
  const mean = sum / n;
  let squares = 0;
  for (const s of results.values()) squares += (s - mean) * (s - mean);
  const denominator = guarded(Math.sqrt(squares / n));
  const out = new Map<string, number>();
  for (const [doc, s] of results) out.set(doc, (s - mean) / denominator);
  return out;
}
