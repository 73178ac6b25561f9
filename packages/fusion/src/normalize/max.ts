/**
 * Max normalization: s / max, per query (ranx `max_norm`). Meant for non-negative scores; with max <= 0 the
 * ranx denominator floor (1e-9) applies, which we keep for parity rather than silently changing the output.
 */
import type { Results } from "../types.js";
import { guarded, minMax } from "./guard.js";

export function maxNormalize(results: Results): Map<string, number> {
  const denominator = guarded(minMax(results).max);
  const out = new Map<string, number>();
  for (const [doc, s] of results) out.set(doc, s / denominator);
  return out;
}
