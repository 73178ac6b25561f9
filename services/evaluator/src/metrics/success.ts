/**
 * Success@k as trec_eval's success (m_success.c, after Tomlinson): 1 when a relevant document is among the
 * first k ranks, else 0.
 */
import { firstRelevantRank } from "./recip-rank.js";
import type { PreparedQuery } from "./ranking.js";

export function successAt(q: PreparedQuery, k: number): number {
  return firstRelevantRank(q, k) === 0 ? 0 : 1;
}
