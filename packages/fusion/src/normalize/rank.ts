/**
 * Rank normalization: 1 − (r − 1)/n for the document at 1-based rank r of n (ranx `rank_norm`): the top
 * document gets 1, the last 1/n. Ranks follow trec_eval order (score desc, docid desc on ties); ranx instead
 * keeps whatever order its unstable sort left tied documents in, so the two agree on tie-free lists.
 */
import { rankedEntries } from "../ranking.js";
import type { Results } from "../types.js";

export function rankNormalize(results: Results): Map<string, number> {
  const ranked = rankedEntries(results);
  const n = ranked.length;
  const out = new Map<string, number>();
  ranked.forEach(([doc], i) => out.set(doc, 1 - i / n));
  return out;
}
