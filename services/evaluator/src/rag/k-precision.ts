/**
 * K-Precision, instruct-qa's faithfulness metric (Adlakha et al., TACL 2024; research-methods §11):
 * |tok(response) ∩ tok(K)| / |tok(response)| over multisets of normalised tokens, where K is every provided
 * passage joined with spaces. An empty response scores 0.
 * K-Precision++ first removes from the response every token that occurs in the question / dialogue history
 * (so restating the question earns nothing); if no token remains the score is 1.
 */
import { answerTokens, overlapCount } from "./normalize.js";

export function kPrecision(response: string, passages: string | readonly string[]): number {
  return precisionAgainst(answerTokens(response), knowledgeTokens(passages));
}

export function kPrecisionPlusPlus(
  response: string,
  passages: string | readonly string[],
  history: string | readonly string[],
): number {
  const asked = new Set(answerTokens(typeof history === "string" ? history : history.join(" ")));
  const resp = answerTokens(response).filter((t) => !asked.has(t));
  if (resp.length === 0) return 1;
  return precisionAgainst(resp, knowledgeTokens(passages));
}

function knowledgeTokens(passages: string | readonly string[]): string[] {
  return answerTokens(typeof passages === "string" ? passages : passages.join(" "));
}

function precisionAgainst(resp: readonly string[], knowledge: readonly string[]): number {
  if (resp.length === 0) return 0;
  return overlapCount(resp, knowledge) / resp.length;
}
