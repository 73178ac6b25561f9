import type { Results } from "../types.js";

/** Identity normalization: the scores as given (ranx `norm=None`). */
export function noNormalization(results: Results): Map<string, number> {
  return new Map(results);
}
