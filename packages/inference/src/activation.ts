/** Cross-encoder logits -> relevance score (see CrossEncoderConfig.scoreActivation). */
import type { ScoreActivation } from "./model-config.js";

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Softmax probability of `label` among `logits` (max-subtracted for stability). */
export function softmaxAt(logits: ArrayLike<number>, label: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return Math.exp(logits[label]! - max) / sum;
}

/** One-label heads score their only logit; multi-label heads the positive label's. */
export function scoreFromLogits(
  logits: ArrayLike<number>,
  activation: ScoreActivation,
  positiveLabel: number,
): number {
  const label = logits.length === 1 ? 0 : positiveLabel;
  switch (activation) {
    case "none":
      return logits[label]!;
    case "sigmoid":
      return sigmoid(logits[label]!);
    case "softmax-positive":
      return softmaxAt(logits, label);
  }
}
