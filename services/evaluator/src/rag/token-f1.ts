/**
 * Token F1 (SQuAD; instruct-qa F1): harmonic mean of token precision and recall over the multiset overlap of
 * normalised tokens, max over references. When either side has no tokens the score is 1 if both are empty,
 * else 0 (instruct-qa and SQuAD 2.0; SQuAD 1.1's script gives 0 when both are empty).
 */
import { answerTokens, maxOver, overlapCount } from "./normalize.js";

export function tokenF1(prediction: string, references: string | readonly string[]): number {
  const pred = answerTokens(prediction);
  return maxOver(typeof references === "string" ? [references] : references, (r) =>
    f1(pred, answerTokens(r)),
  );
}

export function f1(pred: readonly string[], gold: readonly string[]): number {
  if (pred.length === 0 || gold.length === 0) return pred.length === gold.length ? 1 : 0;
  const common = overlapCount(gold, pred);
  if (common === 0) return 0;
  const precision = common / pred.length;
  const recall = common / gold.length;
  return (2 * precision * recall) / (precision + recall);
}
