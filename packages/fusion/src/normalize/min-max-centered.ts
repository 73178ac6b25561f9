/**
 * Pyserini's hybrid normalization: (s − (min + max)/2) / (max − min), per query, giving scores in [−0.5, 0.5]
 * (Pyserini `HybridSearcher._hybrid_results`, used by Li et al., "To Interpolate or not to Interpolate",
 * SIGIR 2022 — research-methods §8). Pyserini divides by zero on a constant list; we apply ranx's 1e-9
 * denominator floor instead, so a constant list maps to 0.
 */
import type { Results } from "../types.js";
import { guarded, minMax } from "./guard.js";

export function minMaxCenteredNormalize(results: Results): Map<string, number> {
  const { min, max } = minMax(results);
  const mid = (min + max) / 2;
  const denominator = guarded(max - min);
  const out = new Map<string, number>();
  for (const [doc, s] of results) out.set(doc, (s - mid) / denominator);
  return out;
}
