/**
 * ranx guards every normalization denominator with max(denominator, 1e-9) instead of special-casing zero.
 * Consequences we keep for parity: min-max and sum map a constant list to all zeros; z-score maps it to zeros;
 * max normalization of a list whose maximum is <= 0 divides by 1e-9 (scores blow up to about -1e9·|s|).
 */
export const DENOMINATOR_FLOOR = 1e-9;

export function guarded(denominator: number): number {
  return Math.max(denominator, DENOMINATOR_FLOOR);
}

export function minMax(results: ReadonlyMap<string, number>): { min: number; max: number } {
  // ranx's safe_min/safe_max return 0 for an empty list.
  if (results.size === 0) return { min: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (const s of results.values()) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return { min, max };
}
