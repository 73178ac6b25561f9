/**
 * Retry delay for a failed job: exponential backoff with a cap and optional subtractive jitter
 * ("equal jitter" family, AWS Architecture Blog, "Exponential Backoff And Jitter", 2015). Jitter spreads
 * the retries of jobs that failed together (e.g. an LLM endpoint outage) so they do not return as one
 * burst; it only shortens a delay, so `delay <= min(maxMs, initialMs * factor^(n-1))` always holds.
 */
import { InvalidArgumentError } from "@ferret/errors";

export interface BackoffOptions {
  /** Delay after the first failed delivery. */
  initialMs: number;
  /** Growth per further failure. */
  factor: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Fraction (0..1) of the delay that may be taken off at random. 0: deterministic. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = {
  initialMs: 1_000,
  factor: 2,
  maxMs: 60_000,
  jitter: 0.2,
};

export function resolveBackoff(options: Partial<BackoffOptions> | undefined): BackoffOptions {
  const b = { ...DEFAULT_BACKOFF, ...options };
  if (!(b.initialMs >= 0) || !(b.factor >= 1) || !(b.maxMs >= 0) || !(b.jitter >= 0 && b.jitter <= 1)) {
    throw new InvalidArgumentError(
      `invalid backoff ${JSON.stringify(b)}: need initialMs >= 0, factor >= 1, maxMs >= 0, 0 <= jitter <= 1`,
    );
  }
  return b;
}

/**
 * Delay before the next delivery after `failures` failed deliveries (1 = the first try failed).
 * `random` is injectable for tests; it must return values in [0, 1).
 */
export function backoffDelay(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  // Cap before multiplying out, so huge failure counts cannot overflow to Infinity/NaN.
  const raw = Math.min(options.maxMs, options.initialMs * Math.pow(options.factor, Math.min(exponent, 1024)));
  const capped = Number.isFinite(raw) ? raw : options.maxMs;
  return Math.round(capped * (1 - options.jitter * random()));
}
