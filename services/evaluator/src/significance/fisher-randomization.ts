/**
 * Fisher's randomization (paired permutation) test, two-sided: under H0 each query's two scores are
 * exchangeable, so every sign pattern of the differences d = treatment − control is equally likely, and
 * p = P(|Σ ± d_i| ≥ |Σ d_i|). Fisher 1935; for IR: Smucker, Allan & Carterette, CIKM 2007. ranx's
 * fisher_randomization_test samples exactly this: each round swaps each query's pair with probability 1/2
 * and counts |mean diff| ≥ observed; its p is count / rounds (no +1), which we keep as the default.
 *
 * ranx's p-values cannot be reproduced bit for bit: it draws inside a numba `prange` loop whose per-thread
 * generators are not seeded by np.random.seed, so the same seed gives different p-values run to run. Parity
 * with ranx is therefore checked statistically, and the exact p-value (all 2^m sign flips) is available.
 *
 * Queries with d_i = 0 are left out of the enumeration and the sampling: flipping them changes nothing, so
 * the p-value is the same. A permuted statistic counts as "at least as extreme" when it is within
 * 1e-10·Σ|d_i| of the observed one, so permutations equal to it mathematically count whatever the
 * floating-point summation order.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { alignPaired, differences, mean, type AlignOptions, type PerQueryValues } from "./paired.js";
import { createPrng, DEFAULT_SEED } from "./prng.js";

export const DEFAULT_ROUNDS = 10_000;
/** Exact enumeration handles up to 2^40 sign patterns (meet in the middle: 2 × 2^20 partial sums). */
export const MAX_EXACT_QUERIES = 40;
const RELATIVE_TIE_TOLERANCE = 1e-10;

export interface RandomizationTestOptions extends AlignOptions {
  /** Monte-Carlo rounds (ranx: n_permutations); default 10,000. */
  rounds?: number;
  seed?: number;
  /**
   * "auto" (default): enumerate all 2^m sign patterns when that is no more work than `rounds` samples (it is
   * then exact and cheaper); "never": always sample, like ranx; "always": always enumerate (m ≤ 40).
   */
  exact?: "auto" | "never" | "always";
  /** "none" (default, ranx): count / rounds. "plus-one": (count + 1) / (rounds + 1), never 0 (Phipson & Smyth 2010). */
  correction?: "none" | "plus-one";
}

export interface RandomizationTestResult {
  /** Two-sided p-value. */
  pValue: number;
  /** True when every sign pattern was enumerated (pValue is then exact). */
  exact: boolean;
  /** Rounds sampled, or 2^m patterns enumerated. */
  rounds: number;
  /** Monte-Carlo standard error of pValue, √(p(1 − p)/rounds); 0 when exact. */
  standardError: number;
  /** mean(treatment − control). */
  meanDifference: number;
  queries: number;
}

interface Prepared {
  nonZero: number[];
  /** |Σd| less the tie tolerance: a permuted |sum| at least this large counts. */
  threshold: number;
  meanDifference: number;
  queries: number;
}

function prepare(control: PerQueryValues, treatment: PerQueryValues, options: AlignOptions): Prepared {
  const d = differences(alignPaired(control, treatment, options));
  if (d.length === 0) throw new InvalidArgumentError("a randomization test needs at least one query");
  const nonZero = d.filter((x) => x !== 0);
  let sum = 0;
  let sumAbs = 0;
  for (const x of nonZero) {
    sum += x;
    sumAbs += Math.abs(x);
  }
  return {
    nonZero,
    threshold: Math.abs(sum) - RELATIVE_TIE_TOLERANCE * sumAbs,
    meanDifference: mean(d),
    queries: d.length,
  };
}

/** Signed sums Σ ± x_i of every sign pattern of xs (bit j of the index set = x_j flipped). */
function allSignedSums(xs: readonly number[]): Float64Array {
  const size = 2 ** xs.length;
  const flipped = new Float64Array(size); // Σ of the flipped x_j, built from the pattern without its lowest bit
  for (let mask = 1; mask < size; mask++) {
    const low = mask & -mask;
    flipped[mask] = (flipped[mask ^ low] as number) + (xs[31 - Math.clz32(low)] as number);
  }
  let total = 0;
  for (const x of xs) total += x;
  const sums = new Float64Array(size);
  for (let mask = 0; mask < size; mask++) sums[mask] = total - 2 * (flipped[mask] as number);
  return sums;
}

/** Number of elements < x (strict) or <= x (inclusive) in an ascending array. */
function countBelow(sorted: Float64Array, x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v < x || (inclusive && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Exact count of sign patterns with |Σ ± d| ≥ threshold, by meet in the middle over the two halves of d. */
function exactCount(nonZero: readonly number[], threshold: number): number {
  const m = nonZero.length;
  if (threshold <= 0) return 2 ** m;
  const half = m >> 1;
  const left = allSignedSums(nonZero.slice(0, half));
  const right = allSignedSums(nonZero.slice(half)).sort();
  let count = 0;
  for (const l of left) {
    // l + r >= threshold, or l + r <= −threshold (disjoint since threshold > 0)
    count += right.length - countBelow(right, threshold - l, false);
    count += countBelow(right, -threshold - l, true);
  }
  return count;
}

export function exactPermutationTest(
  control: PerQueryValues,
  treatment: PerQueryValues,
  options: AlignOptions = {},
): RandomizationTestResult {
  return exactFromPrepared(prepare(control, treatment, options));
}

function exactFromPrepared(p: Prepared): RandomizationTestResult {
  const m = p.nonZero.length;
  if (m > MAX_EXACT_QUERIES) {
    throw new InvalidArgumentError(
      `exact permutation test supports up to ${MAX_EXACT_QUERIES} differing queries, got ${m}`,
    );
  }
  const total = 2 ** m;
  return {
    pValue: exactCount(p.nonZero, p.threshold) / total,
    exact: true,
    rounds: total,
    standardError: 0,
    meanDifference: p.meanDifference,
    queries: p.queries,
  };
}

export function fisherRandomizationTest(
  control: PerQueryValues,
  treatment: PerQueryValues,
  options: RandomizationTestOptions = {},
): RandomizationTestResult {
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  if (!Number.isSafeInteger(rounds) || rounds < 1) {
    throw new InvalidArgumentError(`rounds must be a positive integer, got ${rounds}`);
  }
  const p = prepare(control, treatment, options);
  const m = p.nonZero.length;
  const mode = options.exact ?? "auto";
  if (mode === "always" || (mode === "auto" && m <= MAX_EXACT_QUERIES && 2 ** m <= rounds)) {
    return exactFromPrepared(p);
  }

  const prng = createPrng(options.seed ?? DEFAULT_SEED);
  const d = p.nonZero;
  let count = 0;
  for (let round = 0; round < rounds; round++) {
    let sum = 0;
    let bits = 0;
    for (let i = 0; i < m; i++) {
      if ((i & 31) === 0) bits = prng.nextUint32();
      sum += bits & 1 ? -(d[i] as number) : (d[i] as number);
      bits >>>= 1;
    }
    if (Math.abs(sum) >= p.threshold) count++;
  }
  const plusOne = options.correction === "plus-one";
  const pValue = plusOne ? (count + 1) / (rounds + 1) : count / rounds;
  return {
    pValue,
    exact: false,
    rounds,
    standardError: Math.sqrt((pValue * (1 - pValue)) / rounds),
    meanDifference: p.meanDifference,
    queries: p.queries,
  };
}
