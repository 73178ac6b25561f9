/** Request fields -> evaluation settings, with the defaults proto/ferret/v1/evaluator.proto documents. */
import type { EvaluateOptions as EvaluateOptionsMessage } from "@ferret/proto";
import { SignificanceTest } from "@ferret/proto";
import { InvalidArgumentError } from "@ferret/errors";
import type { SignificanceTest as TestName } from "../compare/comparison-table.js";
import type { EvaluateOptions } from "../metrics/evaluate.js";
import { parseMeasures, type MeasureSpec } from "../metrics/registry.js";

/** Measures evaluated when a request (or `ferret eval`) names none. */
export const DEFAULT_MEASURES: readonly string[] = ["ndcg_cut.10", "map", "recip_rank", "recall.100"];

/** Parsed measure names (InvalidArgumentError for an unknown one); DEFAULT_MEASURES when none are given. */
export function measureSpecs(names: readonly string[]): MeasureSpec[] {
  return parseMeasures(names.length === 0 ? DEFAULT_MEASURES : names);
}

export function evaluateOptionsFrom(message: EvaluateOptionsMessage | undefined): EvaluateOptions {
  const threshold = message?.relevanceThreshold ?? 0;
  return {
    relevanceThreshold: threshold === 0 ? 1 : threshold,
    completeQueries: message?.completeQueries ?? false,
  };
}

export function significanceTestFrom(test: SignificanceTest): TestName {
  switch (test) {
    case SignificanceTest.SIGNIFICANCE_TEST_UNSPECIFIED:
    case SignificanceTest.SIGNIFICANCE_TEST_PAIRED_T:
      return "t-test";
    case SignificanceTest.SIGNIFICANCE_TEST_FISHER:
      return "fisher";
    default:
      throw new InvalidArgumentError(`unknown significance test ${String(test)}`);
  }
}
