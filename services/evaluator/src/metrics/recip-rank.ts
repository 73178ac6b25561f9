/**
 * Reciprocal rank as trec_eval's recip_rank (m_recip_rank.c): 1 / rank of the first relevant document in the
 * whole ranking, 0 when none is retrieved.
 */
import type { PreparedQuery } from "./ranking.js";

export function firstRelevantRank(q: PreparedQuery, k: number): number {
  const n = Math.min(k, q.numRet);
  const rels = q.rels;
  const threshold = q.threshold;
  for (let i = 0; i < n; i++) if ((rels[i] as number) >= threshold) return i + 1;
  return 0;
}

export function recipRank(q: PreparedQuery): number {
  const r = firstRelevantRank(q, q.numRet);
  return r === 0 ? 0 : 1 / r;
}
