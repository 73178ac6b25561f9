/**
 * Percentile bootstrap confidence intervals for a mean (Efron & Tibshirani, "An Introduction to the
 * Bootstrap", 1993, ch. 13): resample the queries with replacement B times, take the mean of each resample,
 * and report the (1 − c)/2 and (1 + c)/2 quantiles of those means, with numpy's default ("linear", type 7)
 * quantile definition — what scipy.stats.bootstrap(method="percentile") reports. For a paired comparison the
 * resampled unit is the query, so the interval is for mean(treatment − control).
 */
import { InvalidArgumentError } from "@ferret/errors";
import { alignPaired, differences, mean, type AlignOptions, type PerQueryValues } from "./paired.js";
import { createPrng, DEFAULT_SEED } from "./prng.js";

export interface BootstrapOptions {
  /** Resamples B; default 10,000. */
  resamples?: number;
  /** Confidence level c in (0, 1); default 0.95. */
  confidence?: number;
  seed?: number;
}

export interface ConfidenceInterval {
  /** The statistic on the original sample (the mean). */
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
  resamples: number;
}

/**
 * The q-th percentile (q in [0, 100]) with linear interpolation between closest ranks: numpy.percentile's
 * default. `sorted` must be ascending.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new InvalidArgumentError("percentile of an empty sample");
  if (!(q >= 0 && q <= 100)) throw new InvalidArgumentError(`percentile must be in [0, 100], got ${q}`);
  const h = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  if (lo + 1 >= sorted.length) return a;
  const b = sorted[lo + 1] as number;
  // numpy's _lerp: a + (b − a)·t, computed from the upper end when t ≥ 0.5, for monotonicity.
  const t = h - lo;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

export function percentile(values: readonly number[], q: number): number {
  return percentileOfSorted(Float64Array.from(values).sort(), q);
}

export function bootstrapMeanCi(
  values: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isSafeInteger(resamples) || resamples < 1) {
    throw new InvalidArgumentError(`resamples must be a positive integer, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new InvalidArgumentError(`confidence must be in (0, 1), got ${confidence}`);
  }
  const n = values.length;
  if (n === 0) throw new InvalidArgumentError("bootstrap of an empty sample");
  if (!values.every(Number.isFinite))
    throw new InvalidArgumentError("bootstrap values must be finite numbers");

  const prng = createPrng(options.seed ?? DEFAULT_SEED);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[prng.nextInt(n)] as number;
    means[b] = sum / n;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  return {
    estimate: mean(values),
    lower: percentileOfSorted(means, alpha * 100),
    upper: percentileOfSorted(means, (1 - alpha) * 100),
    confidence,
    resamples,
  };
}

/** Percentile bootstrap CI of mean(treatment − control), resampling queries. */
export function pairedBootstrapCi(
  control: PerQueryValues,
  treatment: PerQueryValues,
  options: BootstrapOptions & AlignOptions = {},
): ConfidenceInterval {
  return bootstrapMeanCi(differences(alignPaired(control, treatment, options)), options);
}
