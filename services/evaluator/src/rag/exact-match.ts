/**
 * Exact match (SQuAD; instruct-qa EM): 1 when the normalised prediction equals a normalised reference,
 * max over references.
 */
import { answerTokens, maxOver } from "./normalize.js";

export function exactMatch(prediction: string, references: string | readonly string[]): number {
  const pred = answerTokens(prediction).join(" ");
  return maxOver(typeof references === "string" ? [references] : references, (r) =>
    answerTokens(r).join(" ") === pred ? 1 : 0,
  );
}
