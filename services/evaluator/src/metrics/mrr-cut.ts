/**
 * RR@k (averaged: MRR@k) as BEIR and the MS MARCO passage leaderboard report it: 1 / rank of the first
 * relevant document among the first k of trec_eval's ranking, 0 when there is none. Equals trec_eval's
 * recip_rank on the ranking cut at k; trec_eval itself has no cutoff for it.
 */
import { firstRelevantRank } from "./recip-rank.js";
import type { PreparedQuery } from "./ranking.js";

export function mrrCut(q: PreparedQuery, k: number): number {
  const r = firstRelevantRank(q, k);
  return r === 0 ? 0 : 1 / r;
}
