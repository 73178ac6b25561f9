/**
 * Holm–Bonferroni step-down correction for m tests of one family (Holm, "A simple sequentially rejective
 * multiple test procedure", Scand. J. Statistics 1979): with p-values sorted ascending p_(1) ≤ … ≤ p_(m),
 * reject H_(1..k) where k is the largest index with p_(j) ≤ α/(m − j + 1) for every j ≤ k; adjusted
 * p_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). Same results as statsmodels multipletests(method="holm"),
 * which the tests check. ranx has no multiple-testing correction.
 *
 * A NaN p-value (e.g. a t-test between identical systems) is treated as 1 in the ordering and never rejected;
 * its adjusted value is reported as NaN.
 */
import { InvalidArgumentError } from "@ferret/errors";

export interface HolmResult {
  /** Adjusted p-values, in input order. */
  adjusted: number[];
  /** Whether each null hypothesis is rejected at `alpha`, in input order. */
  reject: boolean[];
  alpha: number;
}

export function holmBonferroni(pValues: readonly number[], alpha = 0.05): HolmResult {
  if (!(alpha > 0 && alpha < 1)) throw new InvalidArgumentError(`alpha must be in (0, 1), got ${alpha}`);
  for (const p of pValues) {
    if (p < 0 || p > 1) throw new InvalidArgumentError(`p-values must be in [0, 1], got ${p}`);
  }
  const m = pValues.length;
  const effective = pValues.map((p) => (Number.isNaN(p) ? 1 : p));
  const order = effective
    .map((_, i) => i)
    .sort((i, j) => (effective[i] as number) - (effective[j] as number));

  const adjusted = new Array<number>(m);
  const reject = new Array<boolean>(m).fill(false);
  let running = 0;
  let stillRejecting = true;
  order.forEach((index, rank) => {
    const p = effective[index] as number;
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = Number.isNaN(pValues[index]) ? NaN : running;
    // statsmodels' comparison p ≤ α/(m − j + 1) (not adjusted ≤ α), so boundary cases agree bit for bit.
    stillRejecting = stillRejecting && p <= alpha / (m - rank) && !Number.isNaN(pValues[index]);
    reject[index] = stillRejecting;
  });
  return { adjusted, reject, alpha };
}
