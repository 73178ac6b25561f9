/**
 * Token recall, instruct-qa's correctness metric (Adlakha et al., TACL 2024; research-methods §11):
 * |tok(gold) ∩ tok(response)| / |tok(gold)| over the multiset of normalised tokens, max over references.
 * An empty reference scores 1; no overlap scores 0.
 */
import { answerTokens, maxOver, overlapCount } from "./normalize.js";

export function tokenRecall(response: string, references: string | readonly string[]): number {
  const resp = answerTokens(response);
  return maxOver(typeof references === "string" ? [references] : references, (r) => {
    const gold = answerTokens(r);
    if (gold.length === 0) return 1;
    return overlapCount(gold, resp) / gold.length;
  });
}
