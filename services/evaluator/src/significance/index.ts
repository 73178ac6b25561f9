export { createPrng, DEFAULT_SEED } from "./prng.js";
export type { Prng } from "./prng.js";
export { alignPaired, differences } from "./paired.js";
export type { AlignOptions, PairedSample, PerQueryValues } from "./paired.js";
export { pairedTTest } from "./paired-t-test.js";
export type { PairedTTestResult } from "./paired-t-test.js";
export {
  DEFAULT_ROUNDS,
  MAX_EXACT_QUERIES,
  exactPermutationTest,
  fisherRandomizationTest,
} from "./fisher-randomization.js";
export type { RandomizationTestOptions, RandomizationTestResult } from "./fisher-randomization.js";
export { bootstrapMeanCi, pairedBootstrapCi, percentile, percentileOfSorted } from "./bootstrap.js";
export type { BootstrapOptions, ConfidenceInterval } from "./bootstrap.js";
export { holmBonferroni } from "./holm-bonferroni.js";
export type { HolmResult } from "./holm-bonferroni.js";
