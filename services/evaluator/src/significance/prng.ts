/**
 * Seeded pseudo-random numbers for the randomized tests (Fisher randomization, bootstrap): the 32-bit Mersenne
 * Twister MT19937 (Matsumoto & Nishimura 1998) from pure-rand, so a seed reproduces a p-value or an interval
 * exactly on every platform. MT rather than xoroshiro128+ because the randomization test consumes every bit of
 * each output as a sign flip, and xoroshiro128+'s low bits are weak (linear); MT's 32 bits are all
 * equidistributed.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { mersenne } from "pure-rand/generator/mersenne";

export interface Prng {
  /** 32 uniformly random bits as an unsigned integer. */
  nextUint32(): number;
  /** A uniformly random integer in [0, n) (unbiased: rejection sampling). */
  nextInt(n: number): number;
}

export const DEFAULT_SEED = 42;

export function createPrng(seed: number = DEFAULT_SEED): Prng {
  if (!Number.isSafeInteger(seed))
    throw new InvalidArgumentError(`PRNG seed must be an integer, got ${seed}`);
  const rng = mersenne(seed);
  return {
    nextUint32: () => rng.next() >>> 0,
    nextInt: (n: number) => {
      if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 32) {
        throw new InvalidArgumentError(`nextInt needs an integer range in [1, 2^32], got ${n}`);
      }
      return uniformInt(rng, 0, n - 1);
    },
  };
}
